import { float16FromFloat32Bits, numberToFloat16 } from '../../onnx/float-formats';

/** How values outside float16's range are treated (onnxconverter-common's min_positive_val / max_finite_val). */
export interface Float16Range {
  /** Finite values beyond ±maxFinite become ±maxFinite (65504, float16's largest, by default); ±inf stay. */
  maxFinite: number;
  /**
   * Non-zero values closer to 0 than this become ±minPositive. 0 (the default) keeps IEEE
   * rounding instead: float16 subnormals are kept, and only values below 2^-25 become ±0.
   */
  minPositive: number;
}

/** What one conversion changed beyond rounding. */
export interface Float16Counts {
  /** Finite values beyond ±maxFinite, written as ±maxFinite. */
  clamped: number;
  /** Non-zero values raised to ±minPositive (only when minPositive > 0). */
  raised: number;
  /** Non-zero values that became ±0 (too small even for a subnormal). */
  flushed: number;
}

export const FLOAT16_MAX = 65504;

export const emptyCounts = (): Float16Counts => ({ clamped: 0, raised: 0, flushed: 0 });

export function addCounts(into: Float16Counts, c: Float16Counts): void {
  into.clamped += c.clamped;
  into.raised += c.raised;
  into.flushed += c.flushed;
}

/**
 * float32 values → float16 bit patterns in `dst` (same length), round to nearest even, with
 * the range rules of `range`; returns what was clamped, raised or flushed. Pure: no I/O, no
 * allocation beyond a view.
 */
export function float32ToFloat16(src: Float32Array, dst: Uint16Array, range: Float16Range): Float16Counts {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const max = range.maxFinite;
  const min = range.minPositive;
  const maxBits = numberToFloat16(max);
  const minBits = numberToFloat16(min);
  // Magnitudes (as float32 bits) that are float16 normals, below 65520 (which rounds to inf) and within [min, max]: the fast path.
  const lo = Math.max(0x38800000, float32Bits(min));
  const hi = Math.min(0x477ff000, max >= 3.4e38 ? 0x7f800000 : float32Bits(max) + 1);
  let clamped = 0;
  let raised = 0;
  let flushed = 0;
  for (let i = 0; i < src.length; i++) {
    const x = bits[i]!;
    const abs = x & 0x7fffffff;
    if (abs >= lo && abs < hi) {
      // Rebias the exponent, then round to nearest even on the 13 dropped mantissa bits.
      const h = (abs >>> 13) - 0x1c000;
      const rest = abs & 0x1fff;
      dst[i] = ((x >>> 16) & 0x8000) | (rest > 0x1000 || (rest === 0x1000 && h & 1) ? h + 1 : h);
      continue;
    }
    const f = src[i]!;
    if (f > max && f !== Infinity) {
      dst[i] = maxBits;
      clamped++;
    } else if (f < -max && f !== -Infinity) {
      dst[i] = maxBits | 0x8000;
      clamped++;
    } else if (f !== 0 && f < min && f > -min) {
      dst[i] = f > 0 ? minBits : minBits | 0x8000;
      raised++;
    } else {
      const h = float16FromFloat32Bits(x);
      if ((h & 0x7fff) === 0 && f !== 0) flushed++;
      dst[i] = h;
    }
  }
  return { clamped, raised, flushed };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
/** The float32 bit pattern of a (non-negative) number. */
function float32Bits(v: number): number {
  f32[0] = v;
  return u32[0]!;
}

/** Below this magnitude (half the smallest subnormal, a tie that rounds to even) a value becomes ±0. */
const FLUSH_LIMIT = 2 ** -25;

/** The counts `float32ToFloat16` would return, without converting: comparisons only (the planning pass over every weight). */
export function countFloat16Range(src: Float32Array, range: Float16Range): Float16Counts {
  const max = range.maxFinite;
  const min = range.minPositive;
  let clamped = 0;
  let raised = 0;
  let flushed = 0;
  for (let i = 0; i < src.length; i++) {
    const a = Math.abs(src[i]!);
    if (a > max) {
      if (a !== Infinity) clamped++;
    } else if (a !== 0 && a < min) raised++;
    else if (a !== 0 && a <= FLUSH_LIMIT) flushed++;
  }
  return { clamped, raised, flushed };
}
