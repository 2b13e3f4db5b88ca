/**
 * Static INT8 quantization in QDQ form: given calibrated ranges, inserts QuantizeLinear /
 * DequantizeLinear pairs where the placement (qdq-placement.ts) puts them and replaces float
 * weights by int8 ones behind DequantizeLinear, through the edit API. Int8 weights are
 * computed tensors: their bytes are made when the encoder reaches them.
 *
 * Inserted values are named after the value they serve, briefly (a model has hundreds of
 * pairs, and names were a sixth of a quantized PP-OCR detector): `<x>_Q` and `<x>_DQ` for an
 * activation's pair, each node named as the value it writes; `<w>_int8`, `<w>_scale` and
 * `<w>_DQ` for a weight; one zero-point tensor per graph and value (shared-zero-points.ts).
 */
import { ModelEdit } from '../../onnx/edit/model-edit';
import type { GraphEdit, WeightSource } from '../../onnx/edit/graph-edit';
import { computedTensor, constantTensor } from '../../onnx/edit/computed-tensor';
import { intAttr, newNode, tensorAttr } from '../../onnx/edit/proto-factory';
import { inferModel } from '../../onnx/infer/infer';
import type { ModelFiles } from '../../onnx/io/model-files';
import { buildModel } from '../../onnx/model/build';
import { Model, type Graph, type Node } from '../../onnx/model/graph';
import type { GraphProto, ModelProto, NodeProto, TensorProto } from '../../onnx/proto/types';
import { biasCorrectionOn, resolveSettings, type ResolvedSettings, type StaticOptions } from './presets';
import { PER_CHANNEL_MIN_OPSET, QDQ_MIN_OPSET } from './qdq-opset';
import { planQdq, type PlannedActivation, type PlannedWeight, type QdqPlan } from './qdq-placement';
import { NonFiniteWeightError, TransformRefusedError } from '../errors';
import { dropWeightIfUnread, readFloats, weightDims } from '../preprocess/weights';
import { activationParams, quantizeBias, quantizeWeights, quantizeWithParams, type QuantParams } from './quant-params';
import type { Range } from './ranges';
import { SharedZeroPoints } from './shared-zero-points';
import { dequantized, expectedOutputError, meanSpecOf, type ChannelMeanSpec } from './bias-correction';
import { hasWeightOnlyWork, quantizeWeightOnly } from '../weight-only/weight-only';
import { RECURRENT_WEIGHT_INPUTS } from '../weight-only/movement-ops';

/** The model cannot be quantized as asked (opset too old, nothing to quantize): no output. */
export class StaticQuantizeError extends TransformRefusedError {
  override name = 'StaticQuantizeError';
}

const DTYPE = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6 } as const;
const DTYPE_NAME: Record<number, string> = { [DTYPE.UINT8]: 'uint8', [DTYPE.INT8]: 'int8', [DTYPE.INT32]: 'int32' };

/** A model to quantize: opened (weights readable through its files), or a proto being edited. */
export type StaticInput = Model | ModelEdit | ModelProto;

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

interface Prepared {
  model: Model;
  edit: ModelEdit;
  plan: QdqPlan;
  settings: ResolvedSettings;
  editOf: (g: Graph) => GraphEdit;
}

/** The values whose per-channel means bias correction asks for (none when it is off). */
export function valuesToAverage(input: StaticInput, options: StaticOptions, files?: ModelFiles): ChannelMeanSpec[] {
  if (!biasCorrectionOn(options)) return [];
  const { plan } = prepare(input, options, files, []);
  const specs = new Map<string, ChannelMeanSpec | undefined>();
  for (const w of plan.weights) {
    const spec = meanSpecOf(w, weightDims(w.source).length);
    if (!spec) continue;
    // Means are found by value name: a value averaged over different axes by two readers (Gemm transA 0 and 1) gets none.
    const seen = specs.get(spec.name);
    specs.set(spec.name, specs.has(spec.name) && seen?.axes.join() !== spec.axes.join() ? undefined : spec);
  }
  return [...specs.values()].filter((s) => s !== undefined);
}

