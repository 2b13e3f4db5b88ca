/** Bit patterns of the small float formats ↔ JS numbers. */

/**
 * float32 bit pattern → IEEE half bit pattern, rounding to nearest even as numpy's
 * astype(float16) does: overflow to ±inf, subnormal halves kept, below half the smallest
 * subnormal to ±0, NaN stays NaN with its top payload bits.
 */
export function float16FromFloat32Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const man = x & 0x7fffff;
  if (exp === 0xff) {
    if (!man) return sign | 0x7c00;
    const nan = 0x7c00 | (man >>> 13);
    return sign | (nan === 0x7c00 ? 0x7c01 : nan);
  }
  const e = exp - 112; // rebias 127 → 15
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const m = man | 0x800000;
    const shift = 14 - e;
    let half = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const mid = 1 << (shift - 1);
    if (rem > mid || (rem === mid && half & 1)) half++;
    return sign | half;
  }
  // A carry out of the mantissa rounds into the exponent (and 65520 and above into inf), as it should.
  let half = (e << 10) | (man >>> 13);
  const rem = man & 0x1fff;
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** A number (rounded to float32 first) → IEEE half bit pattern. */
export function numberToFloat16(v: number): number {
  f32[0] = v;
  return float16FromFloat32Bits(u32[0]!);
}

export function float16ToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

export function bfloat16ToNumber(b: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, (b & 0xffff) << 16);
  return view.getFloat32(0);
}

/** Generic minifloat: `e` exponent bits, `m` mantissa bits, `bias`, and the format's NaN/Inf rules. */
function minifloat(bits: number, e: number, m: number, bias: number, rule: 'ieee' | 'fn' | 'fnuz' | 'none'): number {
  const total = 1 + e + m;
  const sign = (bits >> (total - 1)) & 1;
  const exp = (bits >> m) & ((1 << e) - 1);
  const man = bits & ((1 << m) - 1);
  if (rule === 'fnuz' && bits === 1 << (total - 1)) return NaN; // the negative zero pattern is NaN
  if (rule === 'ieee' && exp === (1 << e) - 1) return man ? NaN : sign ? -Infinity : Infinity;
  if (rule === 'fn' && exp === (1 << e) - 1 && man === (1 << m) - 1) return NaN;
  const s = sign ? -1 : 1;
  if (exp === 0) return s * man * 2 ** (1 - bias - m);
  return s * (1 + man / 2 ** m) * 2 ** (exp - bias);
}

export const float8e4m3fnToNumber = (b: number): number => minifloat(b, 4, 3, 7, 'fn');
export const float8e4m3fnuzToNumber = (b: number): number => minifloat(b, 4, 3, 8, 'fnuz');
export const float8e5m2ToNumber = (b: number): number => minifloat(b, 5, 2, 15, 'ieee');
export const float8e5m2fnuzToNumber = (b: number): number => minifloat(b, 5, 2, 16, 'fnuz');
export const float4e2m1ToNumber = (b: number): number => minifloat(b & 0xf, 2, 1, 1, 'none');
/** E8M0: an exponent only, 2^(b - 127); 0xFF is NaN. */
export const float8e8m0ToNumber = (b: number): number => (b === 0xff ? NaN : 2 ** (b - 127));

/** Decoders of the types narrower than 16 bits, by ONNX name, with their width. */
const NARROW: Record<string, { bits: number; decode: (b: number) => number }> = {
  float8e4m3fn: { bits: 8, decode: float8e4m3fnToNumber },
  float8e4m3fnuz: { bits: 8, decode: float8e4m3fnuzToNumber },
  float8e5m2: { bits: 8, decode: float8e5m2ToNumber },
  float8e5m2fnuz: { bits: 8, decode: float8e5m2fnuzToNumber },
  float8e8m0: { bits: 8, decode: float8e8m0ToNumber },
  float4e2m1: { bits: 4, decode: float4e2m1ToNumber },
  uint4: { bits: 4, decode: (b) => b },
  int4: { bits: 4, decode: (b) => (b << 28) >> 28 },
  uint2: { bits: 2, decode: (b) => b },
  int2: { bits: 2, decode: (b) => (b << 30) >> 30 },
};

const tables = new Map<string, { exact: Map<string, number>; finite: [number, number][] }>();
const key = (v: number): string => (Object.is(v, -0) ? '-0' : String(v));

/** Width in bits of a type narrower than 16 bits, or undefined for other types. */
export function narrowBits(name: string): number | undefined {
  return NARROW[name]?.bits;
}

/**
 * The bit pattern of `v` in a type narrower than 16 bits: the exact pattern where there is
 * one (so every decoded value maps back to its bits), else the nearest value (ties to the
 * even pattern; beyond the range, the largest finite value). Integers out of range throw.
 */
export function narrowBitsOf(name: string, v: number): number {
  const t = NARROW[name]!;
  let table = tables.get(name);
  if (!table) {
    table = { exact: new Map(), finite: [] };
    for (let b = 0; b < 1 << t.bits; b++) {
      const x = t.decode(b);
      if (!table.exact.has(key(x))) table.exact.set(key(x), b);
      if (Number.isFinite(x)) table.finite.push([x, b]);
    }
    tables.set(name, table);
  }
  const exact = table.exact.get(key(v));
  if (exact !== undefined) return exact;
  const isInt = !name.startsWith('float');
  if (isInt) throw new RangeError(`${v} is not a ${name} value`);
  if (Number.isNaN(v)) throw new RangeError(`${name} has no NaN`);
  let best = table.finite[0]!;
  for (const c of table.finite) {
    const d = Math.abs(c[0] - v) - Math.abs(best[0] - v);
    if (d < 0 || (d === 0 && (c[1] & 1) === 0)) best = c;
  }
  return best[1];
}
