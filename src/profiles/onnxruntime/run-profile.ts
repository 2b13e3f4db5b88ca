import type { Model } from '../../onnx/model/graph';
import { openModel } from '../../onnx/open';
import type { LayerProfile } from '../layer-profile';
import { buildOrtProfile } from './build-profile';
import { OptimizedModelMap } from './optimized-map';
import { optimizedPlacer } from './placement';
import { readOrtTrace } from './read-trace';

/** What a profiled ORT session left: its trace, the graph it ran, and how it ran. */
export interface OrtRunFiles {
  profileFile: string;
  optimizedModelFile: string;
  ortVersion?: string;
  warmup: number;
  settings: Record<string, string | number | boolean>;
}

/**
 * The profile of a run made here (RuntimeClient.profile): events placed on the optimized model
 * ORT saved and charged back to `original`'s nodes; the warm-up runs are known. The files are
 * temporary, so the profile names none.
 */
export function ortRunProfile(run: OrtRunFiles, original: Model): LayerProfile {
  const trace = readOrtTrace(run.profileFile);
  const optimized = openModel(run.optimizedModelFile);
  try {
    const map = new OptimizedModelMap(optimized, original);
    return buildOrtProfile(trace, optimizedPlacer(map, trace), {
      warmup: run.warmup,
      source: { tool: 'onnxruntime', ...(run.ortVersion ? { version: run.ortVersion } : {}), files: [], device: 'CPU', settings: run.settings },
    });
  } finally {
    optimized.close();
  }
}
