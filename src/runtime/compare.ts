import type { OutputAccuracy } from './types';

/**
 * How far a candidate tensor is from a reference one (issue 8, points 2 and 8). Sums run in
 * float64 over the float32 values, so large tensors lose no precision to the accumulator.
 */
export interface ErrorFigures {
  /** dot(ref, cand) / (|ref| |cand|); 1 when both are all zeros, 0 when only one is. */
  cosine: number;
  /** 10·log10(Σref² / Σ(ref−cand)²); Infinity when equal, -Infinity for a zero reference with nonzero error. */
  snrDb: number;
  maxAbsError: number;
  /** Root mean square of the reference: how much signal the cosine and SNR were measured on. */
  referenceRms: number;
  /** Root mean square of the candidate (a flat reference with a non-flat candidate is an error, not noise). */
  candidateRms: number;
}

export function errorFigures(ref: ArrayLike<number>, cand: ArrayLike<number>): ErrorFigures {
  if (ref.length !== cand.length) throw new RangeError(`cannot compare ${ref.length} values with ${cand.length}`);
  let dot = 0;
  let rr = 0;
  let cc = 0;
  let noise = 0;
  let maxAbs = 0;
  for (let i = 0; i < ref.length; i++) {
    const r = ref[i]!;
    const c = cand[i]!;
    const d = r - c;
    dot += r * c;
    rr += r * r;
    cc += c * c;
    noise += d * d;
    const a = Math.abs(d);
    // NaN in either side makes the error NaN: keep it visible rather than skipping it.
    if (a > maxAbs || Number.isNaN(a)) maxAbs = a;
  }
  const cosine = rr === 0 && cc === 0 ? 1 : rr === 0 || cc === 0 ? 0 : dot / Math.sqrt(rr * cc);
  const snrDb = noise === 0 ? Infinity : 10 * Math.log10(rr / noise);
  const rms = (sum: number): number => (ref.length ? Math.sqrt(sum / ref.length) : 0);
  return { cosine, snrDb, maxAbsError: maxAbs, referenceRms: rms(rr), candidateRms: rms(cc) };
}

/** Arg-max agreement of rows along the last axis: [agreeing rows, rows]. */
export function argmaxAgreement(ref: ArrayLike<number>, cand: ArrayLike<number>, lastDim: number): [number, number] {
  if (lastDim < 2 || ref.length % lastDim !== 0) return [0, 0];
  let agree = 0;
  const rows = ref.length / lastDim;
  for (let row = 0; row < rows; row++) {
    if (argmax(ref, row * lastDim, lastDim) === argmax(cand, row * lastDim, lastDim)) agree++;
  }
  return [agree, rows];
}

function argmax(v: ArrayLike<number>, start: number, n: number): number {
  let best = 0;
  for (let i = 1; i < n; i++) if (v[start + i]! > v[start + best]!) best = i;
  return best;
}

/** Operators whose output is a row of class scores when its last axis holds more than one (logits or probabilities). */
export const SCORE_OPS: ReadonlySet<string> = new Set(['Softmax', 'LogSoftmax', 'Gemm', 'MatMul']);

/**
 * A sample whose reference and candidate outputs both carry less than this share of the median
 * reference sample's signal (RMS) is flat: a detector that finds nothing in either model, a
 * silent frame. Its cosine and SNR measure rounding noise around zero (0.00001 for an int8
 * model that agrees "no text" with the float one), so they leave the worst and mean figures;
 * its max abs error still counts. A candidate with signal where the reference has none (text
 * found in an empty image) is an error and stays in.
 */
const FLAT_SAMPLE_RATIO = 1e-3;

/** Accumulates per-sample figures of one output into the report's OutputAccuracy. */
export class OutputAccuracyAccumulator {
  private readonly cosines: number[] = [];
  private readonly snrs: number[] = [];
  private readonly rms: number[] = [];
  private equal = 0;
  private elements = 0;
  private readonly candidateRms: number[] = [];
  private maxAbs = 0;
  private agree = 0;
  private rows = 0;
  /**
   * `classifier`: the output holds class scores along its last axis (see SCORE_OPS); top-1
   * agreement is then reported. `discrete`: integer or bool values (class ids, masks), for which
   * cosine says little; the share of equal elements is reported and targets leave them out.
   */
  constructor(
    readonly name: string,
    private classifier = false,
    private readonly discrete = false,
  ) {}

  add(ref: ArrayLike<number>, cand: ArrayLike<number>, dims: readonly number[]): void {
    const f = errorFigures(ref, cand);
    this.cosines.push(f.cosine);
    this.snrs.push(f.snrDb);
    this.rms.push(f.referenceRms);
    if (this.discrete) {
      for (let i = 0; i < ref.length; i++) if (ref[i] === cand[i]) this.equal++;
      this.elements += ref.length;
    }
    this.candidateRms.push(f.candidateRms);
    if (f.maxAbsError > this.maxAbs || Number.isNaN(f.maxAbsError)) this.maxAbs = f.maxAbsError;
    this.classifier &&= dims.length >= 2 && dims[dims.length - 1]! > 1;
    if (this.classifier) {
      const [a, n] = argmaxAgreement(ref, cand, dims[dims.length - 1]!);
      this.agree += a;
      this.rows += n;
    }
  }

  /**
   * Worst sample and mean. The mean SNR averages the samples with finite SNR (a sample equal
   * to its reference has SNR Infinity, which would make any mean Infinity); Infinity when all are.
   * Top-1 agreement is over every row (sample × leading positions) of a classifier-like output.
   */
  result(): OutputAccuracy {
    const flat = FLAT_SAMPLE_RATIO * medianOf(this.rms);
    const kept = this.rms.map((r, i) => !(r < flat && this.candidateRms[i]! < flat));
    const flatSamples = kept.filter((k) => !k).length;
    const cosines = this.cosines.filter((_, i) => kept[i]);
    const snrs = this.snrs.filter((_, i) => kept[i]);
    const finite = snrs.filter(Number.isFinite);
    const out: OutputAccuracy = {
      name: this.name,
      cosine: minOf(cosines),
      meanCosine: meanOf(cosines),
      snrDb: minOf(snrs),
      meanSnrDb: finite.length ? meanOf(finite) : minOf(snrs),
      maxAbsError: this.maxAbs,
    };
    if (flatSamples) out.flatSamples = flatSamples;
    if (this.discrete) out.exactMatch = this.elements ? this.equal / this.elements : 1;
    if (this.classifier && this.rows > 0) out.top1Agreement = this.agree / this.rows;
    return out;
  }
}

/**
 * The outputs a cosine target is judged on: the float ones (integer and bool outputs carry
 * `exactMatch` instead), or all when none is float.
 */
export function cosineJudged(outputs: readonly OutputAccuracy[]): readonly OutputAccuracy[] {
  const float = outputs.filter((o) => o.exactMatch === undefined);
  return float.length ? float : outputs;
}

/** Smallest value; NaN wins (a NaN sample must not hide behind a good one). */
function minOf(v: number[]): number {
  let m = Infinity;
  for (const x of v) if (Number.isNaN(x) || x < m) m = x;
  return v.length ? m : NaN;
}

function medianOf(v: number[]): number {
  const sorted = [...v].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : NaN;
}

const meanOf = (v: number[]): number => (v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN);
