/**
 * Linear quantization arithmetic as ONNX Runtime's quantization tool defines it
 * (onnxruntime/python/tools/quantization/quant_utils.py: get_qmin_qmax_for_qType,
 * compute_scale_zp, quantize_nparray), reproduced to the bit: ranges in float32, the scale
 * computed in float64 and stored as float32, numpy's round-half-to-even, values divided by
 * the float32 scale in float32. r = scale · (q − zeroPoint).
 */

export type QuantType = 'int8' | 'uint8';

/** TensorProto data types of the quantized values. */
export const QUANT_ONNX_TYPE: Readonly<Record<QuantType, number>> = { int8: 3, uint8: 2 };

export interface QuantSpec {
  type: QuantType;
  /** Range made symmetric around 0 (zero point 0 for int8, 128 for uint8). */
  symmetric: boolean;
  /** 7-bit range (uint8 0..127, int8 −64..64), for CPUs whose u8·s8 products saturate. */
  reduceRange?: boolean;
}

export interface QuantParams {
  /** A float32 value. */
  scale: number;
  zeroPoint: number;
}

const FULL: Record<QuantType, [number, number]> = { int8: [-128, 127], uint8: [0, 255] };
const SYMMETRIC: Record<QuantType, [number, number]> = { int8: [-127, 127], uint8: [0, 254] };
const REDUCED: Record<QuantType, [number, number]> = { int8: [-64, 64], uint8: [0, 127] };
/** numpy.finfo(float32).tiny: scales below it become 1 with zero point 0. */
export const FLOAT32_TINY = 2 ** -126;

/** [qmin, qmax] of a quantized type (reduced range first, then symmetric, as ORT picks). */
export function quantRange(spec: QuantSpec): [number, number] {
  if (spec.reduceRange) return REDUCED[spec.type];
  return spec.symmetric ? SYMMETRIC[spec.type] : FULL[spec.type];
}

/** numpy.round: halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Scale and zero point for values in [rmin, rmax] (float32 numbers; the range is widened to hold 0). */
export function scaleAndZeroPoint(rmin: number, rmax: number, spec: QuantSpec): QuantParams {
  const [qmin, qmax] = quantRange(spec);
  let lo = Math.min(rmin, 0);
  let hi = Math.max(rmax, 0);
  if (spec.symmetric) {
    const absmax = Math.max(Math.abs(lo), Math.abs(hi));
    lo = -absmax;
    hi = absmax;
  }
  // rmax − rmin is a float32 subtraction in numpy before it is widened to float64.
  const scale = Math.fround(hi - lo) / (qmax - qmin);
  if (!(scale >= FLOAT32_TINY)) return { scale: 1, zeroPoint: 0 };
  const zeroPoint = spec.symmetric ? roundHalfEven((qmin + qmax) / 2) : roundHalfEven(qmin - lo / scale);
  return { scale: Math.fround(scale), zeroPoint };
}

/** Quantizes one value: round(x / scale) + zeroPoint in float32, clipped to the type's full range. */
export function quantizeValue(x: number, scale: number, zeroPoint: number, type: QuantType): number {
  const [lo, hi] = FULL[type];
  const q = roundHalfEven(Math.fround(x / scale)) + zeroPoint;
  return q < lo ? lo : q > hi ? hi : q;
}

export interface QuantizedValues {
  data: Int8Array | Uint8Array;
  /** One per channel along `axis`, or one for the tensor. */
  scales: Float32Array;
  zeroPoints: Int8Array | Uint8Array;
  axis?: number;
}

function quantArray(type: QuantType, n: number): Int8Array | Uint8Array {
  return type === 'int8' ? new Int8Array(n) : new Uint8Array(n);
}

/** Widens [lo[c], hi[c]] by values[from..to) (NaN marks the channel: numpy's min/max would be NaN). */
function widenRange(values: Float32Array, from: number, to: number, lo: Float64Array, hi: Float64Array, c: number): void {
  let a = lo[c]!;
  let b = hi[c]!;
  for (let i = from; i < to; i++) {
    const v = values[i]!;
    if (v < a) a = v;
    if (v > b) b = v;
    if (v !== v) a = b = NaN;
  }
  lo[c] = a;
  hi[c] = b;
}

