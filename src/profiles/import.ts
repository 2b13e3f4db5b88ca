import type { Model } from '../onnx/model/graph';
import { ProfileFormatError } from './errors';
import type { LayerProfile } from './layer-profile';
import { nsysReader } from './nsys/reader';
import { onnxRuntimeReader } from './onnxruntime/reader';
import { readFileHead, type ProfileReader } from './reader';
import { trtexecReader } from './trtexec/reader';

/** Every tool's reader, asked in this order; the first that claims the files reads them. */
const READERS: readonly ProfileReader[] = [onnxRuntimeReader, trtexecReader, nsysReader];

/**
 * `profile --import` and "Load Profile…": recognizes the files' format from their first bytes
 * and maps the profile onto `model`. Files no reader claims get one message naming what is read.
 */
export async function importProfile(files: readonly string[], model: Model): Promise<LayerProfile> {
  if (files.length === 0) throw new RangeError('no profile file given');
  const heads = files.map(readFileHead);
  const reader = READERS.find((r) => r.claims(heads));
  if (!reader) {
    // Each file a profile by itself (two ORT traces, an ORT trace beside trtexec files): say so, not "not a profile".
    const alone = files.length > 1 ? heads.map((h) => READERS.find((r) => r.claims([h]))?.tool) : [];
    if (alone.length > 0 && alone.every((t) => t !== undefined)) {
      throw new ProfileFormatError(
        `${files.join(', ')}: profiles (${alone.join(', ')}) that are not one run's files: give one ONNX Runtime profile (and the optimized model ORT saved), the files of one trtexec run, or one nsys export or its stats reports`,
        files[1]!,
      );
    }
    throw new ProfileFormatError(
      `${files.join(', ')}: not a profile ONNX Studio reads (ONNX Runtime profiling JSON; trtexec --exportLayerInfo, --exportProfile, --exportTimes JSON or its log; nsys stats CSV/JSON; nsys export SQLite)`,
      files[0]!,
    );
  }
  return reader.read(files, model);
}
