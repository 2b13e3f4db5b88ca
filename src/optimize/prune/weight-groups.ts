/**
 * What the element-wise pruners (unstructured, 2:4) share: layers that read one weight tensor
 * are pruned with one mask (a group); the group writes the pruned tensor in place, or, when
 * anything else reads the tensor (an excluded node, a layer the method skips, a subgraph, a
 * graph output), writes a pruned copy that only the group's layers read, so what the others
 * read stays byte for byte. Pruned values are computed tensors: made again from the input
 * while the model is written, so no more than one weight is held at a time.
 */
import { computedTensor, littleEndianBytes } from '../../onnx/edit/computed-tensor';
import type { ModelEdit } from '../../onnx/edit/model-edit';
import type { ModelFiles } from '../../onnx/io/model-files';
import type { NodeProto } from '../../onnx/proto/types';
import { dropWeightIfUnread, readFloats } from '../preprocess/weights';
import { TransformRefusedError } from '../errors';
import type { PrunableLayer, WeightRead } from './layers';
import type { PrunedLayer, PruneOptions, PruneResult, PruneUnit, SkippedLayer } from './types';

const FLOAT = 1;

export interface WeightGroup {
  /** The layers that read the tensor, in topological order; the first names the unit. */
  layers: PrunableLayer[];
  /** Reads of the tensor by anything but these layers: the group then prunes a copy. */
  outsideReads: WeightRead[];
  elements: number;
}

/**
 * Groups layers by the weight tensor they read, and by `layout` where the method's mask
 * depends on how a layer reads it (2:4: the reduction axis); a tensor read in two layouts
 * gives two groups, each pruning its own copy.
 */
export function weightGroups(layers: readonly PrunableLayer[], layout: (l: PrunableLayer) => string = () => ''): WeightGroup[] {
  const byKey = new Map<unknown, Map<string, PrunableLayer[]>>();
  for (const l of layers) {
    let layouts = byKey.get(l.source.tensor);
    if (!layouts) byKey.set(l.source.tensor, (layouts = new Map()));
    const key = layout(l);
    const members = layouts.get(key);
    if (members) members.push(l);
    else layouts.set(key, [l]);
  }
  const groups: WeightGroup[] = [];
  for (const layouts of byKey.values()) {
    for (const members of layouts.values()) {
      const own = new Set(members.map((m) => m.node));
      const outsideReads = members[0]!.otherReads.filter((r) => !r.node || !own.has(r.node) || r.input !== members[0]!.weightInput);
      groups.push({ layers: members, outsideReads, elements: members[0]!.elements });
    }
  }
  return groups;
}

/** Each group as a unit of the sensitivity scan and of per-unit ratios. */
export function unitOf(g: WeightGroup): PruneUnit {
  return { id: g.layers[0]!.id, nodes: g.layers.map((l) => l.id), parameters: g.elements };
}

/** The group's own ratio in `unitRatios` (named by the unit id or by its first node's name), or undefined. */
export function ownRatio(g: WeightGroup, options: PruneOptions): number | undefined {
  const first = g.layers[0]!;
  const own = options.unitRatios ?? {};
  return own[first.id] ?? (first.node.name ? own[first.node.name] : undefined);
}

/** The ratio for the group's unit: its own from `unitRatios`, else `ratio`. */
export function groupRatio(g: WeightGroup, options: PruneOptions): number {
  return ownRatio(g, options) ?? options.ratio;
}

/** Splits off the groups whose unit ratio is 0 (listed as left); refuses when none is left to prune. */
export function groupsToPrune(method: string, all: readonly WeightGroup[], options: PruneOptions, skipped: SkippedLayer[]): WeightGroup[] {
  const groups: WeightGroup[] = [];
  for (const g of all) {
    if (groupRatio(g, options) > 0) groups.push(g);
    else for (const l of g.layers) skipped.push({ node: l.id, opType: l.opType, reason: 'unit ratio 0: left' });
  }
  if (!groups.length) refuseNothing(method, skipped);
  return groups;
}

/** A group's mask: `apply` zeroes a fresh copy of its values (run again when the model is written). */
export interface GroupMask {
  apply: (values: Float32Array) => void;
  /** Zeros the pruned tensor holds. */
  zeros: number;
  /** Weights the mask zeroed (not zero before). */
  zeroed: number;
  /** NaN and ±Inf values in the tensor. */
  nonFinite: number;
}

