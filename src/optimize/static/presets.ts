/**
 * Static INT8 presets and options. Each preset states its default calibration method and
 * per-channel setting; explicit options override them.
 *
 * - `tensorrt`: activations int8 symmetric (zero point an int8 0), weights int8 symmetric per
 *   channel, biases left float (TensorRT fuses and quantizes them itself), Percentile
 *   calibration (99.999 % of |x|). Not Entropy, TensorRT's own EntropyCalibration2: measured on
 *   held-out real data it clips transformer activations (PP-OCRv4 rec worst cosine 0.40 against
 *   0.83) and is no better on CNNs (ResNet-18 0.9986 against 0.9998); NVIDIA's Model Optimizer
 *   also calibrates INT8 by range, not KL. Relu/Clip after a quantized op keep
 *   their node and take the Q/DQ at their output, which TensorRT fuses. Q/DQ go where NVIDIA's
 *   placement guidance puts them: on the inputs of weighted ops (Conv, ConvTranspose, Gemm,
 *   MatMul) and pooling, not on element-wise arithmetic, Softmax or data movement, which
 *   TensorRT runs in the precision its fusions choose. Measured on ViT-B/16 (held-out worst
 *   cosine): ORT's placement 0.63, without Softmax 0.67, without Add/Mul 0.88, weighted ops and
 *   pools only 0.9987; ResNet-18 and MobileNetV3 unchanged (0.9997, 0.999).
 * - `cpu`: activations uint8 asymmetric, weights int8 symmetric per channel, int32 biases
 *   (scale = input scale × weight scale) as ONNX Runtime's QLinearConv/QGemm kernels take them,
 *   MinMax calibration (ORT's quantize_static default). Relu/Clip after a quantized op are
 *   folded into the preceding output's range and removed, as ORT's QDQ quantizer does.
 *   Per channel is on (ORT's own default is off; its CPU kernels run per-channel weights and
 *   they keep accuracy on depthwise convolutions).
 */
import type { CalibrationMethod, RangeOptions } from './ranges';
import type { QuantType } from './quant-params';

export type StaticPreset = 'tensorrt' | 'cpu';
export const STATIC_PRESETS: readonly StaticPreset[] = ['tensorrt', 'cpu'];

export interface PresetSettings {
  method: CalibrationMethod;
  perChannel: boolean;
  activationType: QuantType;
  symmetricActivations: boolean;
  /** int32 biases (cpu) or float biases (tensorrt). */
  quantizeBias: boolean;
  /** Remove Relu/Clip and quantize the producer's output with their range (asymmetric only). */
  foldActivations: boolean;
  /** Op types that get Q/DQ (undefined: every op the placement knows, as ORT's QDQ quantizer). */
  opTypes?: readonly string[];
}

export const PRESETS: Record<StaticPreset, PresetSettings> = {
  tensorrt: {
    method: 'percentile', perChannel: true, activationType: 'int8', symmetricActivations: true, quantizeBias: false, foldActivations: false,
    opTypes: ['Conv', 'ConvTranspose', 'Gemm', 'MatMul', 'MaxPool', 'AveragePool', 'GlobalAveragePool', 'Relu', 'Clip'],
  },
  cpu: { method: 'minmax', perChannel: true, activationType: 'uint8', symmetricActivations: false, quantizeBias: true, foldActivations: true },
};

export interface StaticOptions {
  preset: StaticPreset;
  /** Overrides the preset's method (used by the flow when it selects ranges). */
  method?: CalibrationMethod;
  /** Overrides the preset's per-channel setting. */
  perChannel?: boolean;
  /** Only these op types are quantized (default: the preset's op types). */
  includeOps?: string[];
  /** Op types left in float. */
  excludeOps?: string[];
  /** Node names or node ids left in float. */
  excludeNodes?: string[];
  /**
   * Node ids whose activation Q/DQ is dropped while their weights stay int8 (the
   * accuracy-aware fallback's first step).
   */
  weightOnlyNodes?: string[];
  /** Percentile for the percentile method (default 99.999). */
  percentile?: number;
  /** Subtract the expected int8 weight error from Conv/Gemm biases (bias-correction.ts; default BIAS_CORRECTION_DEFAULT). */
  biasCorrection?: boolean;
  /** Per-channel means of the values `valuesToAverage` names, from calibration: what bias correction weighs the weight error by. */
  channelMeans?: ReadonlyMap<string, ArrayLike<number>>;
}

export interface ResolvedSettings extends PresetSettings {
  preset: StaticPreset;
}

export function resolveSettings(options: StaticOptions): ResolvedSettings {
  const base = PRESETS[options.preset];
  if (!base) throw new RangeError(`unknown preset '${options.preset}' (known: ${STATIC_PRESETS.join(', ')})`);
  return { ...base, preset: options.preset, method: options.method ?? base.method, perChannel: options.perChannel ?? base.perChannel };
}

/** How ranges are selected from calibration statistics for these options. */
export function rangeOptionsFor(options: StaticOptions): RangeOptions {
  const s = resolveSettings(options);
  return { method: s.method, symmetric: s.symmetricActivations, percentile: options.percentile };
}

/**
 * Bias correction is off unless asked for, or a target is given (the flow turns it on for the
 * accuracy-aware mode: static-flow.ts). Measured (held-out worst cosine, tensorrt preset):
 * with int8 weights and float activations it lifts PP-OCRv4 det 0.897 → 0.994 and rec
 * 0.957 → 0.976; with --target-cosine 0.98, det 0.974 → 0.994, rec 0.971 → 0.980 and the PP-OCR
 * direction classifier 0.990 held out (it halves that model's logit error). Without a target
 * det (0.898 → 0.885) and rec (0.824 → 0.805) lose a little.
 */
export const BIAS_CORRECTION_DEFAULT = false;

export function biasCorrectionOn(options: StaticOptions): boolean {
  return options.biasCorrection ?? BIAS_CORRECTION_DEFAULT;
}
