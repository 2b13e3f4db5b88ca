import { computedTensor, constantTensor, littleEndianBytes } from '../../onnx/edit/computed-tensor';
import type { GraphEdit } from '../../onnx/edit/graph-edit';
import { intAttr, newNode } from '../../onnx/edit/proto-factory';
import type { ModelFiles } from '../../onnx/io/model-files';
import type { NodeProto } from '../../onnx/proto/types';
import { dropWeightIfUnread, floatWeight, readFloats } from '../preprocess/weights';
import { gemmAttributes, type Candidate } from './select-nodes';
import type { WeightQuantizer } from './quantized-weight';

const FLOAT = 1;
const INT64 = 7;

interface QuantizedActivation {
  data: string;
  scale: string;
  zeroPoint: string;
}

/** What the rewrite of one node needs from the run. */
export interface RewriteContext {
  files: ModelFiles | undefined;
  weights: WeightQuantizer;
  perChannel: boolean;
  /** Per graph: activation name → its DynamicQuantizeLinear outputs (one per activation, shared by its readers). */
  activations: Map<GraphEdit, Map<string, QuantizedActivation>>;
  nodesAdded: number;
  warnings: string[];
}

/** DynamicQuantizeLinear of an activation, named as ORT names it (`<x>_QuantizeLinear`). */
function quantizedActivation(ctx: RewriteContext, g: GraphEdit, x: string): QuantizedActivation {
  let map = ctx.activations.get(g);
  if (!map) ctx.activations.set(g, (map = new Map()));
  const known = map.get(x);
  if (known) return known;
  const edit = g.model;
  const q = { data: edit.uniqueName(`${x}_quantized`), scale: edit.uniqueName(`${x}_scale`), zeroPoint: edit.uniqueName(`${x}_zero_point`) };
  g.addNode(newNode({ op: 'DynamicQuantizeLinear', name: edit.uniqueName(`${x}_QuantizeLinear`), inputs: [x], outputs: [q.data, q.scale, q.zeroPoint] }));
  ctx.nodesAdded++;
  map.set(x, q);
  return q;
}

function add(ctx: RewriteContext, g: GraphEdit, node: NodeProto): void {
  g.addNode(node);
  ctx.nodesAdded++;
}

/**
 * Replaces one MatMul, Gemm or Conv by the graph ORT's quantize_dynamic makes (QOperator
 * format): DynamicQuantizeLinear on input 0, MatMulInteger/ConvInteger with the int8
 * weight, Cast int32 → float, Mul by the product of both scales, then the bias Add (Conv
 * bias reshaped to [M, 1, …]; a Gemm's C times beta). The last node writes the original
 * output, so readers are untouched; inserted nodes are named after the node they replace.
 */
export function rewriteNode(ctx: RewriteContext, c: Candidate): void {
  const { graph: g, node } = c;
  const edit = g.model;
  const y = node.output[0]!;
  const base = node.name || y;
  const isConv = node.op_type === 'Conv';
  const gemm = node.op_type === 'Gemm' ? gemmAttributes(node) : undefined;
  let perChannel = ctx.perChannel;
  if (isConv && perChannel && ctx.weights.spec.type !== 'int8') {
    perChannel = false;
    ctx.warnings.push(`Conv '${base}' quantized per tensor: ConvInteger takes one weight zero point, and asymmetric uint8 weights have one per channel`);
  }
  const w = ctx.weights.quantize(c.weight, node.input[1]!, c.weightDims, {
    kind: isConv ? 'conv' : 'matmul',
    transpose: gemm?.transB ?? false,
    perChannel,
    alpha: gemm?.alpha ?? 1,
  });
  const x = quantizedActivation(ctx, g, node.input[0]!);
  const bias = node.input[2] || undefined;
  const [oldWeight, inputs] = [node.input[1]!, [...node.input]];
  g.removeNode(node);

  const integerOut = edit.uniqueName(`${y}_output_quantized`);
  const attributes = isConv ? node.attribute : [];
  add(ctx, g, newNode({ op: isConv ? 'ConvInteger' : 'MatMulInteger', name: edit.uniqueName(`${base}_quant`), inputs: [x.data, w.data, x.zeroPoint, w.zeroPoint], outputs: [integerOut], attributes }));
  const castOut = edit.uniqueName(`${integerOut}_cast_output`);
  add(ctx, g, newNode({ op: 'Cast', name: edit.uniqueName(`${integerOut}_cast`), inputs: [integerOut], outputs: [castOut], attributes: [intAttr('to', FLOAT)] }));
  const scalesName = edit.uniqueName(`${base}_quant_scales_mul`);
  const scales = edit.uniqueName(`${scalesName}:0`);
  add(ctx, g, newNode({ op: 'Mul', name: scalesName, inputs: [x.scale, w.scale], outputs: [scales] }));
  const scaled = bias ? edit.uniqueName(`${y}quant_scaled_output`) : y;
  add(ctx, g, newNode({ op: 'Mul', name: edit.uniqueName(`${base}_quant_output_scale_mul`), inputs: [castOut, scales], outputs: [scaled] }));
  if (bias) add(ctx, g, newNode({ op: 'Add', name: edit.uniqueName(`${y}_bias_add`), inputs: [scaled, biasInput(ctx, g, bias, y, isConv ? c.weightDims.length : 0, gemm?.beta ?? 1)], outputs: [y] }));

  dropWeightIfUnread(g, oldWeight);
  for (const name of inputs.slice(2)) if (name) dropWeightIfUnread(g, name);
}

/**
 * The bias as the Add after the rescale reads it: a Conv's [M] bias as [M, 1, …] (a copy
 * when it is a weight, else a Reshape as ORT inserts), a Gemm's C times beta.
 */
function biasInput(ctx: RewriteContext, g: GraphEdit, bias: string, y: string, convRank: number, beta: number): string {
  const edit = g.model;
  const source = floatWeight(g, bias);
  if (convRank) {
    if (source) {
      const channels = source.tensor.dims.reduce<number>((a, b) => a * Number(b), 1);
      const name = edit.uniqueName(`${y}_bias_reshape_output`);
      source.graph.addInitializer(computedTensor(name, FLOAT, [channels, ...Array<number>(convRank - 2).fill(1)], () => littleEndianBytes(readFloats(source, ctx.files))));
      return name;
    }
    const shape = edit.uniqueName(`${y}_bias_reshape_shape`);
    g.addInitializer(constantTensor(shape, INT64, [convRank], BigInt64Array.from({ length: convRank }, (_, i) => (i === 1 ? -1n : 1n))));
    const out = edit.uniqueName(`${y}_bias_reshape_output`);
    add(ctx, g, newNode({ op: 'Reshape', name: edit.uniqueName(`${y}_bias_reshape`), inputs: [bias, shape], outputs: [out] }));
    return out;
  }
  if (beta === 1) return bias;
  if (source) {
    const name = edit.uniqueName(`${bias}_times_beta`);
    source.graph.addInitializer(computedTensor(name, FLOAT, source.tensor.dims.map(Number), () => littleEndianBytes(readFloats(source, ctx.files).map((v) => Math.fround(v * beta)))));
    return name;
  }
  const betaName = edit.uniqueName(`${y}_beta`);
  g.addInitializer(constantTensor(betaName, FLOAT, [], Float32Array.from([beta])));
  const out = edit.uniqueName(`${y}_bias_times_beta`);
  add(ctx, g, newNode({ op: 'Mul', name: edit.uniqueName(`${y}_beta_mul`), inputs: [bias, betaName], outputs: [out] }));
  return out;
}
