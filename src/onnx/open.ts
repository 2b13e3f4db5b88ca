import { OnnxFormatError } from './errors';
import type { ByteSource } from './io/byte-source';
import { DiskModelFiles, MemoryModelFiles, type ModelFiles } from './io/model-files';
import { buildModel } from './model/build';
import type { Model } from './model/graph';
import { decodeMessage } from './proto/decode';
import { encodedSize, encodeMessage, encodeToBytes, type ByteSink } from './proto/encode';
import type { ModelProto } from './proto/types';

/** Decodes the ModelProto of a source; weights stay in the file. Throws OnnxFormatError. */
export function decodeModelProto(source: ByteSource): ModelProto {
  recognizeNonModels(source);
  const proto = decodeMessage<ModelProto>(source, 'ModelProto');
  if (proto.graph === undefined && proto.ir_version === undefined && proto.functions.length === 0) {
    throw new OnnxFormatError(`${source.name} is not an ONNX model: it has neither ir_version nor a graph`, 0);
  }
  return proto;
}

/** Files that are commonly mistaken for models get a message of their own. */
function recognizeNonModels(source: ByteSource): void {
  if (source.size === 0) throw new OnnxFormatError(`${source.name} is empty`, 0);
  const head = new TextDecoder().decode(source.read(0, Math.min(source.size, 64)));
  if (head.startsWith('version https://git-lfs')) {
    throw new OnnxFormatError(`${source.name} is a Git LFS pointer, not the model: run 'git lfs pull' to fetch the real file`, 0);
  }
}

/** Opens a model file: structure decoded, weights left on disk, external data resolved beside it. */
export function openModel(path: string): Model {
  return openFromFiles(new DiskModelFiles(path));
}

export function openModelBytes(bytes: Uint8Array, external?: ReadonlyMap<string, Uint8Array>, name?: string): Model {
  return openFromFiles(new MemoryModelFiles(bytes, external, name));
}

function openFromFiles(files: ModelFiles): Model {
  try {
    return buildModel(decodeModelProto(files.model), files);
  } catch (e) {
    files.close();
    throw e;
  }
}

export function encodeModel(proto: ModelProto, sink: ByteSink): void {
  encodeMessage(proto as unknown as Record<string, unknown>, 'ModelProto', sink);
}

export function encodeModelBytes(proto: ModelProto): Uint8Array {
  return encodeToBytes(proto as unknown as Record<string, unknown>, 'ModelProto');
}

/** Bytes the model takes encoded, computed without reading or producing any tensor payload. */
export function encodedModelSize(proto: ModelProto): number {
  return encodedSize(proto as unknown as Record<string, unknown>, 'ModelProto');
}
