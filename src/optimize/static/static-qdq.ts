/**
 * Static INT8 quantization in QDQ form: given calibrated ranges, inserts QuantizeLinear /
 * DequantizeLinear pairs where the placement (qdq-placement.ts) puts them and replaces float
 * weights by int8 ones behind DequantizeLinear. Edits the ModelProto in place.
 */
import { inferModel } from '../../onnx/infer/infer';
import type { Model, Node } from '../../onnx/model/graph';
import { toNumber } from '../../onnx/proto/byte-range';
import type { GraphProto, ModelProto, NodeProto, TensorProto } from '../../onnx/proto/types';
import { Tensor } from '../../onnx/tensor';
import { resolveSettings, type ResolvedSettings, type StaticOptions } from './presets';
import { DTYPE, bytesOf, intAttribute, makeConstant, makeNode, makeTensor } from './proto-make';
import { dimsOf, planQdq, type ConstantSource, type PlannedActivation, type PlannedWeight, type QdqPlan } from './qdq-placement';
import { ProtoRewriter } from './qdq-rewrite';
import { activationParams, quantizeBias, quantizeWeights, rint, type QuantParams } from './quant-params';
import type { Range } from './ranges';

/** The model cannot be quantized as asked (opset too old, nothing to quantize): no output. */
export class StaticQuantizeError extends Error {
  override name = 'StaticQuantizeError';
}

/** Lowest opset with QuantizeLinear/DequantizeLinear, and with their `axis` (per channel). */
export const QDQ_MIN_OPSET = 10;
export const PER_CHANNEL_MIN_OPSET = 13;

export interface StaticResult {
  /** The same ModelProto, edited. */
  model: ModelProto;
  nodesAdded: number;
  nodesChanged: number;
  /** Ids (in the input model) of the nodes quantized with Q/DQ on their activations. */
  quantizedNodes: string[];
  /** Ids of nodes whose weights are int8 but activations float (subgraphs, fallback). */
  weightOnlyNodes: string[];
  keptFloat: string[];
  keptFloatWhy: Record<string, string>;
  /** Scale and zero point per quantized activation (also what a TensorRT calibration cache is made of). */
  activationParams: Map<string, QuantParams>;
  details: Record<string, number | string | boolean>;
  warnings: string[];
}

/** Names of the main-graph activations whose ranges `quantizeStatic` will ask for. */
export function valuesToCalibrate(model: Model, options: StaticOptions): string[] {
  const { plan } = prepare(model, options, []);
  const names = new Set<string>();
  for (const a of plan.activations.values()) if (a.source.kind === 'range') names.add(a.source.of);
  return [...names];
}

function prepare(model: Model, options: StaticOptions, warnings: string[]): { plan: QdqPlan; settings: ResolvedSettings } {
  const settings = resolveSettings(options);
  const opset = model.opsetImports.get('') ?? 0;
  if (opset < QDQ_MIN_OPSET) {
    throw new StaticQuantizeError(`the model imports opset ${opset}; QuantizeLinear/DequantizeLinear need opset ${QDQ_MIN_OPSET}: convert the model's opset first`);
  }
  if (settings.perChannel && opset < PER_CHANNEL_MIN_OPSET) {
    warnings.push(`opset ${opset} has no per-channel DequantizeLinear (opset ${PER_CHANNEL_MIN_OPSET}): weights are quantized per tensor`);
    settings.perChannel = false;
  }
  const types = inferModel(model);
  return { plan: planQdq(model, types, settings, options), settings };
}

/**
 * Quantizes `model` (decoded with its files, so weights can be read) with the given ranges
 * (by activation name, from calibration). Activations without a range stay float, with a
 * warning. The model's proto is edited in place and returned in the result.
 */
