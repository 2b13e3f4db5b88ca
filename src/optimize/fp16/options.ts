import { FLOAT16_MAX } from './to-float16';

/**
 * onnxconverter-common's DEFAULT_OP_BLOCK_LIST (float16.py): ai.onnx.ml operators, which have
 * no float16 kernels, and operators whose float16 results drift (TopK ties, NMS and RoiAlign
 * boxes, Resize/Upsample coordinates, Range and CumSum sums, Min/Max); plus the random
 * generators it leaves out, which ONNX Runtime's CPU provider has no float16 kernel for.
 */
export const DEFAULT_BLOCK_OPS: readonly string[] = [
  'ArrayFeatureExtractor', 'Binarizer', 'CastMap', 'CategoryMapper', 'DictVectorizer', 'FeatureVectorizer', 'Imputer',
  'LabelEncoder', 'LinearClassifier', 'LinearRegressor', 'Normalizer', 'OneHotEncoder', 'RandomUniformLike',
  'SVMClassifier', 'SVMRegressor', 'Scaler', 'TreeEnsembleClassifier', 'TreeEnsembleRegressor', 'ZipMap',
  'NonMaxSuppression', 'TopK', 'RoiAlign', 'Resize', 'Range', 'CumSum', 'Min', 'Max', 'Upsample',
  'RandomUniform', 'RandomNormal', 'RandomNormalLike',
];

export interface Fp16Options {
  /** Graph inputs and outputs stay float32 with Casts at the boundary (default true; onnxconverter-common's keep_io_types). */
  keepIoTypes: boolean;
  /** Operator types (any domain) kept in float32 with Casts around them (default DEFAULT_BLOCK_OPS; op_block_list). */
  blockOps: readonly string[];
  /** Node names or node ids kept in float32 (default none; node_block_list). */
  blockNodes: readonly string[];
  /** Finite values beyond ± this become ± this (default 65504; max_finite_val, whose default there is 1e4). */
  maxFinite: number;
  /**
   * Non-zero values closer to 0 become ± this (min_positive_val, 1e-7 there). Default 0:
   * float16 subnormals are kept and values below 2^-25 round to ±0 (counted as flushed).
   */
  minPositive: number;
  /**
   * A node reading a weight with values beyond ±maxFinite: 'keep-float32' (default) keeps that
   * node float32 and the weight exact; 'clamp' converts it, clamping (onnxconverter-common's way).
   * Either way values that do become float16 are clamped and counted.
   */
  outOfRange: 'keep-float32' | 'clamp';
}

export const DEFAULT_FP16_OPTIONS: Fp16Options = {
  keepIoTypes: true,
  blockOps: DEFAULT_BLOCK_OPS,
  blockNodes: [],
  maxFinite: FLOAT16_MAX,
  minPositive: 0,
  outOfRange: 'keep-float32',
};

/** Options with defaults filled in; a bad range is a usage error (RangeError). */
export function fp16Options(given: Partial<Fp16Options> = {}): Fp16Options {
  const o = { ...DEFAULT_FP16_OPTIONS, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) } as Fp16Options;
  if (!(o.maxFinite > 0 && o.maxFinite <= FLOAT16_MAX)) throw new RangeError(`maxFinite must be in (0, ${FLOAT16_MAX}], got ${o.maxFinite}`);
  if (!(o.minPositive >= 0 && o.minPositive < o.maxFinite)) throw new RangeError(`minPositive must be in [0, maxFinite), got ${o.minPositive}`);
  if (o.outOfRange !== 'keep-float32' && o.outOfRange !== 'clamp') throw new RangeError(`outOfRange must be 'keep-float32' or 'clamp', got ${String(o.outOfRange)}`);
  return o;
}
