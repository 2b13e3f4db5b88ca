// Recognizes trtexec's output files from their first bytes, so `profile --import` and "Load
// Profile…" can take them in any order and together.
import type { FileHead } from '../reader';

export type TrtexecFileKind =
  /** --exportLayerInfo */
  | 'layers'
  /** --exportProfile */
  | 'profile'
  /** --exportTimes */
  | 'times'
  /** trtexec's console output */
  | 'log'
  /** TREx's metadata JSON made from trtexec logs (build/profile metadata, device properties) */
  | 'metadata';

export const KIND_NAMES: Record<TrtexecFileKind, string> = {
  layers: '--exportLayerInfo file',
  profile: '--exportProfile file',
  times: '--exportTimes file',
  log: 'log',
  metadata: 'TREx metadata file',
};

export function trtexecFileKind(file: FileHead): TrtexecFileKind | undefined {
  const text = new TextDecoder('utf-8').decode(file.head.subarray(0, 16 * 1024)).replace(/^\uFEFF/, '');
  const start = text.trimStart();
  if (start.startsWith('{')) {
    if (/^\{\s*"Layers"\s*:/.test(start)) return 'layers';
    if (/^\{\s*"(performance_summary|model_options|build_options|inference_options|device_information)"\s*:/.test(start)) return 'metadata';
    return undefined;
  }
  if (start.startsWith('[')) {
    if (/^\[\s*\{\s*"count"\s*:\s*\d+\s*\}/.test(start) || /^\[\s*\{\s*"name"\s*:[^{}]*"timeMs"\s*:/.test(start)) return 'profile';
    if (/^\[\s*\{\s*"startEnqMs"\s*:/.test(start)) return 'times';
    if (/^\[\s*\{\s*"Name"\s*:[^{}]*"ComputeCapability"/.test(start)) return 'metadata';
    return undefined;
  }
  if (/^&&&& RUNNING TensorRT\.trtexec/m.test(text) || /\[I\] === (Model Options|Profile \(\d+ iterations)/.test(text)) return 'log';
  return undefined;
}