/** Names up to 5, then how many more. */
export const named = (names: readonly string[]): string => names.slice(0, 5).join(', ') + (names.length > 5 ? ` and ${names.length - 5} more` : '');

/** Prunes each group with its mask, and warns of pruning that zeroed nothing, NaN/Inf weights and layers left all zeros. */
export function pruneGroups(
  edit: ModelEdit, files: ModelFiles | undefined, groups: readonly WeightGroup[], skipped: SkippedLayer[],
  mask: (g: WeightGroup) => GroupMask,
): PruneResult {
  const layers: PrunedLayer[] = [];
  const warnings: string[] = [];
  const pruned: { elements: number; zeros: number; zeroed: number; weight: string; nonFinite: number }[] = [];
  const prunedNodes = new Set(groups.flatMap((g) => g.layers.map((l) => l.node)));
  const allZero: string[] = [];
  for (const g of groups) {
    const { apply, zeros, zeroed, nonFinite } = mask(g);
    const written = writePrunedWeight(edit, g, files, apply, prunedNodes);
    if (written.warning) warnings.push(written.warning);
    if (zeros === g.elements) allZero.push(g.layers[0]!.id);
    layers.push(...groupRows(g, written.name, zeros));
    pruned.push({ elements: g.elements, zeros, zeroed, weight: g.layers[0]!.sourceName, nonFinite });
  }
  dropUnreadOriginals(groups);
  warnings.push(...nothingZeroedWarning(pruned), ...nonFiniteWarning(pruned));
  if (allZero.length) warnings.push(`every weight of ${named(allZero.map((id) => `'${id}'`))} is zero now: ${allZero.length > 1 ? 'their outputs' : 'its output'} no longer depend${allZero.length > 1 ? '' : 's'} on the input`);
  const nodesChanged = groups.reduce((a, g) => a + g.layers.length, 0);
  return { layers, skipped, sparsity: overallSparsity(pruned), nodesChanged, warnings };
}

/** Refuses a ratio outside [0, 1) (0 only where `zeroLeaves`: a unit ratio that leaves the unit). */
export function checkRatio(what: string, ratio: number, zeroLeaves: boolean): void {
  if (!Number.isFinite(ratio) || ratio >= 1 || ratio < 0 || (ratio === 0 && !zeroLeaves)) {
    throw new TransformRefusedError(`${what} ${ratio} is outside ${zeroLeaves ? '[0, 1)' : '(0, 1)'}: it is the share of weights zeroed`);
  }
}

/** The unit ratios must name units that exist, with ratios in [0, 1). */
export function checkUnitRatios(options: PruneOptions, groups: readonly WeightGroup[]): void {
  const ids = new Set(groups.flatMap((g) => [g.layers[0]!.id, g.layers[0]!.node.name ?? '']));
  for (const [id, r] of Object.entries(options.unitRatios ?? {})) {
    if (!ids.has(id)) throw new TransformRefusedError(`unit ratio for '${id}': no prunable unit has that id`, [id]);
    checkRatio(`the ratio of unit '${id}'`, r, true);
  }
}

/** Distinct reasons a refusal lists (reasons that name their weight differ per layer). */
const MAX_REASONS = 8;

/** Nothing to prune: say why, one entry per distinct reason with the layers it holds for (a reason the first few layers share must not hide the others). */
function refuseNothing(method: string, skipped: readonly SkippedLayer[]): never {
  const byReason = new Map<string, string[]>();
  for (const s of skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), `'${s.node}'`]);
  const why = [...byReason].slice(0, MAX_REASONS).map(([reason, nodes]) => `${reason}: ${named(nodes)}`);
  if (byReason.size > MAX_REASONS) why.push(`and ${byReason.size - MAX_REASONS} more reasons`);
  throw new TransformRefusedError(
    `nothing to prune with ${method}: no Conv, Gemm or MatMul with a float32 constant weight is left to prune${why.length ? ` (${why.join('; ')})` : ''}`,
    skipped.map((s) => s.node),
  );
}

