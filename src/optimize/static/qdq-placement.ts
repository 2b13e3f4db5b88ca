/**
 * Where Q/DQ pairs go, decided as ONNX Runtime's QDQ quantizer decides it (its QDQ operator
 * registry), over the decoded model without changing it. Nodes are visited in graph order:
 *
 * - weighted ops (Conv, ConvTranspose, Gemm, MatMul): activation inputs and the output get
 *   Q/DQ, constant weights become int8 per channel (axis 0 for Conv, 1 for ConvTranspose,
 *   Gemm 0 with transB else 1, MatMul the last axis of a 2-D weight), biases int32 or float;
 * - "normal" ops (Add, Mul, Concat, pools, Sigmoid, LeakyRelu, Softmax, ...): every float
 *   input and the output get Q/DQ with their own range (Softmax's output: the fixed [0, 1]);
 * - shared-scale ops (Reshape, Transpose, Squeeze, Unsqueeze, Flatten, MaxPool, Slice, Pad,
 *   Resize, Split, Gather, ...): only when their data input is already quantized, their
 *   outputs get Q/DQ with the input's scale and zero point (they move int8 values unchanged);
 * - Relu/Clip right after a quantized output: folded (asymmetric) or fused (symmetric), see presets.ts.
 *
 * Nodes inside If/Loop/Scan bodies get their weights quantized but keep float activations:
 * calibration cannot observe values inside a subgraph.
 */
import type { Graph, Model, Node, Value } from '../../onnx/model/graph';
import type { InferenceResult } from '../../onnx/infer/infer';
import type { GraphEdit, WeightSource } from '../../onnx/edit/graph-edit';
import { namesReadInSubgraphs } from '../../onnx/edit/subgraphs';
import type { TensorProto } from '../../onnx/proto/types';
import type { Range } from './ranges';
import type { ResolvedSettings, StaticOptions } from './presets';

const FLOAT = 1;

const WEIGHTED = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);
/** Own-scale ops: which inputs carry data (undefined: all). */
const NORMAL: Record<string, number[] | undefined> = {
  Add: [0, 1], Mul: [0, 1], Concat: undefined, AveragePool: [0], GlobalAveragePool: [0], Sigmoid: [0],
  LeakyRelu: [0], Softmax: [0], HardSigmoid: [0], HardSwish: [0],
};
/** Ops that move values without changing them: outputs share the data input's scale. */
const SHARED = new Set(['Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Flatten', 'MaxPool', 'Slice', 'Pad', 'Resize', 'Split', 'Gather', 'DepthToSpace', 'SpaceToDepth']);
const FOLDABLE = new Set(['Relu', 'Clip']);

/** Every op type the placement can quantize. */
export const QUANTIZABLE_OPS: readonly string[] = [...WEIGHTED, ...Object.keys(NORMAL), ...SHARED, ...FOLDABLE];

/** How an activation's scale and zero point are found. */
export type ActivationSource =
  | { kind: 'range'; of: string }
  | { kind: 'shared'; with: string }
  | { kind: 'fixed'; range: Range };

export interface PlannedActivation {
  tensor: string;
  source: ActivationSource;
}

/** A constant float input turned into int8 + DequantizeLinear. */
export interface PlannedWeight {
  node: Node;
  input: number;
  /** Channel axis, or -1 per tensor. */
  axis: number;
  /** 'weight': int8 symmetric; 'constant': a constant operand of a normal op, quantized like an activation from its own values. */
  role: 'weight' | 'constant';
  source: WeightSource;
}

export interface PlannedBias {
  node: Node;
  input: number;
  /** The activation whose scale multiplies the weight's. */
  activation: string;
  weight: PlannedWeight;
  source: WeightSource;
}

export interface PlannedFold {
  /** The Relu/Clip removed. */
  node: Node;
  producer: Node;
  output: number;
}

export interface QdqPlan {
  activations: Map<string, PlannedActivation>;
  weights: PlannedWeight[];
  biases: PlannedBias[];
  folds: PlannedFold[];
  /**
   * Nodes quantized: 'full' (Q/DQ on activations) or 'weights' (int8 weights, float
   * activations). Nodes of 'weights' and of keptFloat read float activations: a Q/DQ pair
   * placed for a neighbour does not feed them.
   */
  quantized: { node: Node; how: 'full' | 'weights' }[];
  keptFloat: { node: Node; why: string }[];
}

/** `editOf` gives the GraphEdit of a graph of `model` (the same protos): weights are found through it. */
export function planQdq(model: Model, editOf: (g: Graph) => GraphEdit, types: InferenceResult, settings: ResolvedSettings, options: StaticOptions): QdqPlan {
  const plan: QdqPlan = { activations: new Map(), weights: [], biases: [], folds: [], quantized: [], keptFloat: [] };
  const planner = new Planner(model, editOf, types, settings, options, plan);
  for (const graph of model.graphs()) planner.visit(graph);
  return plan;
}

