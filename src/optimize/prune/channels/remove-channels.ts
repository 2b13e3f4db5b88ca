import { computedTensor, constantTensor, littleEndianBytes } from '../../../onnx/edit/computed-tensor';
import type { GraphEdit, WeightSource } from '../../../onnx/edit/graph-edit';
import { intsAttr as intsAttribute } from '../../../onnx/edit/proto-factory';
import type { ModelFiles } from '../../../onnx/io/model-files';
import type { NodeProto, TensorProto, ValueInfoProto } from '../../../onnx/proto/types';
import { dropWeightIfUnread, floatWeight, readFloats, weightDims } from '../../preprocess/weights';
import { channelCount, type Layout } from './channel-spaces';
import type { ChannelGraph, Fix } from './dependency-groups';
import { dimsAfter, gatherAxes, type AxisCut } from './gather';

const FLOAT = 1;
const INT64 = 7;

/** Kept channel indices (ascending) by group root; a group not in the map keeps all. */
export type KeptByGroup = ReadonlyMap<number, readonly number[]>;

/** The kept positions along a value's channel axis (flattened: each channel's `inner` features). */
export function layoutKept(cg: ChannelGraph, layout: Layout, kept: KeptByGroup): number[] {
  const out: number[] = [];
  let offset = 0;
  for (const s of layout.segments) {
    const k = kept.get(cg.groups.find(s.space));
    if (!k) for (let i = 0; i < s.length; i++) out.push(offset + i);
    else for (const i of k) if (i >= s.start && i < s.start + s.length) out.push(offset + i - s.start);
    offset += s.length;
  }
  const inner = layout.flat?.inner ?? 1;
  return inner <= 1 ? out : out.flatMap((c) => Array.from({ length: inner }, (_, j) => c * inner + j));
}

export const layoutChanged = (cg: ChannelGraph, layout: Layout, kept: KeptByGroup): boolean => layout.segments.some((s) => kept.has(cg.groups.find(s.space)));

/** A weight input of a node replaced by its pruned copy. */
export interface ChangedWeight {
  node: NodeProto;
  input: number;
  before: string;
  after: string;
  source: WeightSource;
  dims: number[];
  cuts: AxisCut[];
}

/** The initializer's name or the Constant's output (not an Identity output in between): what PyTorch calls the weight. */
export const weightName = (w: ChangedWeight): string => (w.source.constant ? w.source.constant.output[0] : w.source.tensor.name) || w.before;

export interface Removal {
  weights: ChangedWeight[];
  nodes: Set<NodeProto>;
  /** Weights several nodes read, cut differently (of one value throughout, or `stays`: unchanged readers keep the original). */
  shared: { weight: string; nodes: NodeProto[]; stays: boolean }[];
}

/**
 * Cuts every weight (`byInput`: plannedCuts of the fixes), attribute and shape constant the
 * fixes name to the kept channels. New
 * weights are computed tensors, gathered from the original while the model is written (one
 * tensor in memory at a time); originals nothing reads any more are removed.
 */
export function removeChannels(cg: ChannelGraph, kept: KeptByGroup, byInput: ReadonlyMap<NodeProto, ReadonlyMap<number, AxisCut[]>>, files: ModelFiles | undefined): Removal {
  const g = cg.graph;
  const removal: Removal = { weights: [], nodes: new Set(), shared: [] };
  const old: string[] = [];
  const shapeConstants: [before: string, after: string][] = [];
  for (const fix of cg.fixes) {
    if (!layoutChanged(cg, fix.layout, kept)) continue;
    removal.nodes.add(fix.node);
    if (fix.kind === 'weight') continue;
    const replaced = otherFix(cg, fix, kept);
    old.push(...replaced.map(([before]) => before));
    shapeConstants.push(...replaced);
  }
  // Readers of one weight cut alike share one copy (PyTorch's exporter merges equal tensors, biases above all).
  const copies = new Map<TensorProto, Map<string, string>>();
  for (const [node, inputs] of byInput) {
    for (const [input, cuts] of inputs) {
      const before = node.input[input]!;
      const source = floatWeight(g, before)!;
      const dims = weightDims(source);
      const sameCut = copies.get(source.tensor) ?? new Map<string, string>();
      copies.set(source.tensor, sameCut);
      const key = JSON.stringify(cuts);
      let after = sameCut.get(key);
      if (!after) {
        after = g.model.uniqueName(`${before}_pruned`);
        sameCut.set(key, after);
        g.addInitializer(computedTensor(after, FLOAT, dimsAfter(dims, cuts), () => littleEndianBytes(gatherAxes(readFloats(source, files), dims, cuts))));
      }
      g.setInput(node, input, after);
      removal.weights.push({ node, input, before, after, source, dims, cuts });
      old.push(before);
    }
  }
  for (const name of new Set(old)) dropWeightIfUnread(g, name);
  // The changed reads of each tensor, gathered once (a filter per tensor was quadratic in the layer count).
  const readsOf = new Map<TensorProto, typeof removal.weights>();
  for (const w of removal.weights) {
    const list = readsOf.get(w.source.tensor);
    if (list) list.push(w);
    else readsOf.set(w.source.tensor, [w]);
  }
  // A weight no unchanged node reads any more, cut one way, is replaced in place: it keeps its name (PyTorch's parameter name).
  for (const [tensor, sameCut] of copies) {
    if (sameCut.size !== 1) continue;
    const changed = readsOf.get(tensor)!;
    const name = weightName(changed[0]!);
    if (!takeBackName(g, changed[0]!.after, name)) continue;
    for (const w of changed) w.after = name;
  }
  for (const [before, after] of shapeConstants) takeBackName(g, after, before);
  for (const [tensor, sameCut] of copies) {
    const changed = readsOf.get(tensor)!;
    const stays = changed.some((w) => g.weight(w.before)?.tensor === tensor);
    if (stays || sameCut.size > 1) removal.shared.push({ weight: weightName(changed[0]!), nodes: [...new Set(changed.map((w) => w.node))], stays });
  }
  updateDeclarations(cg, kept);
  return removal;
}

