import type { TensorData } from '../types';

/** TensorProto.DataType ids of the types an input file can carry. */
export const DT = {
  float: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, bool: 9, float16: 10, double: 11, uint32: 12, uint64: 13,
} as const;

/** Bytes per element and typed array per supported dtype; float16 travels as raw bits (Uint16Array). */
const LAYOUT: Record<number, { size: number; name: string; make: (b: ArrayBuffer) => TensorData }> = {
  [DT.float]: { size: 4, name: 'float32', make: (b) => new Float32Array(b) },
  [DT.double]: { size: 8, name: 'float64', make: (b) => new Float64Array(b) },
  [DT.float16]: { size: 2, name: 'float16', make: (b) => new Uint16Array(b) },
  [DT.int8]: { size: 1, name: 'int8', make: (b) => new Int8Array(b) },
  [DT.uint8]: { size: 1, name: 'uint8', make: (b) => new Uint8Array(b) },
  [DT.int16]: { size: 2, name: 'int16', make: (b) => new Int16Array(b) },
  [DT.uint16]: { size: 2, name: 'uint16', make: (b) => new Uint16Array(b) },
  [DT.int32]: { size: 4, name: 'int32', make: (b) => new Int32Array(b) },
  [DT.uint32]: { size: 4, name: 'uint32', make: (b) => new Uint32Array(b) },
  [DT.int64]: { size: 8, name: 'int64', make: (b) => new BigInt64Array(b) },
  [DT.uint64]: { size: 8, name: 'uint64', make: (b) => new BigUint64Array(b) },
  [DT.bool]: { size: 1, name: 'bool', make: (b) => new Uint8Array(b) },
};

/** Bytes one element of `dtype` takes, or undefined when input files cannot carry it. */
export function elementSize(dtype: number): number | undefined {
  return LAYOUT[dtype]?.size;
}

/** A zero-filled typed array of `count` elements of `dtype`, or undefined when input files cannot carry the type. */
export function emptyTypedArray(dtype: number, count: number): TensorData | undefined {
  const layout = LAYOUT[dtype];
  return layout && layout.make(new ArrayBuffer(count * layout.size));
}

/** numpy's name of a dtype (float32, float64, int64, bool), for messages; `dtype(N)` otherwise. */
export function dtypeLabel(dtype: number): string {
  return LAYOUT[dtype]?.name ?? ({ 8: 'string', 14: 'complex64', 15: 'complex128', 16: 'bfloat16' } as Record<number, string>)[dtype] ?? `dtype(${dtype})`;
}

/** "float32 [1,3,224,224]": how messages show a tensor's type. */
export function describeTensor(dtype: number, dims: readonly (number | string | null)[] | null): string {
  return `${dtypeLabel(dtype)} ${dims ? `[${dims.map((d) => d ?? '?').join(',')}]` : '[unknown rank]'}`;
}

/**
 * Copies `count` elements of `dtype` from `bytes` into a typed array of its own (aligned,
 * platform byte order, which is little-endian wherever Node runs here), swapping each
 * element when the bytes are big-endian. Bool bytes are normalized to 0/1.
 */
export function typedArrayFrom(dtype: number, bytes: Uint8Array, count: number, littleEndian = true): TensorData {
  const layout = LAYOUT[dtype];
  if (!layout) throw new Error(`no typed layout for ${dtypeLabel(dtype)}`);
  const length = count * layout.size;
  if (bytes.length < length) throw new RangeError(`${length} bytes needed, ${bytes.length} given`);
  const own = new Uint8Array(length);
  own.set(bytes.subarray(0, length));
  if (!littleEndian && layout.size > 1) swapBytes(own, layout.size);
  if (dtype === DT.bool) for (let i = 0; i < length; i++) own[i] = own[i] ? 1 : 0;
  return layout.make(own.buffer);
}

function swapBytes(bytes: Uint8Array, size: number): void {
  for (let at = 0; at < bytes.length; at += size) {
    for (let i = 0, j = size - 1; i < j; i++, j--) {
      const t = bytes[at + i]!;
      bytes[at + i] = bytes[at + j]!;
      bytes[at + j] = t;
    }
  }
}

/** Elements of a shape, or NaN when a dim is not a non-negative safe integer or the product is not safe. */
export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) return NaN;
    n *= d;
  }
  return Number.isSafeInteger(n) ? n : NaN;
}
