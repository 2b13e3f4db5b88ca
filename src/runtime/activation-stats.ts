/**
 * Activation statistics for static quantization, collected inside the runtime child one
 * tensor at a time and sent back over IPC as JSON. Per value name: min, max and a streaming
 * histogram symmetric around zero (bins [k·stride, (k+1)·stride) on each side), from which
 * MinMax, Percentile and Entropy ranges are chosen (src/optimize/static/ranges.ts).
 *
 * Growth follows ONNX Runtime's HistogramCollector: when a batch reaches beyond the covered
 * range, bins of the same width are added, so counts already taken stay exact. Unlike ORT the
 * bin count is bounded: past 2× the asked-for bins per side, neighbouring bins are merged in
 * pairs (stride doubles), which is also exact because the new edges are a subset of the old.
 * The result therefore equals a one-shot histogram of all values with the final stride.
 */

/** Bins per side a histogram starts with; it keeps between this and twice this (TensorRT's entropy calibrator uses 2048 bins of |x|). */
export const DEFAULT_BINS_PER_SIDE = 1024;

export interface HistogramJSON {
  min: number;
  max: number;
  /** Finite values seen. */
  count: number;
  /** Values skipped because NaN or infinite. */
  nonFinite: number;
  /** 0 until a non-zero magnitude was seen. */
  stride: number;
  /** Zeros seen while stride was 0. */
  pendingZeros: number;
  /** Counts of [k·stride, (k+1)·stride) for x >= 0, and of |x| in the same bins for x < 0. */
  positive: number[];
  negative: number[];
}

export interface ActivationStatsJSON {
  binsPerSide: number;
  histograms: boolean;
  /** false: the histograms count |x| only (all in `positive`), what Entropy and symmetric Percentile read. Absent: true. */
  signed?: boolean;
  tensors: Record<string, HistogramJSON>;
  /** Per-channel means asked for with the statistics (CalibrationStatsSpec.means); a value with a non-finite mean is left out. */
  channelMeans?: Record<string, number[]>;
}

/**
 * A batch's extremes as onnxruntime computed them beside the values (ReduceMin, ReduceMax): the
 * batch is then binned in one pass that tracks none. They may be wrong only where a value is
 * NaN (onnxruntime's reductions skip a NaN that is not the first element), and the binning
 * pass stops at a NaN: such a batch is binned again with its extremes tracked.
 */
export interface Extremes {
  min: number;
  max: number;
}

/** One value's running min/max and histogram. */
export class TensorHistogram {
  min = Infinity;
  max = -Infinity;
  count = 0;
  nonFinite = 0;
  stride = 0;
  private pendingZeros = 0;
  positive: Float64Array = new Float64Array(0);
  negative: Float64Array = new Float64Array(0);

  constructor(
    readonly binsPerSide = DEFAULT_BINS_PER_SIDE,
    /** false: min/max only (MinMax calibration needs nothing more). */
    readonly histogram = true,
    /**
     * false: bins count |x| only, all in `positive` (`negative` stays zero). Enough for Entropy
     * and symmetric Percentile, which read `absoluteCounts()`, and cheaper to fill.
     */
    public signed = true,
  ) {}

  /** Largest magnitude seen (0 when none). */
  get absMax(): number {
    return this.count === 0 ? 0 : Math.max(Math.abs(this.min), Math.abs(this.max));
  }

  /** Bins per side currently held. */
  get half(): number {
    return this.positive.length;
  }

