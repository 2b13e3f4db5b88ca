/**
 * The static (QDQ) quantizer's parameters: activation scales, symmetric int8 weights and int32
 * biases, on the arithmetic of ../quant-math.ts (ORT's quant_utils to the bit), so the
 * integers equal what `quantize_static` writes and what QuantizeLinear computes at run time.
 */

import { FLOAT32_TINY, quantizeValue, quantizeValues, roundHalfEven, scaleAndZeroPoint, type QuantType } from '../quant-math';

export type { QuantType };

export interface QuantParams {
  scale: number;
  zeroPoint: number;
  type: QuantType;
}

/** Round half to even, as numpy.rint and QuantizeLinear do. */
export const rint = roundHalfEven;

const f32 = Math.fround;

/**
 * Scale and zero point of an activation from its calibrated range (ORT's compute_scale_zp,
 * shared with the dynamic quantizer). The range is widened to include 0 (zero must be exact).
 * int8 symmetric: [-127, 127], zero point 0 (what TensorRT needs); uint8 asymmetric: [0, 255].
 */
export function activationParams(range: { min: number; max: number }, type: QuantType, isSymmetric: boolean): QuantParams {
  return { ...scaleAndZeroPoint(range.min, range.max, { type, symmetric: isSymmetric }), type };
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
  const r = quantizeValues(weights, dims, { type: 'int8', symmetric: true }, axis < 0 ? undefined : axis);
  return { q: r.data as Int8Array, scales: r.scales, zeroPoints: r.zeroPoints as Int8Array, axis };
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

/** QuantizeLinear's arithmetic: saturate(rint(x / scale) + zero point). */
export function quantizeWithParams(values: Float32Array, p: QuantParams): Int8Array | Uint8Array {
  const out = p.type === 'int8' ? new Int8Array(values.length) : new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = quantizeValue(values[i]!, p.scale, p.zeroPoint, p.type);
  return out;
}
