/**
 * Range selection from calibration statistics: MinMax, Percentile and Entropy (KL divergence,
 * the method of TensorRT's entropy calibrator and ORT's CalibrationMethod.Entropy). Each
 * returns the float range [min, max] that the activation's scale is computed from.
 */
import type { ActivationStats, TensorHistogram } from '../../runtime/activation-stats';

export type CalibrationMethod = 'minmax' | 'entropy' | 'percentile';
export const CALIBRATION_METHODS: readonly CalibrationMethod[] = ['minmax', 'entropy', 'percentile'];

export interface Range {
  min: number;
  max: number;
}

export interface RangeOptions {
  method: CalibrationMethod;
  /** Symmetric around zero (int8 with zero point 0). */
  symmetric: boolean;
  /** Percentile of |x| (symmetric) or the two-sided central share (asymmetric); default 99.999 as ORT. */
  percentile?: number;
  /** Quantized bins the Entropy method compares against; 128 = the positive levels of int8. */
  quantizedBins?: number;
}

export const DEFAULT_PERCENTILE = 99.999;
export const DEFAULT_QUANTIZED_BINS = 128;

/** A range per value name. Values without samples are left out. */
export function selectRanges(stats: ActivationStats, options: RangeOptions): Map<string, Range> {
  const out = new Map<string, Range>();
  for (const [name, h] of stats.tensors) {
    if (h.count > 0) out.set(name, selectRange(h, options));
  }
  return out;
}

/**
 * Values below this count (over all samples) take their full range under Entropy: a KL search
 * over a sparse histogram picks a threshold from noise, and the small tensors this catches —
 * logits, pooled features, squeeze-and-excitation gates — are where clipping costs most
 * (PP-OCR's direction classifier: 2 logits per sample, top-1 agreement 0.47 → 0.98).
 */
export const ENTROPY_MIN_VALUES = 65536;

export function selectRange(h: TensorHistogram, options: RangeOptions): Range {
  if (h.count === 0) return { min: 0, max: 0 };
  const sparse = options.method === 'entropy' && h.count < ENTROPY_MIN_VALUES;
  const needsHistogram = options.method !== 'minmax' && h.histogram && h.stride > 0 && !sparse;
  if (!needsHistogram) return options.symmetric ? symmetric(h.absMax) : { min: h.min, max: h.max };
  if (options.method === 'percentile') return percentileRange(h, options.percentile ?? DEFAULT_PERCENTILE, options.symmetric);
  const t = entropyThreshold(h.absoluteCounts(), options.quantizedBins ?? DEFAULT_QUANTIZED_BINS) * h.stride;
  return clipTo(h, -t, t, options.symmetric);
}

function symmetric(amax: number): Range {
  return { min: -amax, max: amax };
}

/** Keeps a chosen threshold inside what was seen (as ORT does). */
function clipTo(h: TensorHistogram, lo: number, hi: number, isSymmetric: boolean): Range {
  if (isSymmetric) return symmetric(Math.min(hi, h.absMax));
  return { min: Math.max(lo, h.min), max: Math.min(hi, h.max) };
}

/**
 * Symmetric: the upper edge of the |x| bin where the cumulative share first reaches p.
 * Asymmetric: (100-p)/2 % cut from each tail of the signed histogram, bin edges outward.
 */
export function percentileRange(h: TensorHistogram, percentile: number, isSymmetric: boolean): Range {
  if (!(percentile > 0 && percentile <= 100)) throw new RangeError(`percentile ${percentile} is not in (0, 100]`);
  const total = h.count;
  if (isSymmetric) {
    const abs = h.absoluteCounts();
    const k = firstReaching(abs, (percentile / 100) * total);
    return clipTo(h, 0, (k + 1) * h.stride, true);
  }
  if (!h.signed) throw new Error('an asymmetric Percentile needs a signed histogram (collected with signed: true)');
  // Signed bins from the most negative up: negative[half-1] .. negative[0], positive[0] ..
  const half = h.half;
  const signed = new Float64Array(2 * half);
  for (let k = 0; k < half; k++) {
    signed[half - 1 - k] = h.negative[k]!;
    signed[half + k] = h.positive[k]!;
  }
  const tail = ((100 - percentile) / 200) * total;
  const lowBin = firstReaching(signed, Math.max(tail, Number.MIN_VALUE));
  const highBin = firstReaching(signed, total - tail);
  const lowEdge = (lowBin - half) * h.stride;
  const highEdge = (highBin - half + 1) * h.stride;
  return clipTo(h, lowEdge, highEdge, false);
}

