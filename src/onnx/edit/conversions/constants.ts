import type { TensorProto } from '../../proto/types';

/** Small constant tensors a conversion adds: raw_data little-endian, every repeated field fresh. */

const FLOAT = 1;
const FLOAT16 = 10;
const DOUBLE = 11;
const INT64 = 7;

function tensor(name: string, dataType: number, dims: readonly number[], raw: Uint8Array): TensorProto {
  return {
    name, data_type: dataType, dims: [...dims], raw_data: raw,
    float_data: [], int32_data: [], string_data: [], int64_data: [], double_data: [], uint64_data: [], external_data: [], metadata_props: [],
  };
}

export function int64Tensor(name: string, values: readonly (number | bigint)[], dims: readonly number[] = [values.length]): TensorProto {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return tensor(name, INT64, dims, raw);
}

/** float16 bits of a number, rounded to nearest even (values beyond the range become ±inf). */
function float16Bits(v: number): number {
  const f32 = new Float32Array([v]);
  const x = new Uint32Array(f32.buffer)[0]!;
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    const half = 1 << (shift - 1);
    let r = m >>> shift;
    const rest = m & ((1 << shift) - 1);
    if (rest > half || (rest === half && r & 1)) r++;
    return sign | r;
  }
  let r = (e << 10) | (mant >>> 13);
  const rest = mant & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && r & 1)) r++;
  return sign | r;
}

/** A float, float16 or double tensor; undefined for other types. */
export function floatTensor(name: string, values: readonly number[], dataType: number, dims: readonly number[] = [values.length]): TensorProto | undefined {
  const width = dataType === FLOAT ? 4 : dataType === DOUBLE ? 8 : dataType === FLOAT16 ? 2 : 0;
  if (!width) return undefined;
  const raw = new Uint8Array(values.length * width);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => {
    if (width === 4) view.setFloat32(i * 4, v, true);
    else if (width === 8) view.setFloat64(i * 8, v, true);
    else view.setUint16(i * 2, float16Bits(v), true);
  });
  return tensor(name, dataType, dims, raw);
}
