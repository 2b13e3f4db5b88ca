// The profile of a finished `onnx-studio build --profile` (or "Build TensorRT Engine…" with
// profiling): the layer info, profile and times trtexec exported beside the model.
import type { Model } from '../../onnx/model/graph';
import type { EngineOutputs } from '../../toolchains/trtexec-build';
import { ProfileFormatError } from '../errors';
import type { LayerProfile } from '../layer-profile';
import { readTrtexecProfile } from './reader';

/**
 * Reads the profiling exports of a build (`EngineBuildResult.outputs`) and maps them onto
 * `model`, the ONNX model the engine was built from. Throws ProfileFormatError when the build
 * wrote no profile (built without --profile, or inference was skipped).
 */
export function readBuildProfile(outputs: Partial<EngineOutputs>, model: Model): LayerProfile {
  if (!outputs.profile) {
    const where = outputs.engine ?? outputs.log ?? 'the build';
    throw new ProfileFormatError(`${where}: the build exported no per-layer profile (build with --profile)`, where);
  }
  const files = [outputs.layers, outputs.profile, outputs.times].filter((f): f is string => !!f);
  const kinds = [outputs.layers && 'layers', 'profile', outputs.times && 'times'].filter((k): k is 'layers' | 'profile' | 'times' => !!k);
  return readTrtexecProfile(files, model, kinds);
}
