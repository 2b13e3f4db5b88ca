import type { GraphEdit } from '../../../onnx/edit/graph-edit';
import { namesReadInSubgraphs, nodeSubgraphs } from '../../../onnx/edit/subgraphs';
import { GraphCycleError, topologicalOrder } from '../../../onnx/edit/topological-order';
import type { NodeProto } from '../../../onnx/proto/types';
import { TransformRefusedError } from '../../errors';
import { floatWeight, weightDims } from '../../preprocess/weights';
import { SpaceGroups, channelCount, channelsLast, isChannelAxis, type Layout, type Segment, type Space } from './channel-spaces';
import { constantDims, constantNumbers, intAttr, intsAttr, isDefaultDomain } from './node-facts';
import { computedFlatShape, shapeSkipsChannels, type ComputedFlatShape } from './shape-readers';

const INT32 = 6;
const INT64 = 7;

/** What changes when the channels of `layout` are cut to their kept indices. */
export type Fix =
  /** Gather input `input` (a weight) of `node` along `axis`; `producer`: the axis is the node's output channels. */
  | { kind: 'weight'; node: NodeProto; input: number; axis: number; layout: Layout; producer: boolean }
  /** A depthwise Conv's group becomes the kept count. */
  | { kind: 'group'; node: NodeProto; layout: Layout }
  /** A Split along the channels: each part's size becomes its kept count. */
  | { kind: 'split'; node: NodeProto; layout: Layout; sizes: number[] }
  /** A Reshape to [N, C·inner] whose shape constant states C·inner. */
  | { kind: 'reshape'; node: NodeProto; layout: Layout; shape: number[] }
  /** The one-value constant k = C·inner of a computed Reshape shape (Paddle's flatten), read by `node` at `input`. */
  | { kind: 'shapePiece'; node: NodeProto; input: number; dtype: number; value: number; layout: Layout };

export interface ChannelGraph {
  graph: GraphEdit;
  groups: SpaceGroups;
  spaces: Space[];
  fixes: Fix[];
  /** Values whose channel axis follows a layout (their declared shapes change). */
  values: Map<string, Layout>;
  /** Conv, Gemm and MatMul nodes that start no space, with why (weights produced by other ops, excluded). */
  skipped: { node: NodeProto; reason: string }[];
}

/** Ops that act on each element alone: every output keeps its input's channels one to one, whatever the axis. */
const ELEMENT_BY_ELEMENT = new Set([
  'Relu', 'LeakyRelu', 'Clip', 'HardSigmoid', 'HardSwish', 'Sigmoid', 'Tanh', 'Elu', 'Selu', 'Celu', 'Softplus', 'Softsign', 'Gelu', 'Mish',
  'ThresholdedRelu', 'Identity', 'Dropout', 'Abs', 'Neg', 'Exp', 'Log', 'Sqrt', 'Reciprocal', 'Erf', 'Floor', 'Ceil', 'Round', 'Sign', 'Cast',
]);
/** Ops that keep the channels of an NCHW value (channel axis 1): pooling, resizing and padding of the spatial axes. */
const SPATIAL = new Set(['MaxPool', 'AveragePool', 'GlobalAveragePool', 'GlobalMaxPool', 'LpPool', 'GlobalLpPool', 'Resize', 'Upsample', 'Pad']);
/** Elementwise ops with broadcasting: coupled operands share channels; constant operands are per channel or broadcast. */
const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div', 'PRelu', 'Max', 'Min', 'Sum', 'Mean', 'Pow']);

const label = (n: NodeProto): string => `${n.op_type} '${n.name || n.output[0]}'`;

/**
 * Follows every Conv's output channels and every Gemm's/MatMul's output features (their last
 * axis) through the main graph in topological order (one pass,
 * no recursion): which values carry them, which spaces are coupled, what must change when
 * channels go, and which groups must be left (with why).
 */