export function quantizeStatic(model: Model, ranges: ReadonlyMap<string, Range>, options: StaticOptions): StaticResult {
  const warnings: string[] = [];
  const { plan, settings } = prepare(model, options, warnings);
  if (plan.quantized.length === 0) throw new StaticQuantizeError('no node of this model would be quantized');
  const q = new QdqWriter(model, settings, ranges, warnings);
  q.apply(plan);
  const keptFloatWhy: Record<string, string> = {};
  for (const k of plan.keptFloat) keptFloatWhy[k.node.id] = k.why;
  const full = plan.quantized.filter((x) => x.how === 'full').map((x) => x.node.id);
  const weightOnly = plan.quantized.filter((x) => x.how === 'weights').map((x) => x.node.id);
  return {
    model: model.proto,
    nodesAdded: q.rewriter.nodesAdded,
    nodesChanged: q.changed.size,
    quantizedNodes: full,
    weightOnlyNodes: weightOnly,
    keptFloat: Object.keys(keptFloatWhy),
    keptFloatWhy,
    activationParams: q.params,
    details: {
      preset: settings.preset,
      method: settings.method,
      perChannel: settings.perChannel,
      activationType: settings.activationType,
      quantizedNodes: full.length,
      weightOnlyNodes: weightOnly.length,
      qdqPairs: q.params.size,
      weightsQuantized: q.weightCount,
      biasesQuantized: q.biasCount,
      foldedActivations: plan.folds.length,
      constantsRemoved: q.dropped,
    },
    warnings,
  };
}

interface WrittenWeight {
  output: string;
  scales: Float32Array;
}

class QdqWriter {
  readonly rewriter: ProtoRewriter;
  readonly params = new Map<string, QuantParams>();
  private readonly paramNames = new Map<string, { scale: string; zeroPoint: string }>();
  readonly changed = new Set<NodeProto>();
  private readonly weights = new Map<string, WrittenWeight>();
  private readonly weightOf = new Map<PlannedWeight, WrittenWeight>();
  private readonly replacedInputs: string[] = [];
  weightCount = 0;
  biasCount = 0;
  dropped = 0;
  private readonly main: GraphProto;

  constructor(
    private readonly model: Model,
    private readonly settings: ResolvedSettings,
    private readonly ranges: ReadonlyMap<string, Range>,
    private readonly warnings: string[],
  ) {
    this.rewriter = new ProtoRewriter(model.proto);
    this.main = model.graph.proto;
  }

  apply(plan: QdqPlan): void {
    for (const f of plan.folds) this.fold(f.node, f.producer, f.output);
    for (const w of plan.weights) this.weight(w);
    this.activations(plan.activations);
    for (const b of plan.biases) this.bias(b.node, b.input, b.activation, b.weight, b.source);
    this.rewriter.commit();
    this.dropped = this.rewriter.dropUnread(this.replacedInputs);
  }

  /** Relu/Clip removed: its producer writes the Relu's output name directly. */
  private fold(relu: Node, producer: Node, output: number): void {
    const old = producer.proto.output[output]!;
    producer.proto.output = producer.proto.output.map((o, i) => (i === output ? relu.proto.output[0]! : o));
    this.rewriter.remove(relu.proto);
    this.changed.add(producer.proto);
    const vi = this.main.value_info;
    if (vi.some((v) => v.name === old)) this.main.value_info = vi.filter((v) => v.name !== old);
  }

  private activations(planned: Map<string, PlannedActivation>): void {
    const producers = new Map<string, NodeProto>();
    const readers = new Map<string, NodeProto[]>();
    for (const n of this.main.node) {
      if (this.rewriter.removed.has(n)) continue;
      for (const o of n.output) producers.set(o, n);
      for (const i of new Set(n.input)) {
        const list = readers.get(i) ?? [];
        list.push(n);
        readers.set(i, list);
      }
    }
    for (const a of planned.values()) {
      const p = this.activationParams(a);
      if (!p) continue;
      const t = a.tensor;
      const qOut = this.rewriter.unique(`${t}_QuantizeLinear_Output`);
      const dqOut = this.rewriter.unique(`${t}_DequantizeLinear_Output`);
      const names = this.paramNames.get(t)!;
      const qNode = makeNode('QuantizeLinear', this.rewriter.unique(`${t}_QuantizeLinear`), [t, names.scale, names.zeroPoint], [qOut]);
      const dqNode = makeNode('DequantizeLinear', this.rewriter.unique(`${t}_DequantizeLinear`), [qOut, names.scale, names.zeroPoint], [dqOut]);
      this.rewriter.insertAfter(this.main, producers.get(t) ?? null, [qNode, dqNode]);
      for (const reader of readers.get(t) ?? []) {
        reader.input = reader.input.map((i) => (i === t ? dqOut : i));
        this.changed.add(reader);
      }
    }
  }

