// Tensor literals of the text syntax → the bytes a TensorProto holds (raw_data, little-endian),
// exactly inverting what the printer writes.
import type { DataTypeInfo } from '../dtypes';
import { narrowBits, narrowBitsOf, numberToFloat16 } from '../float-formats';
import type { TensorProto } from '../proto/types';

/** The one reader of float literals of the syntax (`1.5`, `-2e3`, `inf`, `-inf`, `nan`). */
export function parseFloatLiteral(text: string): number {
  const m = text.replace(/^\+/, '');
  if (/^-?inf$/.test(m)) return m.startsWith('-') ? -Infinity : Infinity;
  if (/^-?nan$/.test(m)) return NaN;
  return Number(m);
}

/** Smallest and largest value of each integer element type (`int64` also bounds int attributes). */
const INT_RANGES: Record<string, readonly [bigint, bigint]> = {
  bool: [0n, 1n], int8: [-(2n ** 7n), 2n ** 7n - 1n], uint8: [0n, 2n ** 8n - 1n], int16: [-(2n ** 15n), 2n ** 15n - 1n],
  uint16: [0n, 2n ** 16n - 1n], int32: [-(2n ** 31n), 2n ** 31n - 1n], uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n], uint64: [0n, 2n ** 64n - 1n], int4: [-8n, 7n], uint4: [0n, 15n], int2: [-2n, 1n], uint2: [0n, 3n],
};

/** Whether a finite value becomes infinite when stored as each float element type inline values exist for. */
const OVERFLOWS: Record<string, (v: number) => boolean> = {
  float: (v) => !Number.isFinite(Math.fround(v)),
  complex64: (v) => !Number.isFinite(Math.fround(v)),
  double: (v) => !Number.isFinite(v),
  complex128: (v) => !Number.isFinite(v),
  float16: (v) => (numberToFloat16(v) & 0x7c00) === 0x7c00,
  bfloat16: (v) => (bfloat16Bits(v) & 0x7f80) === 0x7f80,
};

/**
 * Why a literal token (`kind` from the lexer: int, float or string) cannot be a value of the
 * element type `type` (a dtype name, or `int64` for int attributes), or undefined when it can.
 * Integers are checked against the type's range, finite floats against overflow to infinity.
 */
export function literalError(type: string, kind: string, literal: string): string | undefined {
  const text = literal.length > 24 ? `${literal.slice(0, 20)}…` : literal;
  if (type === 'string') return kind === 'string' ? undefined : `expected a string, found ${text}`;
  if (kind === 'string') return `expected a number for ${type}, found a string`;
  const range = INT_RANGES[type];
  if (range) {
    if (kind !== 'int') return `expected an integer for ${type}, found ${text}`;
    const digits = literal.replace(/^[-+]?0*/, '');
    // No type holds more than 20 digits: longer ones are out of range without parsing them.
    const v = digits.length > 20 ? undefined : BigInt(literal.replace(/^\+/, ''));
    if (v === undefined || v < range[0] || v > range[1]) return `${text} is out of range for ${type} (${range[0]} to ${range[1]})`;
    return undefined;
  }
  const overflows = OVERFLOWS[type];
  if (!overflows || /inf|nan/.test(literal)) return undefined; // no inline values for this type: reported by encodeValues
  if (overflows(parseFloatLiteral(literal))) return `${text} is out of range for ${type}`;
  return undefined;
}

function bfloat16Bits(v: number): number {
  const x = new Uint32Array(new Float32Array([v]).buffer)[0]!;
  if (Number.isNaN(v)) return (x >>> 16) | 0x40;
  const round = ((x >>> 16) & 1) + 0x7fff;
  return ((x + round) >>> 16) & 0xffff;
}

/** The TensorProto fields for `values` (text of prim-constants) of a tensor of `info`. */
export function encodeValues(info: DataTypeInfo, values: string[]): Partial<TensorProto> {
  if (info.name === 'string') return { string_data: values.map((v) => new TextEncoder().encode(v)) };
  const size: Record<string, number> = { float: 4, double: 8, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, bool: 1, float16: 2, bfloat16: 2, complex64: 4, complex128: 8 };
  const narrow = narrowBits(info.name);
  if (narrow) {
    // Types narrower than 16 bits: bit patterns packed low bits first, as raw_data holds them.
    const raw = new Uint8Array(Math.ceil((values.length * narrow) / 8));
    values.forEach((s, i) => (raw[Math.floor((i * narrow) / 8)]! |= narrowBitsOf(info.name, parseFloatLiteral(s)) << ((i * narrow) % 8)));
    return { raw_data: raw };
  }
  const bytes = size[info.name];
  if (!bytes) throw new Error(`${info.name} values cannot be written inline; give an external-data reference`);
  const raw = new Uint8Array(values.length * bytes);
  const view = new DataView(raw.buffer);
  values.forEach((s, i) => {
    const at = i * bytes;
    switch (info.name) {
      case 'float': case 'complex64': view.setFloat32(at, parseFloatLiteral(s), true); break;
      case 'double': case 'complex128': view.setFloat64(at, parseFloatLiteral(s), true); break;
      case 'int8': view.setInt8(at, Number(s)); break;
      case 'uint8': view.setUint8(at, Number(s)); break;
      case 'bool': view.setUint8(at, Number(s) ? 1 : 0); break;
      case 'int16': view.setInt16(at, Number(s), true); break;
      case 'uint16': view.setUint16(at, Number(s), true); break;
      case 'int32': view.setInt32(at, Number(s), true); break;
      case 'uint32': view.setUint32(at, Number(s), true); break;
      case 'int64': view.setBigInt64(at, BigInt(s), true); break;
      case 'uint64': view.setBigUint64(at, BigInt(s), true); break;
      case 'float16': view.setUint16(at, numberToFloat16(parseFloatLiteral(s)), true); break;
      case 'bfloat16': view.setUint16(at, bfloat16Bits(parseFloatLiteral(s)), true); break;
    }
  });
  return { raw_data: raw };
}