export function channelGraph(g: GraphEdit, leftAlone: (node: NodeProto) => boolean): ChannelGraph {
  const cg: ChannelGraph = { graph: g, groups: new SpaceGroups(), spaces: [], fixes: [], values: new Map(), skipped: [] };
  let order: NodeProto[];
  try {
    order = topologicalOrder(g.nodes);
  } catch (e) {
    if (e instanceof GraphCycleError) throw new TransformRefusedError(`cannot follow the channels: ${e.message}`);
    throw e;
  }
  const walker = new Walker(cg, leftAlone);
  for (const node of order) walker.visit(node);
  const subgraphReads = new Set<string>();
  for (const n of g.nodes) if (nodeSubgraphs(n).length) for (const x of namesReadInSubgraphs(n)) subgraphReads.add(x);
  for (const [name, layout] of cg.values) {
    if (g.isGraphOutput(name)) walker.refuse(layout, `'${name}' is a graph output`);
    if (subgraphReads.has(name)) walker.refuse(layout, `'${name}' is read inside a subgraph`);
  }
  return cg;
}

class Walker {
  constructor(
    private cg: ChannelGraph,
    private leftAlone: (node: NodeProto) => boolean,
  ) {}

  refuse(layout: Layout, reason: string): void {
    for (const s of layout.segments) this.cg.groups.refuse(s.space, reason);
  }

  visit(node: NodeProto): void {
    const layouts = node.input.map((i) => (i ? this.cg.values.get(i) : undefined));
    const op = isDefaultDomain(node) ? (node.op_type ?? '') : `${node.domain}::${node.op_type}`;
    if (op === 'Conv') return this.conv(node, layouts[0]);
    if (op === 'Gemm' || op === 'MatMul') return this.dense(node, op, layouts);
    const tracked = layouts.filter((l): l is Layout => !!l);
    if (!tracked.length) return;
    const refuseAll = (why: string): void => tracked.forEach((l) => this.refuse(l, `${label(node)} ${why}`));
    const only = (k: number): Layout | undefined => (layouts.every((l, i) => !l || i === k) && layouts[k] ? layouts[k] : (refuseAll('reads the channels where they cannot be followed'), undefined));
    if (ELEMENT_BY_ELEMENT.has(op) || SPATIAL.has(op)) {
      const l = only(0);
      if (!l) return;
      if (!this.passes(node, op, l)) return this.refuse(l, `${label(node)} changes or mixes the channels`);
      for (const o of node.output) if (o) this.cg.values.set(o, l);
      return;
    }
    if (ELEMENTWISE.has(op)) return this.elementwise(node, layouts, tracked, refuseAll);
    if (op === 'Concat') return this.concat(node, layouts, refuseAll);
    const handler = this.dataReaders.get(op);
    if (!handler) return refuseAll('reads the channels and cannot be fixed');
    const l = only(0);
    if (l) handler(node, l);
  }

  /** Ops that read channels at input 0 only, and what each does with them. */
  private dataReaders = new Map<string, (node: NodeProto, l: Layout) => void>([
    ['BatchNormalization', (node, l) => this.normalization(node, l)],
    ['InstanceNormalization', (node, l) => this.normalization(node, l)],
    ['ConvTranspose', (node, l) => this.readWeight(node, l, 0, 1)],
    ['Split', (node, l) => this.split(node, l)],
    ['Flatten', (node, l) => this.flatten(node, l)],
    ['Shape', (node, l) => !(l.rank > 0 && shapeSkipsChannels(this.cg.graph, node, l.rank, l.axis)) && this.refuse(l, `${label(node)} passes the channel count on`)],
    ['Reshape', (node, l) => this.reshape(node, l)],
  ]);

