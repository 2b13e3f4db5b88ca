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
/** Candidate thresholds the Entropy search tries at most (about). */
export const ENTROPY_CANDIDATES = 512;

export function entropyThreshold(counts: Float64Array, quantizedBins: number): number {
  const bins = counts.length;
  if (bins <= quantizedBins) return bins;
  const abs = counts.slice();
  abs[0] = abs[1]!;
  let total = 0;
  for (let k = 0; k < bins; k++) total += abs[k]!;
  let best = bins;
  let bestKl = Infinity;
  const p = new Float64Array(bins);
  const q = new Float64Array(bins);
  // Candidates every `step` bins past 512: the search is quadratic in the bin count, and a
  // threshold finer than 1/512 of the range changes no scale that matters.
  const step = Math.ceil(bins / ENTROPY_CANDIDATES);
  let outliers = total;
  let counted = 0;
  for (let i = quantizedBins; i <= bins; i += step) {
    for (; counted < i; counted++) outliers -= abs[counted]!;
    const kl = candidateKl(abs, i, quantizedBins, Math.max(outliers, 0), p, q);
    if (kl < bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return best;
}

const SMOOTH_EPS = 1e-4;

/**
 * KL(P || Q) of one candidate i, as ORT computes it: P = abs[0..i) with the outliers added to
 * its last bin; Q = groups of floor(i/levels) bins (the last takes the rest), each group's sum
 * of abs spread evenly over the bins where P is non-zero; both smoothed (eps 1e-4 onto empty
 * bins, taken evenly from the others: Infinity where that fails, as ORT's None). Three passes
 * with the arithmetic of the plain definition, in the same order, so the same threshold wins:
 * Q and the empty bins; smoothing and the sums; the divergence. `p`, `q`: scratch of >= i.
 */
function candidateKl(abs: Float64Array, i: number, levels: number, outliers: number, p: Float64Array, q: Float64Array): number {
  const width = Math.floor(i / levels);
  let zerosP = 0;
  let zerosQ = 0;
  for (let j = 0; j < levels; j++) {
    const start = j * width;
    const end = j === levels - 1 ? i : start + width;
    let sum = 0;
    let nonzero = 0;
    for (let k = start; k < end; k++) {
      const pk = k === i - 1 ? abs[k]! + outliers : abs[k]!;
      p[k] = pk;
      sum += abs[k]!;
      if (pk !== 0) nonzero++;
    }
    const each = nonzero > 0 ? sum / nonzero : 0;
    for (let k = start; k < end; k++) {
      const qk = p[k] !== 0 ? each : 0;
      q[k] = qk;
      if (p[k] === 0) zerosP++;
      if (qk === 0) zerosQ++;
    }
  }
  const eps1P = smoothingShare(zerosP, i);
  const eps1Q = smoothingShare(zerosQ, i);
  if (eps1P === undefined || eps1Q === undefined) return Infinity;
  let sp = 0;
  let sq = 0;
  for (let k = 0; k < i; k++) {
    const pk = p[k] === 0 ? SMOOTH_EPS : p[k]! - eps1P;
    const qk = q[k] === 0 ? SMOOTH_EPS : q[k]! - eps1Q;
    if (pk <= 0 || qk <= 0) return Infinity;
    p[k] = pk;
    q[k] = qk;
    sp += pk;
    sq += qk;
  }
  let kl = 0;
  for (let k = 0; k < i; k++) {
    const pk = p[k]! / sp;
    if (pk > 0) kl += pk * Math.log(pk / (q[k]! / sq));
  }
  return kl;
}

/** What smoothing takes from each non-empty bin of n with `zeros` empty ones; undefined when it cannot. */
function smoothingShare(zeros: number, n: number): number | undefined {
  const nonzeros = n - zeros;
  if (nonzeros === 0) return undefined;
  const eps1 = (SMOOTH_EPS * zeros) / nonzeros;
  return eps1 >= 1 ? undefined : eps1;
}
