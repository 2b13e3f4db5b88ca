/**
 * The arithmetic of QDQ quantization, as pure functions on typed arrays. Every step rounds as
 * ONNX Runtime's quantizer does (numpy float32: scale = float32(range / levels), q =
 * rint(float32(x / scale)) with ties to even, clamped), so the integers equal what
 * `quantize_static` writes and what QuantizeLinear computes at run time.
 */

export type QuantType = 'int8' | 'uint8';

export interface QuantParams {
  scale: number;
  zeroPoint: number;
  type: QuantType;
}

/** Round half to even, as numpy.rint and QuantizeLinear do. */
export function rint(x: number): number {
  const r = Math.round(x);
  // Math.round sends .5 up; step back to the even neighbour on exact ties.
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const f32 = Math.fround;

/** Smallest normal float32: ORT treats a smaller scale as degenerate and uses 1. */
const FLOAT32_TINY = 1.1754943508222875e-38;

/**
 * Scale and zero point of an activation from its calibrated range. The range is widened to
 * include 0 (zero must be exact). int8 symmetric: [-127, 127], zero point 0 (what TensorRT
 * needs); uint8 asymmetric: [0, 255].
 */
export function activationParams(range: { min: number; max: number }, type: QuantType, isSymmetric: boolean): QuantParams {
  const rmin = Math.min(range.min, 0);
  const rmax = Math.max(range.max, 0);
  if (isSymmetric) {
    const amax = Math.max(Math.abs(rmin), Math.abs(rmax));
    const [qmin, qmax] = type === 'int8' ? [-127, 127] : [0, 255];
    const scale = f32((2 * f32(amax)) / (qmax - qmin));
    if (!(scale >= FLOAT32_TINY)) return { scale: 1, zeroPoint: type === 'int8' ? 0 : 128, type };
    return { scale, zeroPoint: type === 'int8' ? 0 : 128, type };
  }
  const [qmin, qmax] = type === 'int8' ? [-128, 127] : [0, 255];
  const scale = f32((f32(rmax) - f32(rmin)) / (qmax - qmin));
  if (!(scale >= FLOAT32_TINY)) return { scale: 1, zeroPoint: type === 'int8' ? 0 : 0, type };
  const zeroPoint = clamp(rint(qmin - f32(f32(rmin) / scale)), qmin, qmax);
  return { scale, zeroPoint, type };
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

export interface QuantizedWeight {
  q: Int8Array;
  /** One per channel (per-tensor: one). */
  scales: Float32Array;
  zeroPoints: Int8Array;
  /** Channel axis; -1 for per-tensor. */
  axis: number;
}

/**
 * Symmetric int8 weights in [-127, 127], zero points 0: per channel along `axis`, or per
 * tensor when axis is -1. An all-zero channel gets scale 1.
 */
export function quantizeWeights(weights: Float32Array, dims: readonly number[], axis: number): QuantizedWeight {
  const { channels, inner } = channelLayout(dims, axis);
  const amax = new Float64Array(channels);
  for (let i = 0; i < weights.length; i++) {
    const c = axis < 0 ? 0 : Math.floor(i / inner) % channels;
    const a = Math.abs(weights[i]!);
    if (a > amax[c]!) amax[c] = a;
  }
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const s = f32((2 * amax[c]!) / 254);
    scales[c] = s >= FLOAT32_TINY ? s : 1;
  }
  const q = new Int8Array(weights.length);
  for (let i = 0; i < weights.length; i++) {
    const c = axis < 0 ? 0 : Math.floor(i / inner) % channels;
    q[i] = clamp(rint(f32(weights[i]! / scales[c]!)), -127, 127);
  }
  return { q, scales, zeroPoints: new Int8Array(channels), axis };
}

/** Per-channel (or per-tensor) symmetric int8; the name the brief's contract uses. */
export function quantizePerChannel(weights: Float32Array, dims: readonly number[], axis: number): QuantizedWeight {
  return quantizeWeights(weights, dims, axis);
}

function channelLayout(dims: readonly number[], axis: number): { channels: number; inner: number } {
  if (axis < 0) return { channels: 1, inner: 1 };
  if (axis >= dims.length) throw new RangeError(`channel axis ${axis} is outside a weight of rank ${dims.length}`);
  let inner = 1;
  for (let d = axis + 1; d < dims.length; d++) inner *= dims[d]!;
  return { channels: dims[axis]!, inner };
}

export interface QuantizedBias {
  q: Int32Array;
  scales: Float32Array;
  /** Values beyond int32 at this scale, clamped (a tiny input or weight scale): the caller should keep such a bias float. */
  clamped: number;
}

/**
 * int32 bias with scale = input scale × weight scale (per output channel), zero point 0, as
 * the integer kernels accumulate it. Values beyond int32 are clamped.
 */
export function quantizeBias(bias: Float32Array, inputScale: number, weightScales: Float32Array): QuantizedBias {
  const perChannel = weightScales.length > 1;
  const scales = new Float32Array(perChannel ? bias.length : 1);
  for (let c = 0; c < scales.length; c++) {
    const s = f32(f32(inputScale) * weightScales[perChannel ? c : 0]!);
    scales[c] = s >= FLOAT32_TINY ? s : 1;
  }
  const q = new Int32Array(bias.length);
  let clamped = 0;
  for (let i = 0; i < bias.length; i++) {
    const v = rint(f32(bias[i]! / scales[perChannel ? i : 0]!));
    if (v < -2147483648 || v > 2147483647) clamped++;
    q[i] = clamp(v, -2147483648, 2147483647);
  }
  return { q, scales, clamped };
}
