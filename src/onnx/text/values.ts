// Tensor literals of the text syntax → the bytes a TensorProto holds (raw_data, little-endian),
// exactly inverting what the printer writes.
import type { DataTypeInfo } from '../dtypes';
import { narrowBits, narrowBitsOf } from '../float-formats';
import type { TensorProto } from '../proto/types';

const number = (s: string): number => {
  const m = s.replace(/^\+/, '');
  if (/^-?inf$/.test(m)) return m.startsWith('-') ? -Infinity : Infinity;
  if (/^-?nan$/.test(m)) return NaN;
  return Number(m);
};

/** float32 → IEEE half bits, round to nearest even (exact for values that came from halves). */
export function float16Bits(v: number): number {
  const f = new Float32Array([v]);
  const x = new Uint32Array(f.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  let man = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (man ? 0x200 : 0);
  let e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    man |= 0x800000;
    const shift = 14 - e;
    let half = man >>> shift;
    const rem = man & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (man >>> 13);
  const rem = man & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  e = half >>> 10;
  return sign | half;
}

export function bfloat16Bits(v: number): number {
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
    values.forEach((s, i) => (raw[Math.floor((i * narrow) / 8)]! |= narrowBitsOf(info.name, number(s)) << ((i * narrow) % 8)));
    return { raw_data: raw };
  }
  const bytes = size[info.name];
  if (!bytes) throw new Error(`${info.name} values cannot be written inline; give an external-data reference`);
  const raw = new Uint8Array(values.length * bytes);
  const view = new DataView(raw.buffer);
  values.forEach((s, i) => {
    const at = i * bytes;
    switch (info.name) {
      case 'float': case 'complex64': view.setFloat32(at, number(s), true); break;
      case 'double': case 'complex128': view.setFloat64(at, number(s), true); break;
      case 'int8': view.setInt8(at, Number(s)); break;
      case 'uint8': view.setUint8(at, Number(s)); break;
      case 'bool': view.setUint8(at, Number(s) ? 1 : 0); break;
      case 'int16': view.setInt16(at, Number(s), true); break;
      case 'uint16': view.setUint16(at, Number(s), true); break;
      case 'int32': view.setInt32(at, Number(s), true); break;
      case 'uint32': view.setUint32(at, Number(s), true); break;
      case 'int64': view.setBigInt64(at, BigInt(s), true); break;
      case 'uint64': view.setBigUint64(at, BigInt(s), true); break;
      case 'float16': view.setUint16(at, float16Bits(number(s)), true); break;
      case 'bfloat16': view.setUint16(at, bfloat16Bits(number(s)), true); break;
    }
  });
  return { raw_data: raw };
}