/** Names of the main-graph activations whose ranges `quantizeStatic` will ask for. */
export function valuesToCalibrate(input: StaticInput, options: StaticOptions, files?: ModelFiles): string[] {
  const { plan } = prepare(input, options, files, []);
  const names = new Set<string>();
  for (const a of plan.activations.values()) if (a.source.kind === 'range') names.add(a.source.of);
  return [...names];
}

function prepare(input: StaticInput, options: StaticOptions, files: ModelFiles | undefined, warnings: string[]): Prepared {
  const proto = input instanceof Model || input instanceof ModelEdit ? input.proto : input;
  const model = input instanceof Model ? input : buildModel(proto, files);
  const edit = input instanceof ModelEdit ? input : new ModelEdit(proto);
  const settings = resolveSettings(options);
  const opset = edit.opsetVersion('') ?? 0;
  if (opset < QDQ_MIN_OPSET) {
    throw new StaticQuantizeError(`the model imports opset ${opset}; QuantizeLinear/DequantizeLinear need opset ${QDQ_MIN_OPSET}: raise it first (upgradeForStatic)`);
  }
  if (settings.perChannel && opset < PER_CHANNEL_MIN_OPSET) {
    warnings.push(`opset ${opset} has no per-channel DequantizeLinear (opset ${PER_CHANNEL_MIN_OPSET}; upgradeForStatic raises it): weights are quantized per tensor`);
    settings.perChannel = false;
  }
  const edits = new Map<GraphProto, GraphEdit>(edit.graphs().map((g) => [g.proto, g]));
  const editOf = (g: Graph): GraphEdit => edits.get(g.proto)!;
  const types = inferModel(model);
  return { model, edit, settings, editOf, plan: planQdq(model, editOf, types, settings, options) };
}

/**
 * Quantizes the model with the given ranges (by activation name, from calibration).
 * Activations without a range stay float, with a warning. The proto is edited in place and
 * returned in the result; `files` reads external weights of a proto not opened as a Model.
 */
export function quantizeStatic(input: StaticInput, ranges: ReadonlyMap<string, Range>, options: StaticOptions, files?: ModelFiles): StaticResult {
  const warnings: string[] = [];
  const prepared = prepare(input, options, files, warnings);
  const { plan, settings, model } = prepared;
  // Constants that only data movement carries to LSTM/GRU/RNN weights (weight-only/): int8 behind a DequantizeLinear.
  let ids: Map<NodeProto, string> | undefined;
  const idOf = (n: NodeProto): string => (ids ??= new Map([...model.graphs()].flatMap((g) => g.nodes.map((x) => [x.proto, x.id] as const)))).get(n)!;
  const filter = { includeOps: options.includeOps, excludeOps: options.excludeOps, excludeNodes: options.excludeNodes, idOf };
  // Weight-only storage is quantizable work too: an LSTM-only model is quantized as dynamic mode quantizes it.
  if (plan.quantized.length === 0 && !hasWeightOnlyWork(prepared.edit, filter)) throw new StaticQuantizeError('no node of this model would be quantized');
  const q = new QdqWriter(prepared, ranges, warnings, options);
  q.apply(plan);
  const wo = quantizeWeightOnly(prepared.edit, filter, { files: model.files, perAxis: settings.perChannel, zeroPoint: (g, channels) => q.weightZeroPoint(g, channels) });
  if (wo.weights) prepared.edit.sortTopologically();
  warnings.push(...wo.warnings);
  const keptFloatWhy: Record<string, string> = {};
  for (const k of plan.keptFloat) keptFloatWhy[k.node.id] = k.why;
  // Recurrent nodes are not in the QDQ plan: one excluded by name is listed as an excluded Conv is.
  for (const id of excludedRecurrent(model, options.excludeNodes)) keptFloatWhy[id] ??= 'excluded by name';
  const full = plan.quantized.filter((x) => x.how === 'full').map((x) => x.node.id);
  const weightOnly = [...plan.quantized.filter((x) => x.how === 'weights').map((x) => x.node.id), ...wo.consumers.map(idOf)];
  return {
    model: model.proto,
    nodesAdded: q.nodesAdded + wo.nodesAdded,
    nodesChanged: new Set([...q.changed, ...wo.changed]).size,
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
      qdqPairs: q.pairCount,
      weightsQuantized: q.weightCount,
      weightOnlyConstants: wo.weights,
      constantOperandsQuantized: q.constantCount,
      biasesQuantized: q.biasCount,
      biasesCorrected: q.correctedCount,
      foldedActivations: q.foldCount,
    },
    warnings,
  };
}