  add(values: ArrayLike<number>, extremes?: Extremes): void {
    if (this.histogram && extremes && values.length > 0 && this.addWithExtremes(values, extremes)) return;
    if (this.histogram && this.stride > 0 && this.addCovered(values)) return;
    // Pass 1: range (NaN and ±Inf make v - v NaN and are skipped).
    let lo = Infinity;
    let hi = -Infinity;
    let finite = 0;
    const n = values.length;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (v - v !== 0) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
      finite++;
    }
    if (!this.addRange(lo, hi, finite, n - finite)) return;
    // Pass 2: counts, into one array of both sides (negative bins reversed below the positive
    // ones) indexed without a branch on the sign, which signed activations would mispredict.
    const half = this.half;
    const last = half - 1;
    const stride = this.stride;
    const both = new Float64Array(2 * half);
    // Magnitudes only: every value counts on the positive side.
    const signs = this.signed ? 1 : 0;
    // cover() made every |v| / stride fall below half: truncation is the floor, the clamp a guard.
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (v - v !== 0) continue;
      const k = Math.min((Math.abs(v) / stride) | 0, last);
      const negative = ((v < 0) as unknown as number) & signs;
      both[half + k - negative * (2 * k + 1)]!++;
    }
    for (let k = 0; k < half; k++) {
      this.positive[k]! += both[half + k]!;
      this.negative[k]! += both[last - k]!;
    }
  }

  /**
   * One pass over a batch that the current bins already cover (after the first sample, nearly
   * every batch): bins and extremes together, with the same `|v| / stride` as `add`'s second
   * pass, so the counts are the ones the two passes give. False, with nothing changed, at the
   * first value that is NaN, infinite or beyond the last bin: `add` then takes both passes.
   */
  private addCovered(values: ArrayLike<number>): boolean {
    const binned = this.binCovered(values, true);
    if (!binned) return false;
    // Every |v| / stride < half: the range needs no new bin.
    this.addRange(binned.lo, binned.hi, values.length);
    this.commit(binned.both);
    return true;
  }

  /**
   * One pass without extremes to track: the bins first grow to cover the given extremes, as
   * addRange would make them (growth keeps counts exact, so a batch that then fails to bin
   * loses nothing: `add` takes it from the start). False where an extreme is not finite, or all
   * values are zero (no stride yet).
   */
  private addWithExtremes(values: ArrayLike<number>, e: Extremes): boolean {
    const amax = Math.max(Math.abs(e.min), Math.abs(e.max));
    if (!Number.isFinite(amax) || amax === 0) return false;
    this.cover(amax);
    const binned = this.binCovered(values, false);
    if (!binned) return false;
    this.addRange(e.min, e.max, values.length);
    this.commit(binned.both);
    return true;
  }

  /**
   * Counts a batch into both sides of the current bins (negative ones reversed below the
   * positive ones, as `add`), with the same `|v| / stride` as `add`'s second pass, and its
   * extremes where `track`. Undefined at the first value that is NaN, infinite or beyond the last bin.
   */
  private binCovered(values: ArrayLike<number>, track: boolean): { both: Int32Array; lo: number; hi: number } | undefined {
    const width = 2 * this.half;
    const lanes = binInLanes(values, this.stride, this.half, this.signed, track);
    if (!lanes) return undefined;
    const both = new Int32Array(width);
    const c = lanes.counts;
    for (let k = 0; k < width; k++) both[k] = c[k]! + c[width + k]! + c[2 * width + k]! + c[3 * width + k]!;
    return { both, lo: lanes.lo, hi: lanes.hi };
  }

  private commit(both: Int32Array): void {
    const half = this.half;
    const last = half - 1;
    for (let k = 0; k < half; k++) {
      this.positive[k]! += both[half + k]!;
      this.negative[k]! += both[last - k]!;
    }
  }

  /**
   * Takes one batch's extremes and counts as `add` does before binning (the bins grow the same
   * way); true when the batch's values are still to be counted in the bins. The in-graph
   * calibration path calls it per sample with extremes onnxruntime computed.
   */
  addRange(lo: number, hi: number, finite: number, nonFinite = 0): boolean {
    this.nonFinite += nonFinite;
    if (finite === 0) return false;
    if (lo < this.min) this.min = lo;
    if (hi > this.max) this.max = hi;
    this.count += finite;
    if (!this.histogram) return false;
    this.cover(Math.max(Math.abs(lo), Math.abs(hi)));
    if (this.stride === 0) {
      this.pendingZeros += finite;
      return false;
    }
    return true;
  }

  /**
   * Counts `uncounted` values of which only the largest magnitudes are known (`top`, at least
   * floor((1 - p)·count) + 1 of them for percentile p): those go to their bins, the rest to
   * bin 0. The cumulative counts from the bin of the smallest given magnitude upward equal a
   * full histogram's, so a symmetric Percentile range chosen from it is exact; Entropy, which
   * reads every bin, must not use it.
   */
  addTopMagnitudes(top: ArrayLike<number>, uncounted: number): void {
    if (this.stride === 0 || uncounted === 0) return;
    const last = this.half - 1;
    for (let i = 0; i < top.length; i++) {
      const k = Math.floor(Math.abs(top[i]!) / this.stride);
      this.positive[k > last ? last : k]!++;
    }
    this.positive[0]! += uncounted - top.length;
  }

  /** Makes the bins reach past `amax` (every |x| <= amax gets floor(|x|/stride) < half). */
  private cover(amax: number): void {
    if (amax === 0) return;
    if (this.stride === 0) {
      // Slightly wider than amax/bins so that amax itself falls inside the last bin.
      this.stride = (amax / this.binsPerSide) * (1 + 2 ** -20);
      const half = Math.floor(amax / this.stride) + 1;
      this.positive = new Float64Array(half);
      this.negative = new Float64Array(half);
      this.positive[0] = this.pendingZeros;
      this.pendingZeros = 0;
      return;
    }
    let need = Math.floor(amax / this.stride) + 1;
    if (need <= this.half) return;
    let pos = this.positive;
    let neg = this.negative;
    while (need > 2 * this.binsPerSide) {
      pos = mergePairs(pos);
      neg = mergePairs(neg);
      this.stride *= 2;
      need = Math.floor(amax / this.stride) + 1;
    }
    this.positive = grown(pos, Math.max(need, pos.length));
    this.negative = grown(neg, Math.max(need, neg.length));
  }

  /** Adds another histogram's counts (another process, another batch of samples). */
  merge(other: TensorHistogram): void {
    if (other.count === 0 && other.nonFinite === 0) return;
    if (this.histogram && other.histogram && other.stride > this.stride) {
      // Re-bin into the coarser of the two: take other's state, then fold ours into it.
      const mine = this.clone();
      this.copyFrom(other);
      this.mergeCounts(mine);
      return;
    }
    this.mergeCounts(other);
  }

  private mergeCounts(other: TensorHistogram): void {
    this.signed &&= other.signed;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    this.count += other.count;
    this.nonFinite += other.nonFinite;
    if (!this.histogram || !other.histogram) return;
    this.cover(other.absMax);
    if (this.stride === 0) {
      this.pendingZeros += other.pendingZeros;
      return;
    }
    this.positive[0]! += other.pendingZeros;
    // Each of other's bins goes where its centre falls: exact when strides differ by 2^k.
    const last = this.half - 1;
    for (let k = 0; k < other.half; k++) {
      const at = Math.min(Math.floor(((k + 0.5) * other.stride) / this.stride), last);
      this.positive[at]! += other.positive[k]!;
      this.negative[at]! += other.negative[k]!;
    }
  }

  private clone(): TensorHistogram {
    return TensorHistogram.fromJSON(this.toJSON(), this.binsPerSide, this.histogram, this.signed);
  }

  private copyFrom(o: TensorHistogram): void {
    this.signed &&= o.signed;
    this.min = o.min;
    this.max = o.max;
    this.count = o.count;
    this.nonFinite = o.nonFinite;
    this.stride = o.stride;
    this.pendingZeros = o.pendingZeros;
    this.positive = o.positive.slice();
    this.negative = o.negative.slice();
  }

  /** Counts of |x| per bin [k·stride, (k+1)·stride): both sides folded. */
  absoluteCounts(): Float64Array {
    const out = new Float64Array(this.half);
    for (let k = 0; k < out.length; k++) out[k] = this.positive[k]! + this.negative[k]!;
    return out;
  }

  toJSON(): HistogramJSON {
    return {
      min: this.min,
      max: this.max,
      count: this.count,
      nonFinite: this.nonFinite,
      stride: this.stride,
      pendingZeros: this.pendingZeros,
      positive: Array.from(this.positive),
      negative: Array.from(this.negative),
    };
  }

  static fromJSON(json: HistogramJSON, binsPerSide = DEFAULT_BINS_PER_SIDE, histogram = true, signed = true): TensorHistogram {
    const h = new TensorHistogram(binsPerSide, histogram, signed);
    // JSON writes ±Infinity as null: an empty histogram comes back as one.
    h.min = json.min ?? Infinity;
    h.max = json.max ?? -Infinity;
    h.count = json.count;
    h.nonFinite = json.nonFinite ?? 0;
    h.stride = json.stride;
    h.pendingZeros = json.pendingZeros ?? 0;
    if (json.positive.length !== json.negative.length) throw new Error('activation histogram: positive and negative sides differ in length');
    h.positive = Float64Array.from(json.positive);
    h.negative = Float64Array.from(json.negative);
    return h;
  }
}

