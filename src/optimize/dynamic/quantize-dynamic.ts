import { OpsetTooOldError, type ModelEdit } from '../../onnx/edit/model-edit';
import type { ModelFiles } from '../../onnx/io/model-files';
import { NothingToQuantizeError, refuseIfQuantized } from '../already-quantized';
import { preprocess } from '../preprocess/preprocess';
import { inferValueTypes } from '../preprocess/value-types';
import type { QuantSpec } from '../quant-math';
import { rewriteNode, type RewriteContext } from './integer-node';
import { DYNAMIC_MIN_OPSET, type DynamicOptions } from './options';
import { WeightQuantizer } from './quantized-weight';
import { chosenOpTypes, EXCLUDED_BY_NAME, selectNodes, type LeftFloat } from './select-nodes';
import { quantizeWeightOnly } from '../weight-only/weight-only';

export interface DynamicResult {
  nodesAdded: number;
  /** Nodes replaced by their integer form. */
  nodesChanged: number;
  /** Nodes of a chosen op type with a weight that stay float (the flow maps them to node ids for keptFloat). */
  leftFloat: LeftFloat[];
  /** Counts for the report's `details`. */
  details: Record<string, number | string | boolean>;
  warnings: string[];
}

/**
 * Dynamic INT8 quantization, as ORT's quantize_dynamic makes it in its default QOperator
 * format, in every graph (If/Loop/Scan bodies too): weights of MatMul, Gemm and Conv to int8
 * (symmetric, per tensor or per output channel), activations quantized at run time by
 * DynamicQuantizeLinear, MatMulInteger/ConvInteger, then a float rescale. Gemm, which ORT
 * leaves in float, becomes MatMulInteger + rescale + Add of beta·C. Edits `edit` in place;
 * new tensors are computed while the model is written. Throws AlreadyQuantizedError,
 * NothingToQuantizeError, or OpsetTooOldError below opset 11 (quantizeDynamicModel raises it).
 */
export function quantizeDynamic(edit: ModelEdit, files: ModelFiles | undefined, options: DynamicOptions = {}): DynamicResult {
  refuseIfQuantized(edit);
  const opset = edit.opsetVersion('') ?? 0;
  const weightType = options.weightType ?? 'int8';
  const spec: QuantSpec = { type: weightType, symmetric: weightType === 'int8', reduceRange: options.reduceRange ?? false };
  const details: Record<string, number | string | boolean> = {
    weightType,
    perChannel: options.perChannel ?? false,
    reduceRange: spec.reduceRange!,
    preprocessed: !options.skipPreprocess,
  };
  let typeOf;
  if (options.skipPreprocess) {
    typeOf = inferValueTypes(edit, files).typeOf;
  } else {
    const pre = preprocess(edit, files);
    Object.assign(details, { identitiesRemoved: pre.identitiesRemoved, batchNormsFolded: pre.batchNormsFolded, valuesTyped: pre.valuesTyped });
    typeOf = pre.typeOf;
  }
  const { candidates, leftFloat, withoutWeight } = selectNodes(edit.graphs(), options, typeOf);
  // DynamicQuantizeLinear (opset 11) only where a node becomes integer; weight-only storage alone needs 10.
  if (candidates.length && opset < DYNAMIC_MIN_OPSET) throw new OpsetTooOldError(opset, DYNAMIC_MIN_OPSET);
  const skipped = leftFloat.filter((l) => l.reason !== EXCLUDED_BY_NAME).map((l) => `${l.node.op_type} '${l.node.name || l.node.output[0]}' stays float: ${l.reason}`);
  // LSTM/GRU/RNN weights reached through data movement only: int8 behind a DequantizeLinear (weight-only/), no zero point (absent is 0).
  // After the rewrite, as in static mode (a constant a MatMul also read is then read by data movement only); first when it is all there is.
  const filter = { includeOps: options.opTypes, excludeOps: options.excludeOps, includeNodes: options.includeNodes, excludeNodes: options.excludeNodes, idOf: options.idOf };
  const weightOnly = () => quantizeWeightOnly(edit, filter, { files, perAxis: options.perChannel ?? false, zeroPoint: () => undefined });
  const first = candidates.length ? undefined : weightOnly();
  if (first && !first.weights) {
    const ops = chosenOpTypes(options);
    throw new NothingToQuantizeError(`no node would be quantized: dynamic quantization changes ${ops.length ? ops.join(', ') : 'no op type (all excluded)'} nodes whose input 1 is a float32 weight${skipped.length ? `; ${skipped.slice(0, 3).join('; ')}` : ''}`);
  }
  const weights = new WeightQuantizer(edit, files, spec);
  const ctx: RewriteContext = { files, weights, perChannel: options.perChannel ?? false, activations: new Map(), nodesAdded: 0, warnings: [] };
  const byOp: Record<string, number> = {};
  for (const c of candidates) {
    rewriteNode(ctx, c);
    byOp[c.node.op_type!] = (byOp[c.node.op_type!] ?? 0) + 1;
  }
  const wo = first ?? weightOnly();
  edit.sortTopologically();
  for (const [op, n] of Object.entries(byOp)) details[`quantized${op}`] = n;
  details.weightsQuantized = weights.quantizedWeights;
  details.weightOnlyConstants = wo.weights;
  details.weightOnlyNodes = wo.consumers.length;
  details.nodesLeftFloat = skipped.length;
  details.withoutWeight = withoutWeight;
  return { nodesAdded: ctx.nodesAdded + wo.nodesAdded, nodesChanged: candidates.length + wo.changed.length, leftFloat, details, warnings: [...ctx.warnings, ...wo.warnings, ...skipped] };
}
