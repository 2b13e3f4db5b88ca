import { OnnxFormatError, ModelFileError } from '../../onnx/errors';
import type { ByteSource } from '../../onnx/io/byte-source';
import { DataFileError } from '../../onnx/io/data-files';
import { decodeMessage } from '../../onnx/proto/decode';
import type { TensorProto } from '../../onnx/proto/types';
import { Tensor } from '../../onnx/tensor';
import type { FeedTensor } from '../types';
import { MAX_SAMPLE_BYTES } from './npy';
import { dtypeLabel, elementSize, typedArrayFrom } from './typed-data';

/** One serialized ONNX TensorProto (the conformance suite's `input_N.pb`): its name and values. */
export interface NamedTensor {
  /** The tensor's own name ('' when it has none); the conformance suite names it after the graph input. */
  name: string;
  tensor: FeedTensor;
}

/**
 * Reads a serialized TensorProto through the model decoder and `Tensor` (so every storage
 * form — raw_data or typed fields — reads as in a model). External data, strings and types
 * without a typed array (bfloat16, float8, int4, complex) are refused by name.
 */
export function readTensorPb(source: ByteSource): NamedTensor {
  const fail = (message: string, cause?: unknown): DataFileError => new DataFileError(`${source.name}: ${message}`, source.name, { cause });
  if (source.size === 0) throw fail('empty file, not a TensorProto');
  let proto: TensorProto;
  try {
    proto = decodeMessage<TensorProto>(source, 'TensorProto');
  } catch (e) {
    if (e instanceof OnnxFormatError) throw fail(`not a serialized ONNX TensorProto: ${e.message}`, e);
    throw e;
  }
  if (!proto.data_type) throw fail('not a serialized ONNX TensorProto (no data_type)');
  if (proto.data_location === 1) throw fail('the tensor keeps its values in an external file; an input file must hold them');
  const size = elementSize(proto.data_type);
  if (size === undefined) throw fail(`${dtypeLabel(proto.data_type)} tensors cannot be fed as inputs from files`);
  const tensor = new Tensor(proto);
  let bytes: Uint8Array;
  try {
    tensor.validate();
    if (tensor.elementCount * size > MAX_SAMPLE_BYTES) throw fail(`${(tensor.elementCount * size).toLocaleString('en-US')} bytes of values, more than the ${MAX_SAMPLE_BYTES.toLocaleString('en-US')} one sample may have`);
    bytes = concat([...tensor.rawChunks()], tensor.elementCount * size);
  } catch (e) {
    if (e instanceof OnnxFormatError || e instanceof ModelFileError) throw fail(e.message, e);
    throw e;
  }
  return { name: proto.name ?? '', tensor: { dtype: proto.data_type, dims: tensor.dims, data: typedArrayFrom(proto.data_type, bytes, tensor.elementCount) } };
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1 && chunks[0]!.length === length) return chunks[0]!;
  const out = new Uint8Array(length);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
