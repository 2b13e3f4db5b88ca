import { axesInput, clipInputs, dftAxisInput, dropoutRatioInput, padInputs, sliceInputs, splitInput, topKInput } from './moved-inputs';
import { groupNormPerChannel, preluChannelSlope } from './per-channel';
import { scanWithoutBatch } from './scan';
import { batchNormOutputs, batchNormSpatial, dropoutMask, gridSampleModes, roiAlignMode, scatterToScatterElements, splitNumOutputs } from './other-changes';
import { resize10To11, resize13, upsampleScalesInput, upsampleToResize } from './resize';
import { resolveSchema } from '../../schema/registry';
import type { Conversion } from './scope';
import { singleAxis } from './softmax';
import { dropIsTest, gemmBroadcast, numpyBroadcast } from './opset7';

/**
 * Every new version of a default-domain operator from opset 7 to 21 (except GRU, LSTM, RNN
 * and Upsample at 7) (Changelog.md), either
 * converted (CONVERSIONS: the node is rewritten to the new meaning) or backward compatible
 * (COMPATIBLE: new types, new optional inputs/attributes whose defaults keep the old
 * meaning, negative axes, …). A version in neither list is refused: a node is never carried
 * across a change nobody read.
 */

const BINARY_7 = ['Add', 'And', 'Div', 'Equal', 'Greater', 'Less', 'Mul', 'Or', 'Pow', 'Sub', 'Xor'];
const REDUCE_18 = ['ReduceL1', 'ReduceL2', 'ReduceLogSum', 'ReduceLogSumExp', 'ReduceMax', 'ReduceMean', 'ReduceMin', 'ReduceProd', 'ReduceSumSquare'];

/** op → opset version → the conversion of a node of the previous version to that one. */
export const CONVERSIONS: Readonly<Record<string, Readonly<Record<number, Conversion>>>> = {
  BatchNormalization: { 7: dropIsTest, 9: batchNormSpatial, 14: batchNormOutputs },
  Clip: { 11: clipInputs },
  DFT: { 20: dftAxisInput },
  Dropout: { 7: dropIsTest, 10: dropoutMask, 12: dropoutRatioInput },
  Gemm: { 7: gemmBroadcast },
  GridSample: { 20: gridSampleModes },
  GroupNormalization: { 21: groupNormPerChannel },
  Hardmax: { 13: singleAxis },
  LogSoftmax: { 13: singleAxis },
  Pad: { 11: padInputs },
  PRelu: { 7: preluChannelSlope },
  ReduceSum: { 13: axesInput },
  Resize: { 11: resize10To11, 13: resize13 },
  RoiAlign: { 16: roiAlignMode },
  Scan: { 9: scanWithoutBatch },
  Scatter: { 11: scatterToScatterElements },
  Slice: { 10: sliceInputs },
  Softmax: { 13: singleAxis },
  Split: { 13: splitInput, 18: splitNumOutputs },
  Squeeze: { 13: axesInput },
  TopK: { 10: topKInput },
  Unsqueeze: { 13: axesInput },
  Upsample: { 9: upsampleScalesInput, 10: upsampleToResize },
  ...Object.fromEntries(BINARY_7.map((op) => [op, { 7: numpyBroadcast }])),
  ...Object.fromEntries(REDUCE_18.map((op) => [op, { 18: axesInput }])),
};

const words = (s: string): string[] => s.split(/\s+/).filter(Boolean);

/** opset version → operators whose version of it keeps the meaning of their previous version. */
export const COMPATIBLE: Readonly<Record<number, readonly string[]>> = {
  7: words('AveragePool'),
  8: words('Max MaxPool Mean Min Sum'),
  9: words('Cast Constant Flatten Gemm Greater Less MatMul PRelu'),
  10: words('AveragePool MaxPool'),
  11: words(`ArgMax ArgMin AveragePool Concat Constant Conv ConvTranspose DepthToSpace Equal Flatten Gather Gemm
    Hardmax If LogSoftmax Loop LpPool MaxPool ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean
    ReduceMin ReduceProd ReduceSum ReduceSumSquare Slice Softmax Split Squeeze TopK Unsqueeze Scan Compress MaxUnpool
    OneHot NonMaxSuppression`),
  12: words('ArgMax ArgMin Clip Constant Max MaxPool Min Pow ReduceMax ReduceMin GatherND'),
  13: words(`Abs Add ArgMax ArgMin Cast Ceil Clip Concat Constant DepthToSpace Div Dropout Equal Exp Flatten Floor
    Gather Gemm Greater Identity If LRN Less Log Loop MatMul Max Mean Min Mul Neg Pad Pow Reciprocal ReduceL1 ReduceL2
    ReduceLogSum ReduceLogSumExp ReduceMax ReduceMean ReduceMin ReduceProd ReduceSumSquare Relu Reshape Shape Sigmoid
    Size Slice SpaceToDepth Sqrt Sub Sum Tanh Tile Transpose Expand Erf IsNaN MeanVarianceNormalization NonZero Sign
    DequantizeLinear Mod QuantizeLinear GatherElements GatherND ScatterElements ScatterND NegativeLogLikelihoodLoss
    SoftmaxCrossEntropyLoss`),
  14: words('Add Div GRU Identity LSTM Mul RNN Relu Reshape Sub CumSum'),
  15: words('BatchNormalization Pow Shape'),
  16: words('Identity If LeakyRelu Loop PRelu Scan Where ScatterElements ScatterND GreaterOrEqual LessOrEqual'),
  18: words('LpPool Pad Resize ScatterElements ScatterND OptionalGetElement OptionalHasElement'),
  19: words('AveragePool Cast Constant Equal Identity If Loop Pad Reshape Shape Size Scan DequantizeLinear QuantizeLinear Resize CastLike'),
  20: words('ReduceMax ReduceMin ConstantOfShape IsNaN IsInf'),
  21: words(`Cast Constant Flatten Identity If Loop Pad Reshape Shape Size Squeeze Transpose Unsqueeze Scan ConstantOfShape
    DequantizeLinear QLinearMatMul QuantizeLinear CastLike`),
};

/** Whether the operator has a version that starts exactly at opset `v` (and an older one). */
export function changedAt(op: string, v: number): boolean {
  const before = resolveSchema('', op, v - 1);
  const at = resolveSchema('', op, v);
  return before !== undefined && at !== undefined && at.since === v;
}