class Planner {
  private readonly handled = new Set<Node>();
  private readonly outerUses: Set<string>;
  private readonly include?: Set<string>;
  private readonly excludeOps: Set<string>;
  private readonly excludeNodes: Set<string>;
  private readonly weightOnly: Set<string>;
  /** The preset's op types: the others are not candidates (not listed as kept float either). */
  private readonly presetOps: Set<string>;

  constructor(
    private readonly model: Model,
    private readonly editOf: (g: Graph) => GraphEdit,
    private readonly types: InferenceResult,
    private readonly settings: ResolvedSettings,
    options: StaticOptions,
    private readonly plan: QdqPlan,
  ) {
    this.outerUses = new Set(model.graph.nodes.flatMap((n) => (n.subgraphs.length ? [...namesReadInSubgraphs(n.proto)] : [])));
    this.include = options.includeOps && new Set(options.includeOps);
    this.excludeOps = new Set(options.excludeOps ?? []);
    this.excludeNodes = new Set(options.excludeNodes ?? []);
    this.weightOnly = new Set(options.weightOnlyNodes ?? []);
    this.presetOps = new Set(options.includeOps ? QUANTIZABLE_OPS : (settings.opTypes ?? QUANTIZABLE_OPS));
  }

  visit(graph: Graph): void {
    const isMain = graph === this.model.graph;
    for (const node of graph.nodes) {
      if (this.handled.has(node)) continue;
      const op = node.domain === '' ? node.opType : '';
      if (!QUANTIZABLE_OPS.includes(op) || !this.presetOps.has(op)) continue;
      const why = this.excluded(node, op);
      if (why) {
        this.plan.keptFloat.push({ node, why });
        continue;
      }
      const fallback = this.isFallback(node);
      const activations = isMain && !fallback;
      if (WEIGHTED.has(op)) this.weighted(node, op, activations);
      else if (fallback) this.plan.keptFloat.push({ node, why: 'fallback: activations kept float' });
      else if (!activations) continue;
      else if (op in NORMAL) this.normal(node, op);
      else if (SHARED.has(op)) this.shared(node);
    }
  }

  private excluded(node: Node, op: string): string | undefined {
    if (this.excludeNodes.has(node.name) || this.excludeNodes.has(node.id)) return 'excluded by name';
    if (this.excludeOps.has(op)) return `op type ${op} excluded`;
    if (this.include && !this.include.has(op)) return `op type ${op} not in the included op types`;
    return undefined;
  }

  private weighted(node: Node, op: string, activations: boolean): void {
    const weightInput = op === 'MatMul' ? this.matmulWeightInput(node) : 1;
    let weight: PlannedWeight | undefined;
    if (weightInput >= 0) {
      const source = this.constant(node, node.inputs[weightInput]);
      if (source && source.tensor.data_type === FLOAT) {
        weight = { node, input: weightInput, axis: this.weightAxis(node, op, source.tensor, weightInput), role: 'weight', source };
        this.plan.weights.push(weight);
      }
    }
    if (!weight && !activations) {
      if (this.isFallback(node)) this.plan.keptFloat.push({ node, why: 'fallback: activations kept float' });
      return;
    }
    const before = this.plan.activations.size;
    if (activations) {
      const dataInputs = op === 'MatMul' ? [0, 1] : op === 'Gemm' ? [0, 1] : [0];
      for (const i of dataInputs) if (i !== weight?.input) this.activation(node, i);
      this.output(node, 0);
      const bias = this.biasInput(node, op);
      if (weight && bias !== undefined && this.settings.quantizeBias && this.plan.activations.has(node.inputs[0] ?? '')) {
        const source = this.constant(node, node.inputs[bias]);
        if (source && source.tensor.data_type === FLOAT && source.tensor.dims.length === 1) {
          this.plan.biases.push({ node, input: bias, activation: node.inputs[0]!, weight, source });
        }
      }
    }
    // A float16 or integer node gets nothing: it is not counted as quantized.
    if (weight || this.plan.activations.size > before) this.plan.quantized.push({ node, how: activations ? 'full' : 'weights' });
  }

  /** MatMul: the constant operand (B preferred), -1 when both are activations. */
  private matmulWeightInput(node: Node): number {
    for (const i of [1, 0]) {
      const s = this.constant(node, node.inputs[i]);
      if (s && s.tensor.data_type === FLOAT) return i;
    }
    return -1;
  }

  private weightAxis(node: Node, op: string, tensor: TensorProto, input: number): number {
    if (!this.settings.perChannel) return -1;
    const rank = tensor.dims.length;
    if (op === 'Conv') return rank >= 2 ? 0 : -1;
    if (op === 'ConvTranspose') return rank >= 2 && intAttr(node, 'group', 1) === 1 ? 1 : -1;
    if (op === 'Gemm') return rank === 2 ? (intAttr(node, 'transB', 0) ? 0 : 1) : -1;
    // MatMul: output channels are B's last axis; A or batched weights stay per tensor.
    return input === 1 && rank === 2 ? 1 : -1;
  }

