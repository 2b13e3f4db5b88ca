import * as ort from 'onnxruntime-node';
import type { ValueType } from '../../src/onnx/model/value-type';
import type { TensorProto } from '../../src/onnx/proto/types';
import { tensorProto } from './models';

/** Small deterministic tensors for models run in onnxruntime-node, and how both sides name a result. */

export const FLOAT = 1;
export const UINT8 = 2;
export const INT8 = 3;
export const INT16 = 5;
export const INT32 = 6;
export const INT64 = 7;
const ORT_TYPES: Record<number, ort.Tensor.Type> = { [FLOAT]: 'float32', [UINT8]: 'uint8', [INT8]: 'int8', [INT16]: 'int16', [INT32]: 'int32', [INT64]: 'int64' };

const count = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);

/** A deterministic initializer; integers stay in the range of every 8-bit type. */
export function init(name: string, dataType: number, dims: number[], values?: number[]): TensorProto {
  const n = count(dims);
  if (dataType === FLOAT) return tensorProto({ name, dims, data_type: dataType, float_data: values ?? Array.from({ length: n }, (_, i) => Math.sin(i + 1) * 0.5) });
  const ints = values ?? Array.from({ length: n }, (_, i) => (i * 7) % 50);
  return tensorProto(dataType === INT64 ? { name, dims, data_type: dataType, int64_data: ints } : { name, dims, data_type: dataType, int32_data: ints });
}
export const scalar = (name: string, dataType: number, value: number): TensorProto => init(name, dataType, [], [value]);
/** Scale and zero point initializers `${p}_scale`, `${p}_zp`. */
export const quant = (p: string, zpType: number, scale = 0.05, zp = 3): TensorProto[] => [scalar(`${p}_scale`, FLOAT, scale), scalar(`${p}_zp`, zpType, zp)];

/** A deterministic input tensor. */
export function feed(dataType: number, dims: number[]): ort.Tensor {
  const n = count(dims);
  const type = ORT_TYPES[dataType]!;
  if (type === 'float32') return new ort.Tensor(type, Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.37)), dims);
  const values = Array.from({ length: n }, (_, i) => (i * 13) % 60);
  const data = type === 'uint8' ? Uint8Array.from(values) : type === 'int8' ? Int8Array.from(values) : type === 'int16' ? Int16Array.from(values) : Int32Array.from(values);
  return new ort.Tensor(type, data, dims);
}

/** `float32 [2,3]`: an inferred type as ORT would name its result. */
export const inferredText = (t: ValueType | null): string => (t && t.kind === 'tensor' ? `${ORT_TYPES[t.elemType] ?? t.elemType} [${t.shape?.join(',') ?? '?'}]` : 'unknown');
/** `float32 [2,3]`: what ORT computed. */
export const ortText = (t: ort.Tensor): string => `${t.type} [${t.dims.join(',')}]`;
