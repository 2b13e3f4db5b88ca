/** TensorProto.DataType: number ↔ lower-case name, bit width, and which proto field holds values. */

export interface DataTypeInfo {
  readonly id: number;
  /** Lower-case TensorProto name: `float`, `int64`, `float8e4m3fn`, `int4`. */
  readonly name: string;
  /** Bits per element in raw_data (complex: both parts); 0 for strings. */
  readonly bits: number;
  /** The typed field that holds values when raw_data is not used. */
  readonly field: 'float_data' | 'int32_data' | 'int64_data' | 'double_data' | 'uint64_data' | 'string_data';
  readonly isFloat: boolean;
}

const T = (id: number, name: string, bits: number, field: DataTypeInfo['field'], isFloat = false): DataTypeInfo => ({ id, name, bits, field, isFloat });

export const DATA_TYPES: readonly DataTypeInfo[] = [
  T(1, 'float', 32, 'float_data', true),
  T(2, 'uint8', 8, 'int32_data'),
  T(3, 'int8', 8, 'int32_data'),
  T(4, 'uint16', 16, 'int32_data'),
  T(5, 'int16', 16, 'int32_data'),
  T(6, 'int32', 32, 'int32_data'),
  T(7, 'int64', 64, 'int64_data'),
  T(8, 'string', 0, 'string_data'),
  T(9, 'bool', 8, 'int32_data'),
  T(10, 'float16', 16, 'int32_data', true),
  T(11, 'double', 64, 'double_data', true),
  T(12, 'uint32', 32, 'uint64_data'),
  T(13, 'uint64', 64, 'uint64_data'),
  T(14, 'complex64', 64, 'float_data', true),
  T(15, 'complex128', 128, 'double_data', true),
  T(16, 'bfloat16', 16, 'int32_data', true),
  T(17, 'float8e4m3fn', 8, 'int32_data', true),
  T(18, 'float8e4m3fnuz', 8, 'int32_data', true),
  T(19, 'float8e5m2', 8, 'int32_data', true),
  T(20, 'float8e5m2fnuz', 8, 'int32_data', true),
  T(21, 'uint4', 4, 'int32_data'),
  T(22, 'int4', 4, 'int32_data'),
  T(23, 'float4e2m1', 4, 'int32_data', true),
  T(24, 'float8e8m0', 8, 'int32_data', true),
  T(25, 'uint2', 2, 'int32_data'),
  T(26, 'int2', 2, 'int32_data'),
];

const BY_ID = new Map(DATA_TYPES.map((t) => [t.id, t]));
const BY_NAME = new Map(DATA_TYPES.map((t) => [t.name, t]));

export function dataType(id: number): DataTypeInfo | undefined {
  return BY_ID.get(id);
}

export function dataTypeByName(name: string): DataTypeInfo | undefined {
  return BY_NAME.get(name);
}

/** The lower-case name, or `undefined`/`dtype(N)` for 0 and unknown ids. */
export function dataTypeName(id: number | undefined): string {
  if (!id) return 'undefined';
  return BY_ID.get(id)?.name ?? `dtype(${id})`;
}

/** Bytes that `count` elements take in raw_data (sub-byte types packed). */
export function rawByteLength(info: DataTypeInfo, count: number): number {
  return Math.ceil((count * info.bits) / 8);
}