/**
 * The binning loop: four values at a time, each into its own copy of the bins (lane i % 4).
 * Activations pile up in a few bins (a ReLU's zeros, a narrow peak), and one array would make
 * each increment wait for the previous one to the same bin; four lanes cut that chain (PP-OCR
 * det's activations: 2.3 → 1.7 ns a value). Two running extremes per side where `track`, for
 * the same reason. Lane counts of 2·half bins each, negative ones reversed below the positive
 * ones; undefined at the first value whose |v| / stride is NaN, infinite or not below `half`.
 */
function binInLanes(values: ArrayLike<number>, stride: number, half: number, signed: boolean, track: boolean): { counts: Int32Array; lo: number; hi: number } | undefined {
  const n = values.length;
  const width = 2 * half;
  const counts = new Int32Array(4 * width);
  // A value of bin k lands at half + k (magnitudes, and values >= 0) or half - 1 - k (values < 0).
  let lo0 = Infinity;
  let hi0 = -Infinity;
  let lo1 = Infinity;
  let hi1 = -Infinity;
  let i = 0;
  // Two copies of the loop: the sign costs a third of the time where it is not needed.
  if (signed) {
    for (; i + 4 <= n; i += 4) {
      const a = values[i]!;
      const b = values[i + 1]!;
      const c = values[i + 2]!;
      const d = values[i + 3]!;
      const qa = Math.abs(a) / stride;
      const qb = Math.abs(b) / stride;
      const qc = Math.abs(c) / stride;
      const qd = Math.abs(d) / stride;
      // NaN, ±Inf and |v| past the bins all fail this one test.
      if (!(qa < half && qb < half && qc < half && qd < half)) return undefined;
      if (track) {
        // Math.min/max, not branches: V8 compiles these compares several times faster.
        lo0 = Math.min(lo0, a);
        hi0 = Math.max(hi0, a);
        lo1 = Math.min(lo1, b);
        hi1 = Math.max(hi1, b);
        lo0 = Math.min(lo0, c);
        hi0 = Math.max(hi0, c);
        lo1 = Math.min(lo1, d);
        hi1 = Math.max(hi1, d);
      }
      const ka = qa | 0;
      const kb = qb | 0;
      const kc = qc | 0;
      const kd = qd | 0;
      counts[half + ka - (((a < 0) as unknown as number) | 0) * (2 * ka + 1)]!++;
      counts[width + half + kb - (((b < 0) as unknown as number) | 0) * (2 * kb + 1)]!++;
      counts[2 * width + half + kc - (((c < 0) as unknown as number) | 0) * (2 * kc + 1)]!++;
      counts[3 * width + half + kd - (((d < 0) as unknown as number) | 0) * (2 * kd + 1)]!++;
    }
  } else {
    for (; i + 4 <= n; i += 4) {
      const a = values[i]!;
      const b = values[i + 1]!;
      const c = values[i + 2]!;
      const d = values[i + 3]!;
      const qa = Math.abs(a) / stride;
      const qb = Math.abs(b) / stride;
      const qc = Math.abs(c) / stride;
      const qd = Math.abs(d) / stride;
      if (!(qa < half && qb < half && qc < half && qd < half)) return undefined;
      if (track) {
        lo0 = Math.min(lo0, a);
        hi0 = Math.max(hi0, a);
        lo1 = Math.min(lo1, b);
        hi1 = Math.max(hi1, b);
        lo0 = Math.min(lo0, c);
        hi0 = Math.max(hi0, c);
        lo1 = Math.min(lo1, d);
        hi1 = Math.max(hi1, d);
      }
      counts[half + (qa | 0)]!++;
      counts[width + half + (qb | 0)]!++;
      counts[2 * width + half + (qc | 0)]!++;
      counts[3 * width + half + (qd | 0)]!++;
    }
  }
  const sign = signed ? 1 : 0;
  for (; i < n; i++) {
    const v = values[i]!;
    const q = Math.abs(v) / stride;
    if (!(q < half)) return undefined;
    if (track) {
      lo0 = Math.min(lo0, v);
      hi0 = Math.max(hi0, v);
    }
    const k = q | 0;
    counts[half + k - (((v < 0) as unknown as number) & sign) * (2 * k + 1)]!++;
  }
  return { counts, lo: Math.min(lo0, lo1), hi: Math.max(hi0, hi1) };
}