  /** Scale/zero point of one activation, written as initializers (shared ones reuse their source's). */
  private activationParams(a: PlannedActivation): QuantParams | undefined {
    const s = a.source;
    if (s.kind === 'shared') {
      const p = this.params.get(s.with);
      if (!p) return undefined;
      this.params.set(a.tensor, p);
      this.paramNames.set(a.tensor, this.paramNames.get(s.with)!);
      return p;
    }
    const range = s.kind === 'fixed' ? s.range : this.ranges.get(s.of);
    if (!range || !Number.isFinite(range.min) || !Number.isFinite(range.max)) {
      this.warnings.push(`no calibration range for '${s.kind === 'range' ? s.of : a.tensor}': it stays float`);
      return undefined;
    }
    const p = activationParams(range, this.settings.activationType, this.settings.symmetricActivations);
    const scale = this.rewriter.unique(`${a.tensor}_scale`);
    const zeroPoint = this.rewriter.unique(`${a.tensor}_zero_point`);
    this.rewriter.addInitializer(this.main, makeTensor(scale, DTYPE.FLOAT, [], bytesOf(Float32Array.of(p.scale))));
    this.rewriter.addInitializer(this.main, makeTensor(zeroPoint, zeroPointType(p), [], zeroPointBytes(p, 1)));
    this.params.set(a.tensor, p);
    this.paramNames.set(a.tensor, { scale, zeroPoint });
    return p;
  }

  private weight(w: PlannedWeight): void {
    const key = `${w.source.graph.id}|${w.source.tensor.name ?? ''}|${w.axis}|${w.role}|${w.source.constantNode?.id ?? ''}`;
    let written = this.weights.get(key);
    if (!written) {
      written = this.writeWeight(w);
      this.weights.set(key, written);
      this.weightCount++;
    }
    this.weightOf.set(w, written);
    this.replace(w.node.proto, w.input, written.output);
  }

  private writeWeight(w: PlannedWeight): WrittenWeight {
    const tensor = w.source.tensor;
    const dims = dimsOf(tensor);
    const values = readFloats(tensor, this.model);
    const base = w.source.constantNode?.outputs[0] ?? tensor.name ?? 'weight';
    if (w.role === 'weight') {
      const qw = quantizeWeights(values, dims, w.axis);
      const paramDims = w.axis < 0 ? [] : [qw.scales.length];
      return this.writeDequantized(w.source, base, [
        makeTensor('', DTYPE.INT8, dims, bytesOf(qw.q)),
        makeTensor('', DTYPE.FLOAT, paramDims, bytesOf(qw.scales)),
        makeTensor('', DTYPE.INT8, paramDims, bytesOf(qw.zeroPoints)),
      ], w.axis, qw.scales);
    }
    // A constant operand of Add/Mul/...: per tensor, typed like the activations.
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const p = activationParams({ min, max }, this.settings.activationType, this.settings.symmetricActivations);
    const q = quantizeWithParams(values, p);
    return this.writeDequantized(w.source, base, [
      makeTensor('', zeroPointType(p), dims, bytesOf(q)),
      makeTensor('', DTYPE.FLOAT, [], bytesOf(Float32Array.of(p.scale))),
      makeTensor('', zeroPointType(p), [], zeroPointBytes(p, 1)),
    ], -1, Float32Array.of(p.scale));
  }

