import type { LatencyFigures, OutputAccuracy } from './types';
import type { PassLimits } from './batches';
import type { WireError } from './errors';
import type { FeedTensor, Feeds, Sample, SessionSettings } from './types';

/** Messages between RuntimeClient and the runtime child (dist/runtime-worker.js), over Node's IPC channel with 'advanced' serialization. */

/** What runs inside the child per (sample, value name) in an intermediates request. */
export type JobSpec =
  /** Ranges of each value (ActivationStats); result: the stats' JSON. */
  | { kind: 'collectStats'; options?: Record<string, unknown> }
  /**
   * Per-value error of `candidateModel` against the model of the request (float vs quantized),
   * over the same samples; `candidateNames` maps a reference name to the candidate's name for
   * the same value where they differ. Result: Record<name, ValueAccuracy>.
   */
  | { kind: 'compareWith'; candidateModel: string; candidateNames?: Record<string, string> };

/** What calibration collects (src/runtime/child/calibration-stats.ts); the result is ActivationStats' JSON. */
export interface CalibrationStatsSpec {
  method: 'minmax' | 'entropy' | 'percentile';
  /** Ranges symmetric around zero (what a symmetric Percentile reads: magnitudes only). */
  symmetric: boolean;
  /** The Percentile method's percentile (of |x|). */
  percentile: number;
  binsPerSide?: number;
  /** Values whose per-channel mean (ReduceMean over `axes`, averaged over the samples) comes back too: bias correction's input. */
  means?: { name: string; axes: number[] }[];
}

/** Cosine/SNR/max-abs of one intermediate value over the samples (worst and mean, as for outputs). */
export type ValueAccuracy = Omit<OutputAccuracy, 'top1Agreement'>;

export interface ValueMetadata {
  name: string;
  /** onnxruntime's type name (`float32`), or undefined for non-tensors. */
  type?: string;
  dims?: (number | string)[];
}

export interface OpenResult {
  session: number;
  inputs: ValueMetadata[];
  outputs: ValueMetadata[];
}

export interface LatencyResult extends LatencyFigures {
  timesMs: number[];
}

export interface IntermediatesResult<R = unknown> {
  /** The job's result. */
  result: R;
  /** Requested names that could not be fetched, with why. */
  unavailable: { name: string; why: string }[];
  /** The names fetched in each pass (one session per pass), within the pass limits. */
  passes: string[][];
}

export type Request =
  | { op: 'open'; modelPath: string; settings: SessionSettings }
  | { op: 'run'; session: number; feeds: Feeds; outputNames?: string[] }
  | { op: 'latency'; session: number; feeds: Feeds; warmup: number; runs: number }
  | { op: 'release'; session: number }
  | { op: 'compareOutputs'; reference: string; candidate: string; samples: Sample[]; settings: SessionSettings }
  | { op: 'intermediates'; modelPath: string; names: string[]; samples: Sample[]; settings: SessionSettings; limits: PassLimits; job: JobSpec }
  | { op: 'calibrationStats'; modelPath: string; names: string[]; samples: Sample[]; settings: SessionSettings; limits: PassLimits; spec: CalibrationStatsSpec }
  | ProfileRequest;

/**
 * A profiled session (src/runtime/child/profile-run.ts): ORT's profiling on, the optimized graph
 * saved, `warmup` + `runs` runs cycling through the samples. ORT writes into `folder` (a temp
 * folder the parent made and removes).
 */
export interface ProfileRequest {
  op: 'profile';
  modelPath: string;
  samples: Sample[];
  settings: SessionSettings;
  warmup: number;
  runs: number;
  folder: string;
}

export interface ProfileRunResult {
  /** ORT's profiling JSON, in the request's folder. */
  profileFile: string;
  /** The graph ORT ran, as it saved it (`optimizedModelFilePath`). */
  optimizedModelFile: string;
  /** onnxruntime-node's version. */
  ortVersion: string;
}

export interface ResultOf {
  open: OpenResult;
  run: Record<string, FeedTensor>;
  latency: LatencyResult;
  release: null;
  compareOutputs: OutputAccuracy[];
  intermediates: IntermediatesResult;
  calibrationStats: IntermediatesResult;
  profile: ProfileRunResult;
}

export interface Progress {
  done: number;
  total: number;
  what: string;
}

export type ParentMessage = { id: number; request: Request };
export type ChildMessage =
  | { ready: true }
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; error: WireError }
  | { id: number; progress: Progress };