/** A node's corrected float bias, and whether the correction added it (the node had none). */
interface CorrectedBias {
  source: WeightSource;
  weight: PlannedWeight;
  /** The data input the weight multiplies (the name calibrated, before its Q/DQ). */
  activation: string;
  added: boolean;
}

interface WrittenWeight {
  output: string;
  scales: Float32Array;
}

class QdqWriter {
  readonly params = new Map<string, QuantParams>();
  private readonly paramNames = new Map<string, { scale: string; zeroPoint: string }>();
  readonly changed = new Set<NodeProto>();
  /** Per defining graph: (weight, axis, role) → its DequantizeLinear, shared by readers that quantize it alike. */
  private readonly weights = new Map<GraphEdit, Map<string, WrittenWeight>>();
  private readonly weightOf = new Map<PlannedWeight, WrittenWeight>();
  /** (graph, name) pairs a node stopped reading: dropped afterwards if nothing else reads them. */
  private readonly released: { graph: GraphEdit; name: string }[] = [];
  /** Nodes that read float activations even where a neighbour quantizes them. */
  private readonly floatReaders = new Set<NodeProto>();
  private readonly edit: ModelEdit;
  private readonly main: GraphEdit;
  private readonly settings: ResolvedSettings;
  private readonly model: Model;
  private readonly editOf: (g: Graph) => GraphEdit;
  private readonly zeroPoints: SharedZeroPoints;
  /** DequantizeLinear of a constant leaves out a zero point of 0 (see constantZeroPoint). */
  private readonly constantsWithoutZeroPoint: boolean;
  nodesAdded = 0;
  pairCount = 0;
  weightCount = 0;
  constantCount = 0;
  biasCount = 0;
  correctedCount = 0;
  foldCount = 0;

  constructor(
    p: Prepared,
    private readonly ranges: ReadonlyMap<string, Range>,
    private readonly warnings: string[],
    private readonly options: StaticOptions,
  ) {
    this.edit = p.edit;
    this.main = p.edit.main;
    this.settings = p.settings;
    this.model = p.model;
    this.editOf = p.editOf;
    this.zeroPoints = new SharedZeroPoints(p.edit, (graph, nodes) => this.add(graph, nodes));
    this.constantsWithoutZeroPoint = p.settings.preset === 'tensorrt';
  }

  apply(plan: QdqPlan): void {
    for (const k of plan.keptFloat) this.floatReaders.add(k.node.proto);
    for (const q of plan.quantized) if (q.how === 'weights') this.floatReaders.add(q.node.proto);
    for (const f of plan.folds) this.fold(f.node, f.producer, f.output);
    for (const w of plan.weights) this.weight(w);
    // Before the activations' Q/DQ: the correction finds each node's data input by its calibrated name.
    const corrected = this.correctBiases(plan);
    for (const a of plan.activations.values()) this.activation(a);
    for (const b of plan.biases) this.bias(b.node, b.input, b.activation, b.weight, corrected.get(b.node.proto)?.source ?? b.source);
    // A bias added by the correction is quantized as the planner would have quantized one already there.
    const full = new Set(plan.quantized.filter((x) => x.how === 'full').map((x) => x.node.proto));
    for (const c of corrected.values()) if (c.added && this.settings.quantizeBias && full.has(c.weight.node.proto)) this.bias(c.weight.node, 2, c.activation, c.weight, c.source);
    // A weight an enclosing graph defines (Silero v4's STFT basis, read in an If branch) is dropped there.
    for (const r of this.released) dropWeightIfUnread(r.graph, r.name);
    this.edit.sortTopologically();
  }