function mergePairs(counts: Float64Array): Float64Array {
  const out = new Float64Array(Math.ceil(counts.length / 2));
  for (let k = 0; k < counts.length; k++) out[k >> 1]! += counts[k]!;
  return out;
}

function grown(counts: Float64Array, length: number): Float64Array {
  if (length === counts.length) return counts;
  const out = new Float64Array(length);
  out.set(counts);
  return out;
}

export interface ActivationStatsOptions {
  /** Histogram bins per side to start with (default 1024; kept between this and twice this). */
  binsPerSide?: number;
  /** false: min/max only, enough for MinMax calibration and cheaper (default true). */
  histograms?: boolean;
  /** false: histograms of |x| only, enough for Entropy and symmetric Percentile and cheaper (default true). */
  signed?: boolean;
}

/**
 * Statistics of many values, by name: what the runtime child collects during calibration
 * (`add` per value per sample), sends back as `toJSON()`, and the parent reads with `fromJSON`.
 */
export class ActivationStats {
  readonly tensors = new Map<string, TensorHistogram>();
  readonly binsPerSide: number;
  readonly histograms: boolean;
  readonly signed: boolean;

  constructor(options: ActivationStatsOptions = {}) {
    this.binsPerSide = options.binsPerSide ?? DEFAULT_BINS_PER_SIDE;
    this.histograms = options.histograms ?? true;
    this.signed = options.signed ?? true;
    if (!Number.isInteger(this.binsPerSide) || this.binsPerSide < 1) throw new RangeError(`binsPerSide ${this.binsPerSide} is not a positive integer`);
  }

