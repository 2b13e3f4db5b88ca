import type { Extremes } from '../activation-stats';
import type { JobSpec } from '../protocol';
import { collectStatsJob } from './collect-stats';
import { compareWithJob } from './compare-with';

/**
 * A consumer of intermediate values that runs inside the runtime child: activations never
 * cross the IPC channel, only `result()` does.
 */
export interface IntermediateJob {
  /**
   * The reference model's value of `name` for one sample, and the candidate's for two-model
   * jobs; `extremes` where onnxruntime computed them beside the value (IntermediatesRequest.extremes).
   */
  consume(sampleId: string, name: string, values: Float32Array, candidate?: Float32Array, extremes?: Extremes): void;
  /** Small, structured-clonable. */
  result(): unknown;
  /** Called after each sample's values (a job that works on another thread hands them over here). */
  endSample?(): Promise<void>;
  /** Called once before `result`. */
  finish?(): Promise<void>;
}

export function makeJob(spec: JobSpec): IntermediateJob {
  switch (spec.kind) {
    case 'collectStats':
      return collectStatsJob(spec.options);
    case 'compareWith':
      return compareWithJob();
  }
}