  /**
   * Writes [quantized, scale, zero point] where the original constant lives (initializers, or
   * Constant nodes right after the original Constant) and a DequantizeLinear reading them.
   */
  private writeDequantized(source: ConstantSource, base: string, tensors: TensorProto[], axis: number, scales: Float32Array): WrittenWeight {
    const graph = source.graph.proto;
    const suffixes = ['_quantized', '_scale', '_zero_point'];
    tensors.forEach((t, i) => (t.name = this.rewriter.unique(base + suffixes[i])));
    const output = this.rewriter.unique(`${base}_DequantizeLinear_Output`);
    const dq = makeNode('DequantizeLinear', this.rewriter.unique(`${base}_DequantizeLinear`), tensors.map((t) => t.name!), [output], axis >= 0 ? [intAttribute('axis', axis)] : []);
    if (source.constantNode) {
      const constants = tensors.map((t) => makeConstant(this.rewriter.unique(`${t.name}_Constant`), t));
      this.rewriter.insertAfter(graph, source.constantNode.proto, [...constants, dq]);
    } else {
      for (const t of tensors) this.rewriter.addInitializer(graph, t);
      this.rewriter.insertAfter(graph, null, [dq]);
    }
    return { output, scales };
  }

  /** int32 bias (scale = input scale × weight scale), when its input activation was quantized. */
  private bias(node: Node, input: number, activation: string, weight: PlannedWeight, source: ConstantSource): void {
    const inputParams = this.params.get(activation);
    const w = this.weightOf.get(weight);
    if (!inputParams || !w) return;
    const values = readFloats(source.tensor, this.model);
    if (w.scales.length > 1 && w.scales.length !== values.length) return;
    const qb = quantizeBias(values, inputParams.scale, w.scales);
    const perChannel = qb.scales.length > 1;
    const base = source.constantNode?.outputs[0] ?? source.tensor.name ?? 'bias';
    const paramDims = perChannel ? [qb.scales.length] : [];
    const written = this.writeDequantized(source, base, [
      makeTensor('', DTYPE.INT32, dimsOf(source.tensor), bytesOf(qb.q)),
      makeTensor('', DTYPE.FLOAT, paramDims, bytesOf(qb.scales)),
      makeTensor('', DTYPE.INT32, paramDims, bytesOf(new Int32Array(qb.scales.length))),
    ], perChannel ? 0 : -1, qb.scales);
    this.biasCount++;
    this.replace(node.proto, input, written.output);
  }

  private replace(node: NodeProto, input: number, name: string): void {
    this.replacedInputs.push(node.input[input]!);
    node.input = node.input.map((v, i) => (i === input ? name : v));
    this.changed.add(node);
  }
}

function zeroPointType(p: QuantParams): number {
  return p.type === 'int8' ? DTYPE.INT8 : DTYPE.UINT8;
}

function zeroPointBytes(p: QuantParams, count: number): Uint8Array {
  const a = p.type === 'int8' ? new Int8Array(count) : new Uint8Array(count);
  a.fill(p.zeroPoint);
  return bytesOf(a);
}

/** QuantizeLinear's arithmetic: saturate(rint(x / scale) + zero point). */
export function quantizeWithParams(values: Float32Array, p: QuantParams): Int8Array | Uint8Array {
  const [lo, hi] = p.type === 'int8' ? [-128, 127] : [0, 255];
  const out = p.type === 'int8' ? new Int8Array(values.length) : new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const q = rint(Math.fround(values[i]! / p.scale)) + p.zeroPoint;
    out[i] = q < lo ? lo : q > hi ? hi : q;
  }
  return out;
}

function readFloats(tensor: TensorProto, model: Model): Float32Array {
  const t = new Tensor(tensor, model.files);
  const n = tensor.dims.reduce<number>((a, d) => a * toNumber(d), 1);
  return t.read(n).values as Float32Array;
}
