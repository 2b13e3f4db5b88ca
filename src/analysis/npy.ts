import type { Tensor } from '../onnx/tensor';

/** numpy's dtype descriptor and a typed array for each ONNX type numpy has; others become float32. */
const NUMPY: Record<string, [string, (n: number) => ArrayBufferView & ArrayLike<number> & { [i: number]: number }]> = {
  float: ['<f4', (n) => new Float32Array(n)],
  double: ['<f8', (n) => new Float64Array(n)],
  float16: ['<f4', (n) => new Float32Array(n)],
  int8: ['|i1', (n) => new Int8Array(n)],
  uint8: ['|u1', (n) => new Uint8Array(n)],
  int16: ['<i2', (n) => new Int16Array(n)],
  uint16: ['<u2', (n) => new Uint16Array(n)],
  int32: ['<i4', (n) => new Int32Array(n)],
  uint32: ['<u4', (n) => new Uint32Array(n)],
  int64: ['<f8', (n) => new Float64Array(n)],
  uint64: ['<f8', (n) => new Float64Array(n)],
  bool: ['|b1', (n) => new Uint8Array(n)],
};

/**
 * A tensor as a .npy file (format version 1.0). Types numpy lacks (bfloat16, float8, int4…) are
 * written as float32, int64 as float64 (values above 2^53 lose precision); strings are refused.
 */
export function npyBytes(t: Tensor): Uint8Array {
  const { values } = t.read();
  if (typeof values[0] === 'string') throw new Error(`'${t.name}' holds strings, which .npy cannot store without pickling`);
  const [descr, make] = NUMPY[t.dtypeName] ?? ['<f4', (n: number) => new Float32Array(n)];
  const data = make(values.length);
  (values as number[]).forEach((v, i) => (data[i] = v));
  const shape = t.dims.length === 1 ? `(${t.dims[0]},)` : `(${t.dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Magic (6) + version (2) + header length (2) + header, padded with spaces to a multiple of 64, ending in \n.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}