  private conv(node: NodeProto, input: Layout | undefined): void {
    const g = this.cg.graph;
    const w = floatWeight(g, node.input[1]);
    const dims = w && weightDims(w);
    const group = intAttr(node, 'group', 1);
    const bias = node.input[2] ? floatWeight(g, node.input[2]) : undefined;
    const biasOk = !node.input[2] || !!bias;
    const alone = this.leftAlone(node);
    if (input) {
      const c = channelCount(input);
      if (input.flat || input.axis !== 1) this.refuse(input, `${label(node)} reads flattened channels or features that are not on axis 1`);
      else if (alone) this.refuse(input, `${label(node)} reads them and is excluded`);
      else if (!dims || !biasOk) this.refuse(input, `${label(node)} reads them and its weight or bias is not a float initializer or Constant`);
      else if (group === 1 && dims[1] === c) this.cg.fixes.push({ kind: 'weight', node, input: 1, axis: 1, layout: input, producer: false });
      else if (group === c && dims[1] === 1 && dims[0] === c) return this.depthwise(node, input);
      else this.refuse(input, `${label(node)} is a grouped convolution (group ${group}) over them`);
    }
    if (alone) return void this.cg.skipped.push({ node, reason: 'excluded' });
    if (!dims || !biasOk) return void this.cg.skipped.push({ node, reason: `its ${dims ? 'bias' : 'weight'} is not a float initializer or Constant (produced by another op or a graph input)` });
    if (group !== 1) return void this.cg.skipped.push({ node, reason: `grouped convolution (group ${group}) over channels that are not pruned` });
    const space: Space = { id: this.cg.groups.add(), channels: dims[0]!, layer: node, weightAxis: 0 };
    this.cg.spaces.push(space);
    const layout: Layout = { segments: [{ space: space.id, start: 0, length: space.channels }], rank: dims.length, axis: 1 };
    this.cg.fixes.push({ kind: 'weight', node, input: 1, axis: 0, layout, producer: true });
    if (node.input[2]) this.cg.fixes.push({ kind: 'weight', node, input: 2, axis: 0, layout, producer: true });
    this.cg.values.set(node.output[0]!, layout);
  }

  /** A depthwise Conv carries its input's channels to its output: weight rows, bias and group follow them. */
  private depthwise(node: NodeProto, input: Layout): void {
    this.cg.fixes.push({ kind: 'weight', node, input: 1, axis: 0, layout: input, producer: true });
    if (node.input[2]) this.cg.fixes.push({ kind: 'weight', node, input: 2, axis: 0, layout: input, producer: true });
    this.cg.fixes.push({ kind: 'group', node, layout: input });
    this.cg.values.set(node.output[0]!, input);
  }

  private passes(node: NodeProto, op: string, l: Layout): boolean {
    const g = this.cg.graph;
    if (l.flat && op !== 'Identity' && op !== 'Dropout' && !['Relu', 'Clip', 'HardSwish', 'Sigmoid', 'Tanh', 'Cast'].includes(op)) return false;
    if (SPATIAL.has(op) && l.axis !== 1) return false;
    if (op === 'MaxPool') return !node.output[1];
    if (op === 'Resize' || op === 'Upsample') {
      if (node.input[3]) return false;
      const scales = op === 'Upsample' && node.input.length < 2 ? node.attribute.find((a) => a.name === 'scales')?.floats : constantNumbers(g, node.input[op === 'Resize' && node.input.length > 2 ? 2 : 1]);
      return !!scales && scales[1] === 1;
    }
    if (op === 'Pad') {
      const pads = node.input[1] ? constantNumbers(g, node.input[1]) : intsAttr(node, 'pads');
      return !!pads && pads.length === 2 * l.rank && pads[1] === 0 && pads[l.rank + 1] === 0;
    }
    return true;
  }

  private normalization(node: NodeProto, l: Layout): void {
    const c = channelCount(l);
    const params = node.input.slice(1);
    const ok = params.every((p) => p && floatWeight(this.cg.graph, p) && constantDims(this.cg.graph, p)?.join() === String(c));
    if (!ok || l.flat || l.axis !== 1 || node.output.slice(1).some((o) => o)) return this.refuse(l, `${label(node)} has parameters that are not float constants of one value per channel`);
    params.forEach((_, k) => this.cg.fixes.push({ kind: 'weight', node, input: k + 1, axis: 0, layout: l, producer: false }));
    this.cg.values.set(node.output[0]!, l);
  }

