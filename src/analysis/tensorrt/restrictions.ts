import { attrsUnset, dilationsOnes, intAttrIs, pooling2dOr3d, sameActivationsBothWays, seedIgnored, stringAttrIn, symmetricPads } from './attribute-checks';
import { axesConstant, constantInput, inputsAbsent, outputsAbsent, ranksAre, staticShape, zeroPointZero } from './input-checks';
import type { NodeFacts } from './node-facts';
import {
  attentionHeadsFromShape, deformSpatialRank, dropoutNotTraining, einsumNoBroadcast, einsumNoEllipsisOrDiagonal, hardmaxAxisStatic, ifBranches,
  loopScanLength, resizeAxesIota, rotaryPositionIdsInt64, stftRealInput, topKBelow3840,
} from './op-checks';
import { TENSORRT_VERSIONS, matrixFor, type TensorRTVersion } from './versions';
import { firstOf, type Verdict } from './verdict';

/**
 * How each restriction phrase of the matrices is handled:
 * - `checked`: decided from the graph (attributes, constant inputs, inferred types and shapes);
 *   a check answers `unknown` only where the graph leaves it open (an unknown shape).
 * - `condition`: cannot be decided from the graph; every node of the op is `conditional` with it.
 * - `note`: text on an op marked N (the node is unsupported anyway); shown as its reason.
 * Keyed by the phrase exactly as scripts/tensorrt-matrix.mjs writes it; test/trt-matrix.test.ts
 * fails when a matrix phrase has no entry here.
 */
export type Rule = { kind: 'checked'; check: (f: NodeFacts) => Verdict } | { kind: 'condition' } | { kind: 'note' };

const checked = (check: (f: NodeFacts) => Verdict): Rule => ({ kind: 'checked', check });
const CONDITION: Rule = { kind: 'condition' };
const NOTE: Rule = { kind: 'note' };

const RESIZE_COORDINATES = ['half_pixel', 'pytorch_half_pixel', 'tf_half_pixel_for_nn', 'asymmetric', 'align_corners'];
const RESIZE_NEAREST = ['floor', 'ceil', 'round_prefer_floor', 'round_prefer_ceil'];
const isNearest = (f: NodeFacts): boolean => f.attrString('mode', 'nearest') === 'nearest';
const axesInitializer = checked(axesConstant(true));
const axesResolvable = checked(axesConstant(false));