  /** Conv/ConvTranspose/Gemm bias input (2) when a bias can become int32 exactly as the kernels take it. */
  private biasInput(node: Node, op: string): number | undefined {
    if (op === 'MatMul' || !node.inputs[2]) return undefined;
    if (op === 'Gemm' && (floatAttr(node, 'alpha', 1) !== 1 || floatAttr(node, 'beta', 1) !== 1 || intAttr(node, 'transA', 0))) return undefined;
    return 2;
  }

  private normal(node: Node, op: string): void {
    const before = this.plan.activations.size + this.plan.weights.length;
    const inputs = NORMAL[op] ?? node.inputs.map((_, i) => i);
    for (const i of inputs) {
      const name = node.inputs[i];
      if (!name) continue;
      const source = this.constant(node, name);
      if (source) {
        if (source.tensor.data_type === FLOAT) this.plan.weights.push({ node, input: i, axis: -1, role: 'constant', source });
      } else this.activation(node, i);
    }
    if (op !== 'Softmax') this.output(node, 0);
    else if (this.isFloat(node.graph.value(node.outputs[0]!))) this.setActivation(node.outputs[0]!, { kind: 'fixed', range: { min: 0, max: 1 } });
    // Shape arithmetic (Add/Mul/Concat of int64) gets nothing and is not counted.
    if (this.plan.activations.size + this.plan.weights.length > before) this.plan.quantized.push({ node, how: 'full' });
  }

  private shared(node: Node): void {
    const input = node.inputs[0] ?? '';
    if (!this.plan.activations.has(input)) return;
    const outputs = node.opType === 'MaxPool' ? [0] : node.outputs.map((_, i) => i);
    for (const i of outputs) {
      const out = node.outputs[i];
      if (out && this.isFloat(node.graph.value(out))) this.setActivation(out, { kind: 'shared', with: input });
    }
    this.plan.quantized.push({ node, how: 'full' });
  }

  private activation(node: Node, i: number): void {
    const name = node.inputs[i];
    if (!name || this.plan.activations.has(name)) return;
    const v = node.graph.resolve(name);
    if (!v || !this.isFloat(v)) return;
    this.setActivation(name, { kind: 'range', of: name });
  }

  /** Quantizes output `i`, folding or fusing a Relu/Clip that is its only reader. */
  private output(node: Node, i: number): void {
    const name = node.outputs[i];
    if (!name) return;
    const v = node.graph.value(name);
    if (!this.isFloat(v)) return;
    const next = v.consumers.length === 1 && !v.isGraphOutput && !this.outerUses.has(name) ? v.consumers[0]! : undefined;
    const after = next?.outputs[0];
    // Folding removes the Relu: its output must reach every reader through a Q/DQ pair, so not a graph output or a subgraph's read.
    const foldable = !this.settings.foldActivations || (!!after && !node.graph.value(after).isGraphOutput && !this.outerUses.has(after));
    if (next && after && foldable && next.domain === '' && FOLDABLE.has(next.opType) && !this.excluded(next, next.opType) && !this.isFallback(next) && this.constantBounds(next)) {
      this.handled.add(next);
      if (this.settings.foldActivations) this.plan.folds.push({ node: next, producer: node, output: i });
      else this.plan.quantized.push({ node: next, how: 'full' });
      this.setActivation(after, { kind: 'range', of: after });
      return;
    }
    this.setActivation(name, { kind: 'range', of: name });
  }

  private setActivation(tensor: string, source: ActivationSource): void {
    if (!this.plan.activations.has(tensor)) this.plan.activations.set(tensor, { tensor, source });
  }

  private isFallback(node: Node): boolean {
    return this.weightOnly.has(node.id) || this.weightOnly.has(node.name);
  }

  /** The weight (initializer or Constant, through Identity) read as `name` by `node`. */
  private constant(node: Node, name: string | undefined): WeightSource | undefined {
    return name ? this.editOf(node.graph).weight(name) : undefined;
  }

  /** Clip folds only with constant bounds (attributes, or constant inputs). */
  private constantBounds(node: Node): boolean {
    return node.opType !== 'Clip' || node.inputs.slice(1).every((name) => !name || this.constant(node, name) !== undefined);
  }

  private isFloat(v: Value): boolean {
    const t = this.types.typeOf(v);
    return t?.kind === 'tensor' && t.elemType === FLOAT;
  }
}

export function intAttr(node: Node, name: string, fallback: number): number {
  const a = node.attribute(name);
  return a ? a.int() : fallback;
}

export function floatAttr(node: Node, name: string, fallback: number): number {
  const a = node.attribute(name);
  return a ? a.float() : fallback;
}