/** Index of the first bin where the running sum reaches `target` (the last bin if never). */
function firstReaching(counts: Float64Array, target: number): number {
  let sum = 0;
  for (let k = 0; k < counts.length; k++) {
    sum += counts[k]!;
    if (sum >= target) return k;
  }
  return counts.length - 1;
}

/** Candidate thresholds the Entropy search tries at most (about). */
export const ENTROPY_CANDIDATES = 512;

/**
 * The number of |x| bins to keep that minimizes KL(P || Q): P is the histogram cut at i bins
 * with the outliers added to its last bin, Q the same i bins merged into `quantizedBins`
 * levels and spread back over P's non-empty bins. Candidates i = quantizedBins, then every
 * ceil(bins / 512) bins up to the bin count.
 * Both are smoothed as ORT's smooth_distribution does (eps 1e-4 moved onto empty bins).
 * The first bin takes its neighbour's count, as NVIDIA's pytorch-quantization entropy
 * calibrator does: the exact zeros a ReLU writes would otherwise pull the threshold far down
 * (ResNet-18's first ReLU on photos: 0.32 of 2.5 instead of 1.9). Returns i: the threshold is i·stride.
 */
export function entropyThreshold(counts: Float64Array, quantizedBins: number): number {
  const bins = counts.length;
  if (bins <= quantizedBins) return bins;
  const abs = counts.slice();
  abs[0] = abs[1]!;
  const sums = new PrefixSums(abs);
  let best = bins;
  let bestKl = Infinity;
  // Candidates every `step` bins past 512: a threshold finer than 1/512 of the range changes no scale that matters.
  const step = Math.ceil(bins / ENTROPY_CANDIDATES);
  for (let i = quantizedBins; i <= bins; i += step) {
    const kl = candidateKl(abs, sums, i, quantizedBins);
    if (kl < bestKl - KL_RESOLUTION) {
      bestKl = kl;
      best = i;
    }
  }
  return best;
}

const SMOOTH_EPS = 1e-4;

/**
 * KLs closer than this are equal: candidateKl's sums and expansion are off by up to ~5e-12 where
 * the plain definition gives exactly 0 for several candidates (a support narrower than the
 * candidates, sparse bins), and the plain search keeps the first of equals.
 */
const KL_RESOLUTION = 1e-10;

/**
 * Running sums over the |x| bins, so that each candidate's KL costs one step per quantized
 * level instead of a logarithm per bin (PP-OCR det's 113 activations: 5× faster, the same
 * thresholds). Entry k covers bins [0, k); the sums over non-empty bins feed the expansion of
 * (p - e)·log(p - e) in candidateKl.
 */
class PrefixSums {
  readonly counts: Float64Array;
  readonly nonEmpty: Float64Array;
  readonly pLogP: Float64Array;
  readonly logP: Float64Array;
  readonly inverse: Float64Array;
  /** The smallest non-empty count below k (Infinity where none). */
  readonly smallest: Float64Array;
  private scratch: { each: Float64Array; nonEmpty: Float64Array } | undefined;

  constructor(abs: Float64Array) {
    const n = abs.length + 1;
    this.counts = new Float64Array(n);
    this.nonEmpty = new Float64Array(n);
    this.pLogP = new Float64Array(n);
    this.logP = new Float64Array(n);
    this.inverse = new Float64Array(n);
    this.smallest = new Float64Array(n);
    this.smallest[0] = Infinity;
    for (let k = 0; k < abs.length; k++) {
      const p = abs[k]!;
      const log = p > 0 ? Math.log(p) : 0;
      this.counts[k + 1] = this.counts[k]! + p;
      this.nonEmpty[k + 1] = this.nonEmpty[k]! + (p !== 0 ? 1 : 0);
      this.pLogP[k + 1] = this.pLogP[k]! + p * log;
      this.logP[k + 1] = this.logP[k]! + log;
      this.inverse[k + 1] = this.inverse[k]! + (p > 0 ? 1 / p : 0);
      this.smallest[k + 1] = p !== 0 ? Math.min(this.smallest[k]!, p) : this.smallest[k]!;
    }
  }