  /** A reader whose weight has one slice per input channel along `axis` (ConvTranspose: axis 0). */
  private readWeight(node: NodeProto, l: Layout, axis: number, groupOk: number): void {
    const dims = constantDims(this.cg.graph, node.input[1]);
    if (l.flat || l.axis !== 1 || this.leftAlone(node) || !floatWeight(this.cg.graph, node.input[1]) || intAttr(node, 'group', 1) !== groupOk || dims?.[axis] !== channelCount(l))
      return this.refuse(l, `${label(node)} reads them and cannot be fixed (excluded, grouped, or its weight is not a float constant)`);
    this.cg.fixes.push({ kind: 'weight', node, input: 1, axis, layout: l, producer: false });
  }

  private elementwise(node: NodeProto, layouts: (Layout | undefined)[], tracked: Layout[], refuseAll: (why: string) => void): void {
    const g = this.cg.graph;
    const first = tracked[0]!;
    const c = channelCount(first);
    if (tracked.some((l) => l.rank !== first.rank || l.axis !== first.axis || l.flat)) return refuseAll('combines values of different ranks');
    for (const [k, name] of node.input.entries()) {
      if (!name || layouts[k]) continue;
      const dims = constantDims(g, name);
      if (!dims) return refuseAll(`combines them with '${name}', whose channels are not followed (a graph input, or a computed value such as a residual stream)`);
      // Broadcasting aligns the constant's dims with the value's last ones.
      const axis = first.axis === -1 ? dims.length - 1 : dims.length - first.rank + first.axis;
      if (first.rank > 0 && dims.length > first.rank) return refuseAll(`broadcasts '${name}' of rank ${dims.length}`);
      if (axis < 0 || dims[axis] === 1) continue;
      if (dims[axis] !== c || !floatWeight(g, name)) return refuseAll(`has a constant '${name}' that is not one float per channel`);
      this.cg.fixes.push({ kind: 'weight', node, input: k, axis, layout: first, producer: false });
    }
    for (const other of tracked.slice(1)) if (!this.couple(first, other)) return refuseAll('combines channels laid out differently');
    for (const o of node.output) if (o) this.cg.values.set(o, first);
  }

  /** Makes the segments of two layouts one channel set (a residual Add, an excitation Mul). */
  private couple(a: Layout, b: Layout): boolean {
    if (a.segments.length !== b.segments.length) return false;
    const full = (s: Segment): boolean => s.start === 0 && s.length === this.cg.spaces[s.space]!.channels;
    const pairs = a.segments.map((s, i) => [s, b.segments[i]!] as const);
    if (pairs.some(([x, y]) => x.length !== y.length || !((x.space === y.space && x.start === y.start) || (full(x) && full(y))))) return false;
    for (const [x, y] of pairs) this.cg.groups.union(x.space, y.space);
    return true;
  }

  private concat(node: NodeProto, layouts: (Layout | undefined)[], refuseAll: (why: string) => void): void {
    const tracked = layouts.filter((l): l is Layout => !!l);
    const first = tracked[0]!;
    const axis = intAttr(node, 'axis', 1);
    if (!isChannelAxis(first, axis) || tracked.some((l) => l.flat || l.rank !== first.rank || l.axis !== first.axis)) return refuseAll('joins them along another axis');
    if (layouts.length !== node.input.length || layouts.some((l) => !l)) return refuseAll('joins them with values whose channels are not followed');
    this.cg.values.set(node.output[0]!, { ...first, segments: tracked.flatMap((l) => l.segments) });
  }

