import type { ModelEdit } from '../../../onnx/edit/model-edit';
import type { ModelFiles } from '../../../onnx/io/model-files';
import type { NodeProto } from '../../../onnx/proto/types';
import { prunableLayers } from '../layers';
import { floatWeight, weightDims } from '../../preprocess/weights';
import type { NodeIds, PruneOptions, PruneUnit, SkippedLayer } from '../types';
import type { Space } from './channel-spaces';
import { channelGraph, type ChannelGraph, type Fix } from './dependency-groups';
import { nodeId } from './node-facts';
import { brokenTies, plannedCuts, tieReason } from './tied-weights';

/** A dependency group that can be pruned: its producing layers and every fix its kept channels drive. */
export interface ChannelUnit {
  root: number;
  spaces: Space[];
  fixes: Fix[];
  unit: PruneUnit;
}

export interface ChannelUnits {
  graph: ChannelGraph;
  units: ChannelUnit[];
  skipped: SkippedLayer[];
}

const WEIGHTED = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

function leftAloneBy(options: PruneOptions, ids: NodeIds): (node: NodeProto) => boolean {
  const names = new Set(options.excludeNodes ?? []);
  const excluded = new Set(options.excludeOps ?? []);
  const included = options.includeOps && new Set(options.includeOps);
  return (node) => {
    const op = node.op_type ?? '';
    if (names.has(node.name ?? '') || names.has(nodeId(ids, node))) return true;
    return WEIGHTED.has(op) && (excluded.has(op) || (!!included && !included.has(op)));
  };
}

/**
 * The channel dependency groups of the main graph: those that can be pruned (units, the id of
 * the first producing layer in topological order) and the layers left, with why. With
 * keepFirstLast (the default) the groups of the first and last prunable layers (prunableLayers'
 * definition, over Conv, Gemm and MatMul: the stem, the classifier) are left.
 */
export function channelUnits(edit: ModelEdit, files: ModelFiles | undefined, options: PruneOptions, ids: NodeIds): ChannelUnits {
  const cg = channelGraph(edit.main, leftAloneBy(options, ids));
  const { groups, spaces } = cg;
  if (options.keepFirstLast !== false) {
    const ends = prunableLayers(edit, files, { method: options.method, ratio: options.ratio }, ids).skipped.filter((s) => /first|last/.test(s.reason) && /keepFirstLast/.test(s.reason));
    for (const space of spaces) {
      const end = ends.find((e) => e.node === nodeId(ids, space.layer));
      if (end) groups.refuse(space.id, `'${end.node}' is the ${end.reason}`);
    }
  }
  const byRoot = new Map<number, Space[]>();
  for (const s of spaces) byRoot.set(groups.find(s.id), [...(byRoot.get(groups.find(s.id)) ?? []), s]);
  const fixesByRoot = new Map<number, Fix[]>();
  for (const f of cg.fixes) for (const root of new Set(f.layout.segments.map((s) => groups.find(s.space)))) fixesByRoot.set(root, [...(fixesByRoot.get(root) ?? []), f]);
  const units: ChannelUnit[] = [];
  const skipped: SkippedLayer[] = cg.skipped.map(({ node, reason }) => ({ node: nodeId(ids, node), opType: node.op_type ?? '', reason }));
  for (const g of edit.graphs().slice(1)) for (const n of g.nodes) if (WEIGHTED.has(n.op_type ?? '')) skipped.push({ node: nodeId(ids, n), opType: n.op_type ?? '', reason: 'inside a subgraph (If/Loop/Scan body): only the main graph is pruned' });
  for (const [root, members] of byRoot) {
    const reasons = [...groups.reasonsOf(root)];
    if (members.some((m) => m.channels !== members[0]!.channels)) reasons.push('coupled layers have different channel counts');
    if (reasons.length) {
      for (const m of members) skipped.push({ node: nodeId(ids, m.layer), opType: m.layer.op_type ?? '', reason: `its channel group is left: ${reasons.join('; ')}` });
      continue;
    }
    const fixes = fixesByRoot.get(root) ?? [];
    // A tie within the group (one weight cut on its output axis for one layer, its input axis for another) holds at no ratio.
    const ties = brokenTies(cg, plannedCuts(cg, fixes, new Map([[root, [0]]])), files);
    if (ties.length) {
      for (const m of members) skipped.push({ node: nodeId(ids, m.layer), opType: m.layer.op_type ?? '', reason: `its channel group is left: ${ties.map((t) => tieReason(t, ids)).join('; ')}` });
      continue;
    }
    units.push({ root, spaces: members, fixes, unit: { id: nodeId(ids, members[0]!.layer), nodes: unitNodes(fixes, ids), parameters: unitParameters(cg, fixes) } });
  }
  return { graph: cg, units, skipped };
}

function unitNodes(fixes: Fix[], ids: NodeIds): string[] {
  return [...new Set(fixes.filter((f) => f.kind === 'weight').map((f) => nodeId(ids, f.node)))];
}

function unitParameters(cg: ChannelGraph, fixes: Fix[]): number {
  const seen = new Set<string>();
  let total = 0;
  for (const f of fixes) {
    if (f.kind !== 'weight') continue;
    const name = f.node.input[f.input]!;
    const w = floatWeight(cg.graph, name);
    if (!w || seen.has(name)) continue;
    seen.add(name);
    total += weightDims(w).reduce((a, b) => a * b, 1);
  }
  return total;
}
