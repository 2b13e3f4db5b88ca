import { resolve } from 'node:path';
import type { Model } from '../../onnx/model/graph';
import { ProfileFormatError } from '../errors';
import type { ProfileReader } from '../reader';
import { buildOrtProfile } from './build-profile';
import { namePlacer } from './placement';
import { looksLikeOrtTrace, readOrtTrace } from './read-trace';

/**
 * `profile --import` of an ONNX Runtime profiling JSON: without the optimized model ORT ran,
 * events map by node names, and the first of several runs is taken as warm-up (both said in
 * the profile's warnings).
 */
export const onnxRuntimeReader: ProfileReader = {
  tool: 'onnxruntime',
  claims: (files) => files.length > 0 && files.every((f) => looksLikeOrtTrace(f.head)),
  read: async (files: readonly string[], model: Model) => {
    if (files.length !== 1) throw new ProfileFormatError(`${files.join(', ')}: one ONNX Runtime profile at a time (each file is a separate session's profile)`, files[1]!);
    const path = resolve(files[0]!);
    const trace = readOrtTrace(path);
    return buildOrtProfile(trace, namePlacer(model), { source: { tool: 'onnxruntime', files: [path], settings: {} } });
  },
};