/**
 * 1.5 · 2^23: adding it to a float32 |t| < 2^22 and rounding to float32 leaves an integer step,
 * so the float32 rounding itself rounds t half to even, as numpy does (larger |t| are clipped
 * anyway). Cheaper than Math.round and a tie test in the loop every weight goes through.
 */
const ROUNDER = 12582912;

/** widenRange when the channel axis is the last one: row after row, element c into channel c. */
function widenRanges(values: Float32Array, lo: Float64Array, hi: Float64Array): void {
  const channels = lo.length;
  const nan = new Uint8Array(channels);
  for (let i = 0; i < values.length; ) {
    for (let c = 0; c < channels; c++, i++) {
      const v = values[i]!;
      if (v < lo[c]!) lo[c] = v;
      if (v > hi[c]!) hi[c] = v;
      if (v !== v) nan[c] = 1;
    }
  }
  for (let c = 0; c < channels; c++) if (nan[c]) lo[c] = hi[c] = NaN;
}

/** quantizeRun when the channel axis is the last one. */
function quantizeRows(values: Float32Array, data: Int8Array | Uint8Array, scales: Float32Array, zeroPoints: Int8Array | Uint8Array, qlo: number, qhi: number): void {
  const channels = scales.length;
  for (let i = 0; i < values.length; ) {
    for (let c = 0; c < channels; c++, i++) {
      const r = Math.fround(Math.fround(values[i]! / scales[c]!) + ROUNDER) - ROUNDER + zeroPoints[c]!;
      data[i] = r < qlo ? qlo : r > qhi ? qhi : r;
    }
  }
}

/** quantizeValue over values[from..to) with one scale and zero point: the loop every weight element goes through. */
function quantizeRun(values: Float32Array, data: Int8Array | Uint8Array, from: number, to: number, scale: number, zeroPoint: number, qlo: number, qhi: number): void {
  for (let i = from; i < to; i++) {
    const r = Math.fround(Math.fround(values[i]! / scale) + ROUNDER) - ROUNDER + zeroPoint;
    data[i] = r < qlo ? qlo : r > qhi ? qhi : r;
  }
}

/**
 * Quantizes a float tensor per tensor (axis undefined) or per channel along `axis` (each
 * channel its own range, as ORT's quantize_weight_per_channel). `dims` gives the layout.
 */
export function quantizeValues(values: Float32Array, dims: readonly number[], spec: QuantSpec, axis?: number): QuantizedValues {
  if (axis !== undefined && (axis < 0 || axis >= dims.length)) throw new RangeError(`axis ${axis} is outside rank ${dims.length}`);
  const channels = axis === undefined ? 1 : dims[axis]!;
  const inner = axis === undefined ? values.length : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const outer = channels * inner ? values.length / (channels * inner) : 0;
  const lo = new Float64Array(channels).fill(Infinity);
  const hi = new Float64Array(channels).fill(-Infinity);
  if (inner === 1) widenRanges(values, lo, hi);
  else for (let o = 0, i = 0; o < outer; o++) for (let c = 0; c < channels; c++, i += inner) widenRange(values, i, i + inner, lo, hi, c);
  const scales = new Float32Array(channels);
  const zeroPoints = quantArray(spec.type, channels);
  for (let c = 0; c < channels; c++) {
    const empty = lo[c] === Infinity;
    const p = lo[c] !== lo[c] ? { scale: NaN, zeroPoint: 0 } : scaleAndZeroPoint(empty ? 0 : lo[c]!, empty ? 0 : hi[c]!, spec);
    scales[c] = p.scale;
    zeroPoints[c] = p.zeroPoint;
  }
  const data = quantArray(spec.type, values.length);
  const [qlo, qhi] = FULL[spec.type];
  if (inner === 1) quantizeRows(values, data, scales, zeroPoints, qlo, qhi);
  else for (let o = 0, i = 0; o < outer; o++) for (let c = 0; c < channels; c++, i += inner) quantizeRun(values, data, i, i + inner, scales[c]!, zeroPoints[c]!, qlo, qhi);
  return { data, scales, zeroPoints, axis };
}