/**
 * Points the group's layers at the pruned weight: `apply` zeroes a fresh copy of the values
 * (it runs again, the same way, when the model is written). Returns the written tensor's name
 * and, when a copy was made for readers left out (not in `pruned`, every pruned node), a
 * warning that names them.
 */
function writePrunedWeight(
  edit: ModelEdit, g: WeightGroup, files: ModelFiles | undefined, apply: (values: Float32Array) => void, pruned: ReadonlySet<NodeProto>,
): { name: string; warning?: string } {
  const first = g.layers[0]!;
  const { dims, sourceName } = first;
  // The values as the input holds them, read again when the model is written (the tensor itself may become the pruned one below).
  const source = { ...first.source, tensor: { ...first.source.tensor } };
  const produce = (): Uint8Array => {
    const values = readFloats(source, files);
    apply(values);
    return littleEndianBytes(values);
  };
  if (g.outsideReads.length) {
    const name = edit.uniqueName(`${sourceName}_pruned`);
    edit.main.addInitializer(computedTensor(name, FLOAT, dims, produce));
    for (const l of g.layers) l.graph.setInput(l.node, l.weightInput, name);
    // Readers pruned in another group (2:4 along another axis) read copies of their own: only the others keep the original.
    const keepers = g.outsideReads.filter((r) => !r.node || !pruned.has(r.node));
    if (!keepers.length) return { name };
    const readers = [...new Set(keepers.map((r) => (r.node ? `'${r.node.name || r.node.op_type}'` : 'a graph output')))];
    return { name, warning: `weight '${sourceName}' is also read by ${readers.join(', ')}, which keep${readers.length > 1 ? '' : 's'} it: ${g.layers.map((l) => `'${l.id}'`).join(', ')} read${g.layers.length > 1 ? '' : 's'} a pruned copy '${name}' (${4 * g.elements} more bytes)` };
  }
  // The tensor object itself becomes the pruned one: one step for an initializer and a Constant's value alike.
  const tensor = first.source.tensor;
  Object.assign(tensor, computedTensor(tensor.name ?? '', FLOAT, dims, produce));
  delete tensor.data_location;
  return { name: sourceName };
}

/**
 * Removes the tensors that only pruned copies read now (a tensor read along two axes by 2:4
 * layers is copied for each), and Identity nodes left unread before them.
 */
function dropUnreadOriginals(groups: readonly WeightGroup[]): void {
  for (const g of groups) if (g.outsideReads.length) for (const l of g.layers) dropWeightIfUnread(l.graph, l.weightName);
}

/** The table rows of a pruned group: one per layer, the zeros counted once for the tensor. */
function groupRows(g: WeightGroup, weight: string, zeros: number): PrunedLayer[] {
  return g.layers.map((l) => ({
    node: l.id, opType: l.opType, weight, elementsBefore: l.elements, elementsAfter: l.elements, zeros, sparsity: l.elements ? zeros / l.elements : 0,
  }));
}

/** Pruning that zeroed no weight (every pruned layer held the sparsity already: pruned before?) says so: the output computes what the input did. */
export function nothingZeroedWarning(pruned: readonly { zeroed: number }[]): string[] {
  if (pruned.some((p) => p.zeroed > 0)) return [];
  return ['no weight was zeroed: every pruned layer already held the asked sparsity (was the model pruned before?); the output computes exactly what the input did'];
}

/** NaN and ±Inf values among `values`. */
export function countNonFinite(values: Float32Array): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) n++;
  return n;
}

/** Weights holding NaN or ±Inf (a broken export): they rank above every finite weight, and the outputs may be NaN or Inf whatever is pruned. */
export function nonFiniteWarning(weights: readonly { weight: string; nonFinite: number }[]): string[] {
  const bad = weights.filter((w) => w.nonFinite > 0);
  if (!bad.length) return [];
  return [`weights hold NaN or Inf values, which rank above every finite weight (zeroed last): ${named(bad.map((w) => `'${w.weight}' (${w.nonFinite})`))}; the model's outputs may be NaN or Inf before and after pruning`];
}

/** Zeros over elements of the pruned tensors, each counted once. */
function overallSparsity(pruned: readonly { elements: number; zeros: number }[]): number {
  const elements = pruned.reduce((a, p) => a + p.elements, 0);
  return elements ? pruned.reduce((a, p) => a + p.zeros, 0) / elements : 0;
}