  /**
   * Bias correction (bias-correction.ts): each corrected node reads a new float bias, its own
   * (a bias shared by several nodes is corrected apart for each); a node without one gets one.
   * Nodes whose input has no finite mean, or whose bias is not a float vector, stay as they are.
   */
  private correctBiases(plan: QdqPlan): Map<NodeProto, CorrectedBias> {
    const out = new Map<NodeProto, CorrectedBias>();
    const means = this.options.channelMeans;
    if (!biasCorrectionOn(this.options) || !means) return out;
    for (const w of plan.weights) {
      const dims = weightDims(w.source);
      const spec = meanSpecOf(w, dims.length);
      const mean = spec && means.get(spec.name);
      if (!spec || !mean || out.has(w.node.proto) || !Array.from(mean).every(Number.isFinite)) continue;
      const values = readFloats(w.source, this.model.files);
      const q = quantizeWeights(values, dims, w.axis);
      const err = expectedOutputError(w.node, dims, values, dequantized(q.q, q.scales, dims, w.axis), mean);
      if (!err) continue;
      const graph = this.editOf(w.node.graph);
      const biasName = w.node.inputs[2];
      const old = biasName ? graph.weight(biasName) : undefined;
      if (biasName && (!old || old.tensor.data_type !== DTYPE.FLOAT)) continue;
      const bias = old ? readFloats(old, this.model.files) : new Float32Array(err.length);
      if (bias.length !== err.length) continue;
      const corrected = Float32Array.from(bias, (b, o) => b - err[o]!);
      const base = old ? (old.constant?.output[0] ?? old.tensor.name ?? 'bias') : `${w.node.name || spec.name}_bias`;
      const tensor = constantTensor(this.edit.uniqueName(`${base}_corrected`), DTYPE.FLOAT, [corrected.length], corrected);
      graph.addInitializer(tensor);
      if (biasName) this.replace(w.node, 2, tensor.name!);
      else {
        graph.setInput(w.node.proto, 2, tensor.name!);
        this.changed.add(w.node.proto);
      }
      out.set(w.node.proto, { source: { tensor, graph }, weight: w, activation: spec.name, added: !biasName });
      this.correctedCount++;
    }
    return out;
  }

  private add(graph: GraphEdit, nodes: NodeProto[]): void {
    graph.addNodes(nodes);
    this.nodesAdded += nodes.length;
  }

  /** Relu/Clip removed: its producer writes the Relu's output name directly. */
  private fold(relu: Node, producer: Node, output: number): void {
    const old = producer.proto.output[output]!;
    const g = this.main;
    // A float reader (kept float, weights only) would read the unclamped value: the Relu stays, its output keeps its pair.
    if (g.consumersOf(relu.proto.output[0]!).some((n) => this.floatReaders.has(n))) return;
    this.foldCount++;
    g.removeNode(relu.proto);
    // Clip's bounds, read by nobody now.
    for (const bound of relu.proto.input.slice(1)) if (bound) this.released.push({ graph: g, name: bound });
    g.proto.value_info = g.proto.value_info.filter((v) => v.name !== old);
    g.renameValue(old, relu.proto.output[0]!);
    this.changed.add(producer.proto);
  }