  /** Per-group scratch that every candidate reuses. */
  groups(levels: number): { each: Float64Array; nonEmpty: Float64Array } {
    if (this.scratch?.each.length !== levels) this.scratch = { each: new Float64Array(levels), nonEmpty: new Float64Array(levels) };
    return this.scratch;
  }
}

/**
 * KL(P || Q) of one candidate i, the value ORT's definition gives: P = abs[0..i) with the
 * outliers added to its last bin; Q = groups of floor(i/levels) bins (the last takes the rest),
 * each group's sum of abs spread evenly over the bins where P is non-zero; both smoothed (eps
 * 1e-4 onto empty bins, e = eps·empty/non-empty taken from the others: Infinity where that
 * fails, as ORT's None). Written out, with P's and Q's sums unchanged by smoothing (sp = all
 * values, sq = those below bin i):
 *   KL = (Σ p'·log p' − Σ p'·log q') / sp + log(sq / sp),
 * where empty bins (p' = q' = eps) add nothing, q' is one value per group, and Σ (p - e)·log(p - e)
 * over non-empty bins is p·log p − e·(log p + 1) + e²/(2p) summed from the running sums (the
 * next term, e³/(6p²), with e ≤ 1e-4·2047 and counts p ≥ 1, moved no KL by more than 5e-12 on
 * 4000 random histograms; entropyThreshold takes KLs within KL_RESOLUTION as equal).
 */
function candidateKl(abs: Float64Array, s: PrefixSums, i: number, levels: number): number {
  const total = s.counts[abs.length]!;
  const last = i - 1;
  const pLast = abs[last]! + Math.max(total - s.counts[i]!, 0);
  const nonEmptyP = s.nonEmpty[last]! + (pLast !== 0 ? 1 : 0);
  const eP = smoothingShare(i - nonEmptyP, i);
  if (eP === undefined || Math.min(s.smallest[last]!, pLast !== 0 ? pLast : Infinity) - eP <= 0) return Infinity;
  // Q per group: the group's count over its non-empty P bins (the last group's P bin may be non-empty through outliers alone).
  const width = Math.floor(i / levels);
  let zerosQ = 0;
  const { each, nonEmpty } = s.groups(levels);
  for (let j = 0; j < levels; j++) {
    const start = j * width;
    const end = j === levels - 1 ? i : start + width;
    let n = s.nonEmpty[end]! - s.nonEmpty[start]!;
    if (end === i) n += (pLast !== 0 ? 1 : 0) - (abs[last] !== 0 ? 1 : 0);
    const e = n > 0 ? (s.counts[end]! - s.counts[start]!) / n : 0;
    each[j] = e;
    nonEmpty[j] = n;
    zerosQ += e === 0 ? end - start : end - start - n;
  }
  const eQ = smoothingShare(zerosQ, i);
  if (eQ === undefined) return Infinity;
  let pLogQ = 0;
  for (let j = 0; j < levels; j++) {
    if (nonEmpty[j] === 0) continue;
    const q = each[j] === 0 ? SMOOTH_EPS : each[j]! - eQ;
    if (q <= 0) return Infinity;
    const start = j * width;
    const end = j === levels - 1 ? i : start + width;
    const pSum = s.counts[end]! - s.counts[start]! + (end === i ? pLast - abs[last]! : 0);
    pLogQ += (pSum - nonEmpty[j]! * eP) * Math.log(q);
  }
  // Σ (p - e)·log(p - e) over the non-empty bins below `last`, then the last bin exactly.
  let pLogP = s.pLogP[last]! - eP * (s.logP[last]! + s.nonEmpty[last]!) + ((eP * eP) / 2) * s.inverse[last]!;
  if (pLast !== 0) pLogP += (pLast - eP) * Math.log(pLast - eP);
  const sq = s.counts[i]!;
  return (pLogP - pLogQ) / total + Math.log(sq / total);
}

/** What smoothing takes from each non-empty bin of n with `zeros` empty ones; undefined when it cannot. */
function smoothingShare(zeros: number, n: number): number | undefined {
  const nonzeros = n - zeros;
  if (nonzeros === 0) return undefined;
  const eps1 = (SMOOTH_EPS * zeros) / nonzeros;
  return eps1 >= 1 ? undefined : eps1;
}