/** Group, Split sizes and Reshape shapes; returns the constants it replaced, with their replacements. */
function otherFix(cg: ChannelGraph, fix: Exclude<Fix, { kind: 'weight' }>, kept: KeptByGroup): [string, string][] {
  const g = cg.graph;
  const count = layoutKept(cg, { ...fix.layout, flat: undefined }, kept).length;
  if (fix.kind === 'group') {
    setIntAttr(fix.node, 'group', count);
    return [];
  }
  const replaceInput = (values: number[]): [string, string][] => {
    const before = fix.node.input[1]!;
    const name = g.model.uniqueName(`${before}_pruned`);
    g.addInitializer(constantTensor(name, INT64, [values.length], BigInt64Array.from(values, BigInt)));
    g.setInput(fix.node, 1, name);
    return [[before, name]];
  };
  if (fix.kind === 'shapePiece') {
    const before = fix.node.input[fix.input]!;
    const name = g.model.uniqueName(`${before}_pruned`);
    const value = count * (fix.value / channelCount(fix.layout));
    g.addInitializer(constantTensor(name, fix.dtype, [1], fix.dtype === INT64 ? BigInt64Array.of(BigInt(value)) : Int32Array.of(value)));
    g.setInput(fix.node, fix.input, name);
    return [[before, name]];
  }
  if (fix.kind === 'reshape') {
    const inner = fix.layout.flat?.inner ?? fix.shape[1]! / channelCount(fix.layout);
    return replaceInput([fix.shape[0]!, count * inner]);
  }
  const sizes = partSizes(cg, fix.layout, fix.sizes, kept);
  if (fix.node.attribute.some((a) => a.name === 'split')) setInts(fix.node, 'split', sizes);
  else if (fix.node.input[1]) return replaceInput(sizes);
  else if ((g.model.opsetVersion('') ?? 0) < 13) fix.node.attribute = [...fix.node.attribute, intsAttribute('split', sizes)];
  else {
    fix.node.attribute = fix.node.attribute.filter((a) => a.name !== 'num_outputs');
    const name = g.model.uniqueName(`${fix.node.name || fix.node.output[0]}_split`);
    g.addInitializer(constantTensor(name, INT64, [sizes.length], BigInt64Array.from(sizes, BigInt)));
    g.setInput(fix.node, 1, name);
  }
  return [];
}

/** Gives the copy `after` the original's name when nothing defines or reads that name any more; whether it did. */
function takeBackName(g: GraphEdit, after: string, name: string): boolean {
  if (name === after || g.initializer(name) || g.producer(name) || g.proto.input.some((i) => i.name === name) || g.isRead(name)) return false;
  g.renameValue(after, name);
  return true;
}

function partSizes(cg: ChannelGraph, layout: Layout, sizes: number[], kept: KeptByGroup): number[] {
  const positions = layoutKept(cg, { ...layout, flat: undefined }, kept);
  let at = 0;
  return sizes.map((size) => {
    const n = positions.filter((p) => p >= at && p < at + size).length;
    at += size;
    return n;
  });
}

function setIntAttr(node: NodeProto, name: string, value: number): void {
  const a = node.attribute.find((x) => x.name === name);
  if (a) a.i = value;
}

function setInts(node: NodeProto, name: string, values: number[]): void {
  const a = node.attribute.find((x) => x.name === name);
  if (a) a.ints = values;
}

/** Declared shapes of the values whose channels changed: the channel dim becomes the kept count. */
function updateDeclarations(cg: ChannelGraph, kept: KeptByGroup): void {
  const declared = new Map<string, ValueInfoProto[]>();
  for (const v of cg.graph.proto.value_info) if (v.name) declared.set(v.name, [...(declared.get(v.name) ?? []), v]);
  for (const [name, layout] of cg.values) {
    if (!declared.has(name) || !layoutChanged(cg, layout, kept)) continue;
    const inner = layout.flat?.inner;
    const count = layoutKept(cg, { ...layout, flat: undefined }, kept).length;
    for (const v of declared.get(name)!) {
      const dims = v.type?.tensor_type?.shape?.dim ?? [];
      const dim = dims[layout.axis >= 0 ? layout.axis : dims.length - 1];
      if (!dim || dim.dim_value === undefined) continue;
      if (layout.flat && !inner) delete dim.dim_value;
      else dim.dim_value = count * (inner || 1);
    }
  }
}