  private activation(a: PlannedActivation): void {
    const p = this.activationParams(a);
    if (!p) return;
    const t = a.tensor;
    const names = this.paramNames.get(t)!;
    const readers = this.main.consumersOf(t).filter((n) => !this.floatReaders.has(n));
    if (readers.length === 0) {
      // Only float readers (kept float, fallback): no pair; its scale may still serve a shared one.
      this.released.push({ graph: this.main, name: names.scale }, { graph: this.main, name: names.zeroPoint });
      return;
    }
    this.pairCount++;
    // Each node is named as the value it writes (node and value names are separate namespaces in ONNX).
    const qOut = this.edit.uniqueName(`${t}_Q`);
    const dqOut = this.edit.uniqueName(`${t}_DQ`);
    this.add(this.main, [
      newNode({ op: 'QuantizeLinear', name: qOut, inputs: [t, names.scale, names.zeroPoint], outputs: [qOut] }),
      newNode({ op: 'DequantizeLinear', name: dqOut, inputs: [qOut, names.scale, names.zeroPoint], outputs: [dqOut] }),
    ]);
    // Readers in this graph take the dequantized value; graph outputs and subgraph reads keep the float one.
    for (const reader of readers) {
      reader.input.forEach((name, i) => name === t && this.main.setInput(reader, i, dqOut));
      this.changed.add(reader);
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
    const scale = this.edit.uniqueName(`${a.tensor}_scale`);
    this.main.addInitializer(constantTensor(scale, DTYPE.FLOAT, [], Float32Array.of(p.scale)));
    const zeroPoint = this.zeroPoints.of(this.main, p.type, p.zeroPoint);
    this.params.set(a.tensor, p);
    this.paramNames.set(a.tensor, { scale, zeroPoint });
    return p;
  }

  private weight(w: PlannedWeight): void {
    const key = `${w.source.constant?.output[0] ?? w.source.tensor.name ?? ''}|${w.axis}|${w.role}`;
    let inGraph = this.weights.get(w.source.graph);
    if (!inGraph) this.weights.set(w.source.graph, (inGraph = new Map()));
    let written = inGraph.get(key);
    if (!written) {
      written = this.writeWeight(w);
      inGraph.set(key, written);
      if (w.role === 'weight') this.weightCount++;
      else this.constantCount++;
    }
    this.weightOf.set(w, written);
    this.replace(w.node, w.input, written.output);
  }

  private writeWeight(w: PlannedWeight): WrittenWeight {
    const dims = weightDims(w.source);
    const values = readFloats(w.source, this.model.files);
    const base = w.source.constant?.output[0] ?? w.source.tensor.name ?? 'weight';
    if (w.role === 'weight') {
      const { scales } = quantizeWeights(values, dims, w.axis);
      if (!scales.every(Number.isFinite)) throw new NonFiniteWeightError(`weight '${base}' holds NaN or infinite values: it cannot be quantized`);
      const paramDims = w.axis < 0 ? [] : [scales.length];
      // The int8 bytes are made again when the encoder reaches them: one tensor in memory at a time.
      const produce = (): Uint8Array => bytes(quantizeWeights(readFloats(w.source, this.model.files), dims, w.axis).q);
      return this.writeDequantized(w.source, base, {
        data: computedTensor('', DTYPE.INT8, dims, produce),
        scale: constantTensor('', DTYPE.FLOAT, paramDims, scales),
        zeroPoint: this.constantZeroPoint(() => this.zeroPoints.of(w.source.graph, 'int8', 0, w.axis < 0 ? undefined : scales.length)),
        axis: w.axis,
      }, scales);
    }
    // A constant operand of Add/Mul/...: per tensor, typed like the activations.
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    const p = activationParams({ min, max }, this.settings.activationType, this.settings.symmetricActivations);
    return this.writeDequantized(w.source, base, {
      data: constantTensor('', zeroPointDtype(p), dims, quantizeWithParams(values, p)),
      scale: constantTensor('', DTYPE.FLOAT, [], Float32Array.of(p.scale)),
      zeroPoint: p.zeroPoint === 0 ? this.constantZeroPoint(() => this.zeroPoints.of(w.source.graph, p.type, 0)) : this.zeroPoints.of(w.source.graph, p.type, p.zeroPoint),
      axis: -1,
    }, Float32Array.of(p.scale));
  }

  /** The zero point of an int8 weight's DequantizeLinear in `graph` (`channels` zeros per axis), or none: see constantZeroPoint. */
  weightZeroPoint(graph: GraphEdit, channels: number | undefined): string | undefined {
    return this.constantZeroPoint(() => this.zeroPoints.of(graph, 'int8', 0, channels));
  }

  /**
   * The zero point a DequantizeLinear of a constant reads, when that zero point is 0: none in
   * the tensorrt preset (absent means 0, typed as the input: ONNX DequantizeLinear, opset 10
   * and 13), the shared initializer in the cpu preset, the form ORT's quantize_static writes
   * (ORT 1.30 fuses a Gemm into QGemm only when its weight's DequantizeLinear has one).
   */
  private constantZeroPoint(shared: () => string): string | undefined {
    return this.constantsWithoutZeroPoint ? undefined : shared();
  }

  /**
   * Writes the quantized data and its scale in the graph that defines the original constant,
   * and a DequantizeLinear reading them with the zero point given (a shared initializer, or
   * none). Named after the constant: `<w>_int8`, `<w>_scale`, `<w>_DQ`.
   */
  private writeDequantized(source: WeightSource, base: string, q: { data: TensorProto; scale: TensorProto; zeroPoint: string | undefined; axis: number }, scales: Float32Array): WrittenWeight {
    q.data.name = this.edit.uniqueName(`${base}_${DTYPE_NAME[q.data.data_type!]}`);
    q.scale.name = this.edit.uniqueName(`${base}_scale`);
    const output = this.edit.uniqueName(`${base}_DQ`);
    const dq = newNode({
      op: 'DequantizeLinear', name: output, inputs: [q.data.name, q.scale.name, ...(q.zeroPoint ? [q.zeroPoint] : [])], outputs: [output],
      attributes: q.axis >= 0 ? [intAttr('axis', q.axis)] : [],
    });
    const tensors = [q.data, q.scale];
    // A main graph's Constant-held weight becomes an initializer (as ORT loads it anyway, and as
    // its quantizer writes it): a Constant node spends its name twice more. Subgraphs keep
    // Constant nodes, as does a main graph before IR 4, where an initializer is also a graph input.
    if (source.constant && (source.graph.parent || this.edit.irVersion < 4)) {
      // Named as the value they hold, as the DequantizeLinear is; the output names the tensor, which needs no name of its own.
      const constants = tensors.map((t) => newNode({ op: 'Constant', name: t.name!, inputs: [], outputs: [t.name!], attributes: [tensorAttr('value', { ...t, name: '' })] }));
      this.add(source.graph, [...constants, dq]);
    } else {
      for (const t of tensors) source.graph.addInitializer(t);
      this.add(source.graph, [dq]);
    }
    return { output, scales };
  }

  /** int32 bias (scale = input scale × weight scale), when its input activation was quantized. */
  private bias(node: Node, input: number, activation: string, weight: PlannedWeight, source: WeightSource): void {
    const inputParams = this.params.get(activation);
    const w = this.weightOf.get(weight);
    if (!inputParams || !w) return;
    const values = readFloats(source, this.model.files);
    if (w.scales.length > 1 && w.scales.length !== values.length) return;
    const qb = quantizeBias(values, inputParams.scale, w.scales);
    if (qb.clamped > 0) {
      // Clamping would change the model's output; a float bias is exact (ORT then leaves this node unfused).
      this.warnings.push(`bias of node '${node.name || node.id}' kept float: ${qb.clamped} of its values exceed int32 at scale input × weight`);
      return;
    }
    const perChannel = qb.scales.length > 1;
    const base = source.constant?.output[0] ?? source.tensor.name ?? 'bias';
    const written = this.writeDequantized(source, base, {
      data: constantTensor('', DTYPE.INT32, weightDims(source), qb.q),
      scale: constantTensor('', DTYPE.FLOAT, perChannel ? [qb.scales.length] : [], qb.scales),
      // None: absent is 0 (ONNX DequantizeLinear); ORT's fusions read only a bias's int32 values.
      zeroPoint: undefined,
      axis: perChannel ? 0 : -1,
    }, qb.scales);
    this.biasCount++;
    this.replace(node, input, written.output);
  }

  private replace(node: Node, input: number, name: string): void {
    const graph = this.editOf(node.graph);
    this.released.push({ graph, name: node.proto.input[input]! });
    graph.setInput(node.proto, input, name);
    this.changed.add(node.proto);
  }
}

function zeroPointDtype(p: QuantParams): number {
  return p.type === 'int8' ? DTYPE.INT8 : DTYPE.UINT8;
}

function bytes(values: Int8Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** Ids of LSTM/GRU/RNN nodes named (by name or id) in the exclude list. */
function excludedRecurrent(model: Model, excludeNodes: readonly string[] | undefined): string[] {
  if (!excludeNodes?.length) return [];
  const excluded = new Set(excludeNodes);
  const out: string[] = [];
  for (const g of model.graphs()) {
    for (const n of g.nodes) if (!n.domain && RECURRENT_WEIGHT_INPUTS[n.opType] && (excluded.has(n.name) || excluded.has(n.id))) out.push(n.id);
  }
  return out;
}
