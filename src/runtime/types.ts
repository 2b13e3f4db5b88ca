/**
 * The runtime contract (issue 8, point 2): what file readers and synthesis produce and what
 * the child-process runtime takes. Plain data only, so it crosses the IPC channel unchanged
 * (typed arrays survive Node's 'advanced' serialization).
 */

/** A typed array holding one tensor's elements in row-major order. */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/**
 * One input tensor. `dtype` is TensorProto.DataType (1 float, 7 int64, 9 bool, 10 float16, ...);
 * float16 travels as its raw bits in a Uint16Array, bool as a Uint8Array of 0/1.
 */
export interface FeedTensor {
  dtype: number;
  dims: number[];
  data: TensorData;
}

/** Graph input name → tensor. */
export type Feeds = Record<string, FeedTensor>;

/** One sample: every graph input of the model, and where it came from (file name, `synth:0`). */
export interface Sample {
  id: string;
  feeds: Feeds;
}

/** Session options kept the same before and after a transform so figures compare. */
export interface SessionSettings {
  /** intraOpNumThreads (and interOp); default 1 for stable numbers. */
  threads?: number;
  /** graphOptimizationLevel; default 'all'. */
  optimization?: 'disabled' | 'basic' | 'extended' | 'all';
}

/** One model output compared with the reference over the samples (the transform report's `outputs`). */
export interface OutputAccuracy {
  name: string;
  /** Worst sample's cosine similarity (what targets are compared with). */
  cosine: number;
  meanCosine: number;
  /** Worst sample's signal-to-noise ratio in dB (Infinity when identical; JSON writes it as null). */
  snrDb: number;
  meanSnrDb: number;
  maxAbsError: number;
  /**
   * Samples left out of cosine and SNR because both outputs are flat (RMS below 1/1000 of the
   * median reference sample's: cosine is then rounding noise around zero); absent when none.
   */
  flatSamples?: number;
  /**
   * Integer and bool outputs only (class ids, masks): the share of elements equal in both
   * models. Cosine targets leave these outputs out (see cosineJudged).
   */
  exactMatch?: number;
  /** Share of samples whose arg-max agrees, for classifier-like outputs (last dim > 1). */
  top1Agreement?: number;
}

export interface LatencyFigures {
  median: number;
  p90: number;
}
