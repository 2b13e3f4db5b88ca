import { resolve } from 'node:path';
import type { Model } from '../../onnx/model/graph';
import { openModel } from '../../onnx/open';
import { ProfileFormatError } from '../errors';
import { readFileHead, type FileHead, type ProfileReader } from '../reader';
import { buildOrtProfile } from './build-profile';
import { OptimizedModelMap } from './optimized-map';
import { namePlacer, optimizedPlacer } from './placement';
import { looksLikeOrtTrace, readOrtTrace } from './read-trace';

/**
 * `profile --import` of an ONNX Runtime profiling JSON, optionally with the optimized model ORT
 * saved for that session (`optimizedModelFilePath`), in either order: with it, fused and
 * inserted nodes map back as in a run made here; without it, events map by node names (said in
 * the warnings). The first of several runs is taken as warm-up (said too).
 */
export const onnxRuntimeReader: ProfileReader = {
  tool: 'onnxruntime',
  claims: (files) => traceFirst(files) !== undefined,
  read: async (files: readonly string[], model: Model) => {
    // A file dialog gives the two files in its own order.
    const ordered = (traceFirst(files.map(readFileHead)) ?? files).map((f) => resolve(f));
    const [path, optimizedPath] = ordered;
    const trace = readOrtTrace(path!);
    // The trace first: messages about the times name source.files[0].
    const source = { tool: 'onnxruntime' as const, files: ordered, settings: {} };
    if (optimizedPath === undefined) return buildOrtProfile(trace, namePlacer(model), { source });
    const optimized = openOptimized(resolve(optimizedPath));
    try {
      const through = buildOrtProfile(trace, optimizedPlacer(new OptimizedModelMap(optimized, model), trace), { source });
      // The user's own model given in its place (or another session's) maps worse than names do: say so and use names.
      const byNames = buildOrtProfile(trace, namePlacer(model), { source });
      if (byNames.mappedShare <= through.mappedShare) return through;
      const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
      byNames.warnings.unshift(
        `${optimizedPath} does not look like the optimized model ORT saved for this trace (${pct(through.mappedShare)} of the time maps through it, ${pct(byNames.mappedShare)} by node names): mapped by names`,
      );
      return byNames;
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

/** The trace's path, then the optimized model's if given: one ORT trace and at most one file that is not text, in either order. */
function traceFirst(files: readonly FileHead[]): string[] | undefined {
  if (files.length < 1 || files.length > 2) return undefined;
  const trace = files.findIndex((f) => looksLikeOrtTrace(f.head));
  if (trace < 0 || files.some((f, i) => i !== trace && looksLikeText(f))) return undefined;
  return [files[trace]!.path, ...files.filter((_, i) => i !== trace).map((f) => f.path)];
}

/** JSON or CSV: another tool's file, not a saved ONNX model. */
function looksLikeText(f: FileHead): boolean {
  const start = new TextDecoder('utf-8', { fatal: false }).decode(f.head.subarray(0, 64)).trimStart();
  return start.startsWith('{') || start.startsWith('[') || /^[\w"]+[,;]/.test(start);
}