  private split(node: NodeProto, l: Layout): void {
    const axis = intAttr(node, 'axis', 0);
    const outputs = node.output.length;
    if (l.flat) return this.refuse(l, `${label(node)} splits flattened channels`);
    if (l.rank === 0 && axis !== -1) return this.refuse(l, `${label(node)} splits a value of unknown rank along axis ${axis}`);
    if (!isChannelAxis(l, axis)) {
      for (const o of node.output) if (o) this.cg.values.set(o, l);
      return;
    }
    const c = channelCount(l);
    const sizes = intsAttr(node, 'split') ?? (node.input[1] ? constantNumbers(this.cg.graph, node.input[1]) : c % outputs === 0 ? Array<number>(outputs).fill(c / outputs) : undefined);
    if (!sizes || sizes.length !== outputs || sizes.reduce((a, b) => a + b, 0) !== c) return this.refuse(l, `${label(node)} splits them into sizes that are not constants`);
    this.cg.fixes.push({ kind: 'split', node, layout: l, sizes });
    let at = 0;
    node.output.forEach((o, k) => {
      if (o) this.cg.values.set(o, { ...l, segments: cut(l.segments, at, sizes[k]!) });
      at += sizes[k]!;
    });
  }

  private flatten(node: NodeProto, l: Layout): void {
    if (l.flat || l.axis !== 1 || intAttr(node, 'axis', 1) !== 1) return this.refuse(l, `${label(node)} does not flatten at the channel axis`);
    this.cg.values.set(node.output[0]!, { segments: l.segments, rank: 2, axis: 1, flat: { inner: 0 } });
  }

  private reshape(node: NodeProto, l: Layout): void {
    const computed = l.flat || l.axis !== 1 ? undefined : computedFlatShape(this.cg.graph, node.input[1] ?? '');
    if (computed) return this.computedReshape(node, l, computed);
    const shape = constantNumbers(this.cg.graph, node.input[1]);
    const c = channelCount(l);
    const stated = shape?.[1] ?? 0;
    if (l.flat || l.axis !== 1 || !shape || shape.length !== 2 || shape[0]! < -1 || (stated !== -1 && (stated <= 0 || stated % c !== 0)) || (stated === -1 && shape[0] === -1))
      return this.refuse(l, `${label(node)} does not flatten [N, C, …] to [N, C·…] with a constant shape`);
    if (stated > 0) this.cg.fixes.push({ kind: 'reshape', node, layout: l, shape });
    this.cg.values.set(node.output[0]!, { segments: l.segments, rank: 2, axis: 1, flat: { inner: stated > 0 ? stated / c : 0 } });
  }

  private computedReshape(node: NodeProto, l: Layout, shape: ComputedFlatShape): void {
    const c = channelCount(l);
    if (shape.value !== -1 && (shape.value <= 0 || shape.value % c !== 0 || (shape.dtype !== INT32 && shape.dtype !== INT64)))
      return this.refuse(l, `${label(node)} has a computed shape whose features ${shape.value} are not a multiple of the channels`);
    if (shape.value > 0) this.cg.fixes.push({ kind: 'shapePiece', node: shape.reader, input: shape.input, dtype: shape.dtype, value: shape.value, layout: l });
    this.cg.values.set(node.output[0]!, { segments: l.segments, rank: 2, axis: 1, flat: { inner: shape.value > 0 ? shape.value / c : 0 } });
  }

  /**
   * Gemm and MatMul: they read tracked channels at input A (flattened [N, C·inner], or features
   * on the last axis: the weight's K rows follow them), and their output features (the last
   * axis: the weight's N columns, rows with transB; the bias follows) start a space.
   */
  private dense(node: NodeProto, op: string, layouts: (Layout | undefined)[]): void {
    if (layouts.some((l, i) => l && i !== 0)) layouts.forEach((l) => l && this.refuse(l, `${label(node)} reads channels as its weight or bias`));
    else if (layouts[0]) this.denseReader(node, op, layouts[0]);
    this.denseSpace(node, op, layouts[0]);
  }

