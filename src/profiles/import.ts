import { openDataFile } from '../onnx/io/data-files';
import type { Model } from '../onnx/model/graph';
import { ProfileFormatError } from './errors';
import type { LayerProfile } from './layer-profile';
import { nsysReader } from './nsys/reader';
import { onnxRuntimeReader } from './onnxruntime/reader';
import type { FileHead, ProfileReader } from './reader';
import { trtexecReader } from './trtexec/reader';

/** Every tool's reader, asked in this order; the first that claims the files reads them. */
const READERS: readonly ProfileReader[] = [onnxRuntimeReader, trtexecReader, nsysReader];

const HEAD_BYTES = 64 * 1024;

/**
 * `profile --import` and "Load Profile…": recognizes the files' format from their first bytes
 * and maps the profile onto `model`. Files no reader claims get one message naming what is read.
 */
export async function importProfile(files: readonly string[], model: Model): Promise<LayerProfile> {
  if (files.length === 0) throw new RangeError('no profile file given');
  const heads = files.map(fileHead);
  const reader = READERS.find((r) => r.claims(heads));
  if (!reader) {
    throw new ProfileFormatError(
      `${files.join(', ')}: not a profile ONNX Studio reads (ONNX Runtime profiling JSON; trtexec --exportLayerInfo, --exportProfile, --exportTimes JSON or its log; nsys stats CSV/JSON; nsys export SQLite)`,
      files[0]!,
    );
  }
  return reader.read(files, model);
}

function fileHead(path: string): FileHead {
  const source = openDataFile(path);
  try {
    return { path, size: source.size, head: source.read(0, Math.min(source.size, HEAD_BYTES)) };
  } finally {
    source.close();
  }
}
