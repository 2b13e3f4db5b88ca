import * as ort from 'onnxruntime-node';
import { dataTypeName } from '../../onnx/dtypes';
import { float16ToNumber } from '../../onnx/float-formats';
import { RuntimeRequestError } from '../errors';
import type { FeedTensor, Feeds, TensorData } from '../types';

/** TensorProto.DataType ↔ onnxruntime's tensor type names, for the types ORT can feed. */
const ORT_TYPE: Record<number, ort.Tensor.Type> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64',
};
const DTYPE = new Map(Object.entries(ORT_TYPE).map(([k, v]) => [v as string, Number(k)]));

export function toOrt(name: string, t: FeedTensor): ort.Tensor {
  const type = ORT_TYPE[t.dtype];
  if (!type) throw new RuntimeRequestError(`input '${name}' has type ${dataTypeName(t.dtype)}, which onnxruntime-node cannot feed`);
  const n = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== n) throw new RuntimeRequestError(`input '${name}' has ${t.data.length} values for shape [${t.dims.join(',')}] (${n} expected)`);
  return new ort.Tensor(type, t.data as ort.Tensor.DataType, t.dims);
}

export function feedsToOrt(feeds: Feeds): Record<string, ort.Tensor> {
  return Object.fromEntries(Object.entries(feeds).map(([k, v]) => [k, toOrt(k, v)]));
}

export function fromOrt(name: string, t: ort.Tensor): FeedTensor {
  const dtype = DTYPE.get(t.type);
  if (dtype === undefined) throw new RuntimeRequestError(`output '${name}' is a ${t.type} tensor, which cannot be returned`);
  return { dtype, dims: t.dims.map(Number), data: t.data as TensorData };
}

/** The values of a numeric tensor as float32 (what consumers and comparisons read); undefined for strings. */
export function asFloat32(t: FeedTensor | ort.Tensor): Float32Array | undefined {
  const data = t.data;
  if (data instanceof Float32Array) return data;
  const half = 'dtype' in t ? t.dtype === 10 : t.type === 'float16';
  if (half) return Float32Array.from(data as Uint16Array, float16ToNumber);
  if (Array.isArray(data)) return undefined;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float32Array.from(data, Number);
  return Float32Array.from(data as ArrayLike<number>);
}
