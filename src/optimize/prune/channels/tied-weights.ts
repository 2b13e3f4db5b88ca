import type { ModelFiles } from '../../../onnx/io/model-files';
import type { NodeProto, TensorProto } from '../../../onnx/proto/types';
import { TiedWeightsError } from '../../errors';
import { floatWeight, readFloats } from '../../preprocess/weights';
import type { NodeIds } from '../types';
import type { ChannelGraph, Fix } from './dependency-groups';
import type { AxisCut } from './gather';
import { nodeId } from './node-facts';
import { layoutChanged, layoutKept, type KeptByGroup } from './remove-channels';

/** The cuts of every weight input the kept channels change, by node and input. */
export type PlannedCuts = Map<NodeProto, Map<number, AxisCut[]>>;

export function plannedCuts(cg: ChannelGraph, fixes: readonly Fix[], kept: KeptByGroup): PlannedCuts {
  const byInput: PlannedCuts = new Map();
  for (const fix of fixes) {
    if (fix.kind !== 'weight' || !layoutChanged(cg, fix.layout, kept)) continue;
    const inputs = byInput.get(fix.node) ?? new Map<number, AxisCut[]>();
    byInput.set(fix.node, inputs);
    inputs.set(fix.input, [...(inputs.get(fix.input) ?? []), { axis: fix.axis, indices: layoutKept(cg, fix.layout, kept) }]);
  }
  return byInput;
}

/** A weight whose changed readers would get different copies: a tie the pruning would break. */
export interface BrokenTie {
  /** The initializer's name or the Constant's output. */
  weight: string;
  /** Every node that reads the weight, directly or through Identity (changed or not), in graph order. */
  readers: NodeProto[];
}

/**
 * Weights read by several nodes that the planned cuts would cut in different ways (other kept
 * indices, or other axes). A weight of one value throughout (zero biases, unit gammas of an
 * untrained model: equal tensors PyTorch's exporter merged) is no tie: each cut copy still
 * holds that value only.
 */
export function brokenTies(cg: ChannelGraph, cuts: PlannedCuts, files: ModelFiles | undefined): BrokenTie[] {
  const keysByTensor = new Map<TensorProto, Set<string>>();
  const nameOf = new Map<TensorProto, string>();
  for (const [node, inputs] of cuts) {
    for (const [input, axisCuts] of inputs) {
      const source = floatWeight(cg.graph, node.input[input])!;
      const keys = keysByTensor.get(source.tensor) ?? new Set<string>();
      keysByTensor.set(source.tensor, keys.add(JSON.stringify(axisCuts)));
      nameOf.set(source.tensor, (source.constant ? source.constant.output[0] : source.tensor.name) || node.input[input]!);
    }
  }
  const tied = [...keysByTensor].filter(([tensor, keys]) => keys.size > 1 && !uniform(readFloats({ tensor, graph: cg.graph }, files))).map(([tensor]) => tensor);
  if (!tied.length) return [];
  const readers = new Map<TensorProto, NodeProto[]>(tied.map((t) => [t, []]));
  // The Identity nodes a weight goes through are not its readers (their readers are).
  for (const n of cg.graph.nodes) {
    if (n.op_type === 'Identity') continue;
    const read = new Set(n.input.map((i) => (i ? cg.graph.weight(i)?.tensor : undefined)));
    for (const t of tied) if (read.has(t)) readers.get(t)!.push(n);
  }
  return tied.map((t) => ({ weight: nameOf.get(t)!, readers: readers.get(t)! }));
}

function uniform(values: Float32Array): boolean {
  return values.every((v) => v === values[0]);
}

/** Says which layers read the weight and would make its copies differ. */
export function tieReason(tie: BrokenTie, ids: NodeIds): string {
  return `the weight '${tie.weight}' is shared by ${tie.readers.map((n) => `${n.op_type} '${nodeId(ids, n)}'`).join(', ')}, and pruning would cut it differently for them`;
}

/** Refuses pruning that would break ties between weights several layers read, naming the weight and all its readers. */
export function refuseBrokenTies(cg: ChannelGraph, cuts: PlannedCuts, files: ModelFiles | undefined, ids: NodeIds): void {
  const ties = brokenTies(cg, cuts, files);
  if (!ties.length) return;
  const shown = ties.slice(0, 3).map((t) => tieReason(t, ids));
  const more = ties.length > 3 ? `; and ${ties.length - 3} more tied weight(s)` : '';
  throw new TiedWeightsError(
    `cannot prune without breaking tied weights: ${shown.join('; ')}${more}. Tied weights must stay equal: exclude all but one of the layers that read a weight with --exclude-nodes (the others then read the original and the pruned one a copy), or exclude them all`,
    [...new Set(ties.flatMap((t) => t.readers.map((n) => nodeId(ids, n))))],
  );
}