  private denseReader(node: NodeProto, op: string, l: Layout): void {
    const dims = constantDims(this.cg.graph, node.input[1]);
    const transB = op === 'Gemm' && intAttr(node, 'transB', 0) === 1;
    const axis = transB ? 1 : 0;
    const k = dims?.[axis] ?? 0;
    const c = channelCount(l);
    const weightOk = dims?.length === 2 && !this.leftAlone(node) && !!floatWeight(this.cg.graph, node.input[1]) && intAttr(node, 'transA', 0) === 0;
    if (l.flat) {
      const inner = k / c;
      if (!weightOk || !Number.isInteger(inner) || inner <= 0 || (l.flat.inner && l.flat.inner !== inner))
        return this.refuse(l, `${label(node)} reads them and its weight cannot follow (excluded, not a float 2-D constant, or not C·H·W rows)`);
      l.flat.inner = inner;
    } else if (!weightOk || !channelsLast(l) || k !== c) {
      return this.refuse(l, `${label(node)} reads them and its weight cannot follow (excluded, transA, not a float 2-D constant, or the channels are not its input's last axis)`);
    }
    this.cg.fixes.push({ kind: 'weight', node, input: 1, axis, layout: l, producer: false });
  }

  private denseSpace(node: NodeProto, op: string, input: Layout | undefined): void {
    const g = this.cg.graph;
    const skip = (reason: string): void => void this.cg.skipped.push({ node, reason });
    if (this.leftAlone(node)) return skip('excluded');
    const w = floatWeight(g, node.input[1]);
    const dims = w && weightDims(w);
    if (!dims || dims.length !== 2) return skip('its weight is not a 2-D float initializer or Constant (computed by another op, as in attention, or a graph input)');
    const weightAxis = op === 'Gemm' && intAttr(node, 'transB', 0) === 1 ? 0 : 1;
    const features = dims[weightAxis]!;
    let biasAxis: number | undefined;
    if (op === 'Gemm' && node.input[2]) {
      const bias = floatWeight(g, node.input[2]);
      const b = bias && weightDims(bias);
      if (!b) return skip('its bias is not a float initializer or Constant');
      const last = b[b.length - 1];
      if (last === features && features > 1) biasAxis = b.length - 1;
      else if (last !== undefined && last !== 1) return skip('its bias does not broadcast over the output features');
    }
    const rank = op === 'Gemm' ? 2 : (input?.rank ?? declaredRank(g, node.input[0]!));
    const space: Space = { id: this.cg.groups.add(), channels: features, layer: node, weightAxis };
    this.cg.spaces.push(space);
    const layout: Layout = { segments: [{ space: space.id, start: 0, length: features }], rank, axis: rank > 0 ? rank - 1 : -1 };
    this.cg.fixes.push({ kind: 'weight', node, input: 1, axis: weightAxis, layout, producer: true });
    if (biasAxis !== undefined) this.cg.fixes.push({ kind: 'weight', node, input: 2, axis: biasAxis, layout, producer: true });
    this.cg.values.set(node.output[0]!, layout);
  }
}

/** The rank a graph input, value_info or weight declares for `name`; 0 when none does. */
function declaredRank(g: GraphEdit, name: string): number {
  const weight = constantDims(g, name);
  if (weight) return weight.length;
  const shape = g.declarations(name).find((v) => v.type?.tensor_type?.shape)?.type?.tensor_type?.shape;
  return shape ? shape.dim.length : 0;
}

/** The segments covering channels [at, at + size) of a layout. */
function cut(segments: Segment[], at: number, size: number): Segment[] {
  const out: Segment[] = [];
  let offset = 0;
  for (const s of segments) {
    const from = Math.max(at, offset);
    const to = Math.min(at + size, offset + s.length);
    if (from < to) out.push({ space: s.space, start: s.start + from - offset, length: to - from });
    offset += s.length;
  }
  return out;
}
