import { basename, dirname, join } from 'node:path';
import { rawByteLength } from '../dtypes';
import { encodedModelSize, encodeModel } from '../open';
import { ByteRange } from '../proto/byte-range';
import type { ModelProto, TensorProto } from '../proto/types';
import { Tensor } from '../tensor';
import { allTensors } from '../text/weights';
import type { ModelFiles } from './model-files';
import { checkWritable, removeFileQuietly, writeFileAtomic, type ProtectedFile } from './write-file';

/** The most one protobuf message (an .onnx file) can hold, less room for the graph around the weights. */
const MAX_SINGLE_FILE = 2 ** 31 - 1 - 64 * 1024 * 1024;
/** Tensors smaller than this stay in the model even when weights go to a data file. */
const EXTERNAL_MIN_BYTES = 1024;
/** Data-file offsets are aligned so that readers can map tensors in place. */
const ALIGN = 4096;

export interface WriteModelOptions {
  /** Files the output must not replace: the input model and its data files (see modelAndDataFiles). */
  protect: readonly ProtectedFile[];
  cancelled?: () => boolean;
  /** Bytes above which the weights go to `<output>.data` (tests lower it; default just under 2 GiB). */
  singleFileLimit?: number;
}

export interface WrittenModel {
  path: string;
  /** The external data file written beside it, when the model would not fit one file. */
  dataPath?: string;
  bytes: number;
}

/**
 * Writes a transformed model (DESIGN.md §2b) through the one atomic writer. The output stands
 * alone: tensors the input kept in external files are streamed into it from there. When it
 * would pass 2 GiB, its larger tensors go to one data file beside it (`<name>.data`, written
 * first, removed again if the model cannot be written). Computed tensors are produced while
 * they are streamed.
 */
export function writeModel(proto: ModelProto, inputFiles: ModelFiles | undefined, target: string, options: WriteModelOptions): WrittenModel {
  inlineExternalLazily(proto, inputFiles);
  const limit = options.singleFileLimit ?? MAX_SINGLE_FILE;
  let dataPath: string | undefined;
  let dataBytes = 0;
  if (encodedModelSize(proto) > limit) {
    dataPath = join(dirname(target), `${basename(target)}.data`);
    checkWritable(target, options.protect);
    dataBytes = writeDataFile(proto, dataPath, limit, options);
  }
  try {
    let bytes = 0;
    writeFileAtomic(target, (sink) => encodeModel(proto, { write: (c) => ((bytes += c.length), sink.write(c)) }), {
      protect: [...options.protect, ...(dataPath ? [{ path: dataPath, why: 'the output refers to it' }] : [])],
      cancelled: options.cancelled,
    });
    return { path: target, dataPath, bytes: bytes + dataBytes };
  } catch (e) {
    if (dataPath) removeFileQuietly(dataPath);
    throw e;
  }
}

/** Removes a model written by writeModel (and its data file): the run that wrote it failed afterwards. */
export function removeWrittenModel(written: WrittenModel): void {
  removeFileQuietly(written.path);
  if (written.dataPath) removeFileQuietly(written.dataPath);
}

/** External tensors of the input become ByteRanges into their files: read only while encoding. */
function inlineExternalLazily(proto: ModelProto, files: ModelFiles | undefined): void {
  for (const t of allTensors(proto)) {
    if (t.data_location !== 1) continue;
    if (!files) throw new Error(`tensor '${t.name ?? ''}' is in an external file, but the model's files are not known`);
    const tensor = new Tensor(t, files);
    const info = tensor.validate();
    const src = files.openExternal(tensor.externalRef());
    const length = info.bits ? Math.min(src.size, rawByteLength(info, tensor.elementCount)) : src.size;
    t.raw_data = new ByteRange(src, 0, length);
    t.data_location = undefined;
    t.external_data = [];
  }
}

/** Moves the largest raw tensors to the data file until the model fits; returns the data file's size. */
function writeDataFile(proto: ModelProto, dataPath: string, limit: number, options: WriteModelOptions): number {
  const movable = [...allTensors(proto)].filter((t) => rawLength(t) >= EXTERNAL_MIN_BYTES).sort((a, b) => rawLength(b) - rawLength(a));
  let size = encodedModelSize(proto);
  const moved: TensorProto[] = [];
  for (const t of movable) {
    if (size <= limit) break;
    moved.push(t);
    size -= rawLength(t);
  }
  let offset = 0;
  writeFileAtomic(
    dataPath,
    (sink) => {
      for (const t of moved) {
        const pad = (ALIGN - (offset % ALIGN)) % ALIGN;
        if (pad) sink.write(new Uint8Array(pad));
        offset += pad;
        const raw = t.raw_data!;
        const length = raw.length;
        if (raw instanceof ByteRange) for (let at = 0; at < length; at += 1 << 24) sink.write(raw.source.read(raw.offset + at, Math.min(1 << 24, length - at)));
        else sink.write(raw);
        t.external_data = [
          { key: 'location', value: basename(dataPath) },
          { key: 'offset', value: String(offset) },
          { key: 'length', value: String(length) },
        ];
        t.data_location = 1;
        t.raw_data = undefined;
        offset += length;
      }
    },
    { protect: options.protect, cancelled: options.cancelled },
  );
  return offset;
}

const rawLength = (t: TensorProto): number => t.raw_data?.length ?? 0;