  /** `extremes`: the batch's min and max where onnxruntime computed them (a cheaper pass). */
  add(name: string, values: ArrayLike<number>, extremes?: Extremes): void {
    let h = this.tensors.get(name);
    if (!h) this.tensors.set(name, (h = new TensorHistogram(this.binsPerSide, this.histograms, this.signed)));
    h.add(values, extremes);
  }

  get(name: string): TensorHistogram | undefined {
    return this.tensors.get(name);
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }

  merge(other: ActivationStats): void {
    for (const [name, h] of other.tensors) {
      const mine = this.tensors.get(name);
      if (mine) mine.merge(h);
      else this.tensors.set(name, TensorHistogram.fromJSON(h.toJSON(), this.binsPerSide, this.histograms && h.histogram, h.signed));
    }
  }

  toJSON(): ActivationStatsJSON {
    const tensors: Record<string, HistogramJSON> = {};
    for (const [name, h] of this.tensors) tensors[name] = h.toJSON();
    // A merged-in histogram of magnitudes makes the whole set one of magnitudes.
    const signed = this.signed && [...this.tensors.values()].every((h) => h.signed);
    return { binsPerSide: this.binsPerSide, histograms: this.histograms, signed, tensors };
  }

  static fromJSON(json: ActivationStatsJSON): ActivationStats {
    const signed = json.signed ?? true;
    const stats = new ActivationStats({ binsPerSide: json.binsPerSide, histograms: json.histograms, signed });
    for (const [name, h] of Object.entries(json.tensors)) stats.tensors.set(name, TensorHistogram.fromJSON(h, json.binsPerSide, json.histograms, signed));
    return stats;
  }
}
