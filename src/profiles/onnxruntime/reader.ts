import { resolve } from 'node:path';
import type { Model } from '../../onnx/model/graph';
import { openModel } from '../../onnx/open';
import { ProfileFormatError } from '../errors';
import type { FileHead, ProfileReader } from '../reader';
import { buildOrtProfile } from './build-profile';
import { OptimizedModelMap } from './optimized-map';
import { namePlacer, optimizedPlacer } from './placement';
import { looksLikeOrtTrace, readOrtTrace } from './read-trace';

/**
 * `profile --import` of an ONNX Runtime profiling JSON, optionally followed by the optimized
 * model ORT saved for that session (`optimizedModelFilePath`): with it, fused and inserted
 * nodes map back as in a run made here; without it, events map by node names (said in the
 * warnings). The first of several runs is taken as warm-up (said too).
 */
export const onnxRuntimeReader: ProfileReader = {
  tool: 'onnxruntime',
  claims: (files) => files.length >= 1 && files.length <= 2 && looksLikeOrtTrace(files[0]!.head) && files.slice(1).every((f) => !looksLikeText(f)),
  read: async (files: readonly string[], model: Model) => {
    const path = resolve(files[0]!);
    const trace = readOrtTrace(path);
    const source = { tool: 'onnxruntime' as const, files: files.map((f) => resolve(f)), settings: {} };
    if (files.length === 1) return buildOrtProfile(trace, namePlacer(model), { source });
    const optimized = openOptimized(resolve(files[1]!));
    try {
      return buildOrtProfile(trace, optimizedPlacer(new OptimizedModelMap(optimized, model), trace), { source });
    } finally {
      optimized.close();
    }
  },
};

function openOptimized(path: string): Model {
  try {
    return openModel(path);
  } catch (e) {
    throw new ProfileFormatError(`${path}: not the optimized ONNX model ORT saved (${(e as Error).message})`, path);
  }
}

/** JSON or CSV: another tool's file, not a saved ONNX model. */
function looksLikeText(f: FileHead): boolean {
  const start = new TextDecoder('utf-8', { fatal: false }).decode(f.head.subarray(0, 64)).trimStart();
  return start.startsWith('{') || start.startsWith('[') || /^[\w"]+[,;]/.test(start);
}