export const RULES: Readonly<Record<string, Rule>> = {
  '2D or 3D Pooling only': checked(pooling2dOr3d),
  '2D or 3D pooling only': checked(pooling2dOr3d),
  '`dilations` must be empty or all ones': checked(dilationsOnes),
  '`Indices` output tensor unsupported': checked(outputsAbsent([1], ['Indices'])),
  '`x_zero_point` must be zero': checked(zeroPointZero),
  '`y_zero_point` must be 0': checked(zeroPointZero),
  '`axes` must be an initializer': axesInitializer,
  '`axis` must be an initializer': axesInitializer,
  '`axes` must be a constant tensor': axesInitializer,
  '`axes` must be resolvable to a constant': axesResolvable,
  '`axis` must be a build-time constant': axesResolvable,
  'Ellipsis and diagonal operations are not supported': checked(einsumNoEllipsisOrDiagonal),
  'Broadcasting between inputs is not supported': checked(einsumNoBroadcast),
  'For bidirectional GRUs, activation functions must be the same for both the forward and reverse pass': checked(sameActivationsBothWays),
  'For bidirectional LSTMs, activation functions must be the same for both the forward and reverse pass': checked(sameActivationsBothWays),
  'For bidirectional RNNs, activation functions must be the same for both the forward and reverse pass': checked(sameActivationsBothWays),
  '`input_forget` attribute must be 0': checked(intAttrIs('input_forget', 0, 0)),
  '`layout` attribute must be 0': checked(intAttrIs('layout', 0, 0)),
  'Output tensors of the two conditional branches must have broadcastable shapes, and must have different names': checked(ifBranches('broadcastable')),
  'Output tensors of the two conditional branches must have the same rank and must have different names': checked(ifBranches('same-rank')),
  '`seed` value is ignored by TensorRT': checked(seedIgnored),
  'Supported resize transformation modes: `half_pixel`, `pytorch_half_pixel`, `tf_half_pixel_for_nn`, `asymmetric`, and `align_corners`': checked(stringAttrIn('coordinate_transformation_mode', RESIZE_COORDINATES, 'half_pixel')),
  'Supported resize modes: `nearest`, `linear`': checked(stringAttrIn('mode', ['nearest', 'linear'], 'nearest')),
  'Supported nearest modes: `floor`, `ceil`, `round_prefer_floor`, `round_prefer_ceil`': checked(stringAttrIn('nearest_mode', RESIZE_NEAREST, 'round_prefer_floor', isNearest)),
  'Supported aspect ratio policy: `stretch`': checked(stringAttrIn('keep_aspect_ratio_policy', ['stretch'], 'stretch')),
  'When `scales` is a tensor input, `axes` must be an iota vector of length rank(input)': checked(resizeAxesIota),
  'Antialiasing is not supported': checked(intAttrIs('antialias', 0, 0)),
  '`sparse_value`, `value_string`, and `value_strings` attributes are unsupported': checked(attrsUnset(['sparse_value', 'value_string', 'value_strings'])),
  '`input` must have 1D or 2D spatial dimensions': checked(deformSpatialRank),
  '`pads` for the beginning and end along each spatial axis must be the same': checked(symmetricPads),
  '`is_traning` must be an initializer and evaluate to False': checked(dropoutNotTraining),
  '`is_training` must be an initializer and evaluate to False': checked(dropoutNotTraining),
  '`input` must have static dimensions': checked((f) => staticShape(f, 0, 'input')),
  'Input must be 4D input': checked(ranksAre(4, [0], ['X'])),
  '`axis` dimension of input must be a build-time constant': checked(hardmaxAxisStatic),
  'Only the first output `Y` is supported': checked(outputsAbsent([1, 2], ['Mean', 'InvStdDev'])),
  'Scan output length cannot be dynamic': checked(loopScanLength),
  'The shape of Loop carried dependencies must be the same across all loop iterations': CONDITION,
  '`depth` must be a build-time constant': checked((f) => constantInput(f, 1, 'depth', false)),
  '`reduction` is not supported': checked(stringAttrIn('reduction', ['none'], 'none')),
  '`reduction` other than `none` is not supported': checked(stringAttrIn('reduction', ['none'], 'none')),
  '`sorted` must be 1': checked(intAttrIs('sorted', 1, 1)),
  '`K` input must be less than 3840': checked(topKBelow3840),
  '`Q`, `K`, `V` and `attn_mask ` must be 4D': checked(ranksAre(4, [0, 1, 2, 3], ['Q', 'K', 'V', 'attn_mask'])),
  '`past_key`, `past_value` and `nonpad_kv_seqlen` inputs are unsupported': checked(inputsAbsent([4, 5, 6], ['past_key', 'past_value', 'nonpad_kv_seqlen'])),
  '`present_key`, `present_value` and `qk_matmul_output` outputs are unsupported': checked(outputsAbsent([1, 2, 3], ['present_key', 'present_value', 'qk_matmul_output'])),
  '`qk_matmul_output_mode` and `softcap` attributes are unsupported': checked(attrsUnset(['qk_matmul_output_mode', 'softcap'])),
  "`q_num_heads` and `kv_num_heads` attributes are supported via being specified as the second dimension of `Q` and `K`/`V`'s shapes respectively": checked(attentionHeadsFromShape),
  '`position_ids` must be INT64': checked(rotaryPositionIdsInt64),
  '`frame_step` and `window` must be an initializer': checked((f) => firstOf(constantInput(f, 1, 'frame_step', true), constantInput(f, 2, 'window', true))),
  'Input must be real-valued': checked(stftRealInput),
  '`past_cache` and `update` must be 4D': checked(ranksAre(4, [0, 1], ['past_cache', 'update'])),
  '`axis` must be -2': checked(intAttrIs('axis', -2, -2)),
  'Not supported': NOTE,
  "TensorRT's IDynamicQuantize can be composed from ONNX operators in the form of a model local function": NOTE,
};

export function ruleFor(phrase: string): Rule | undefined {
  return RULES[phrase];
}

export interface PhraseCounts {
  version: TensorRTVersion;
  /** Distinct (op, phrase) pairs of the version's matrix by how they are handled. */
  checked: number;
  condition: number;
  note: number;
  /** Phrases with no entry in RULES (should be none). */
  unhandled: string[];
}

/** Per version: how many restriction phrases (counted per op row) are checked, conditions, notes. */
export function restrictionCounts(version: TensorRTVersion): PhraseCounts {
  const counts: PhraseCounts = { version, checked: 0, condition: 0, note: 0, unhandled: [] };
  for (const [op, row] of Object.entries(matrixFor(version).ops)) {
    for (const phrase of row.restrictions) {
      const rule = ruleFor(phrase);
      if (rule) counts[rule.kind]++;
      else counts.unhandled.push(`${op}: ${phrase}`);
    }
  }
  return counts;
}

export const allRestrictionCounts = (): PhraseCounts[] => TENSORRT_VERSIONS.map(restrictionCounts);
