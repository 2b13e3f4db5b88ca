import type { GraphEdit } from '../../onnx/edit/graph-edit';
import type { ModelEdit } from '../../onnx/edit/model-edit';
import { nodeSubgraphs } from '../../onnx/edit/subgraphs';

/** Names that subgraphs of this graph's nodes (any depth) return as their outputs. */
function subgraphOutputs(g: GraphEdit): Set<string> {
  const names = new Set<string>();
  const work = g.nodes.flatMap(nodeSubgraphs);
  while (work.length) {
    const sub = work.pop()!;
    for (const o of sub.output) if (o.name) names.add(o.name);
    for (const n of sub.node) work.push(...nodeSubgraphs(n));
  }
  return names;
}

/**
 * Removes Identity nodes, as ORT's quant_pre_process does through its graph optimizer: every
 * read of the Identity's output reads its input instead (in subgraphs too). An Identity whose
 * output is a graph output stays (the name is the graph's interface), and so does one whose
 * output a subgraph returns as its own output (a branch would then return an outer value
 * directly, which runtimes handle unevenly). Returns how many were removed.
 */
export function removeIdentities(edit: ModelEdit): number {
  let removed = 0;
  for (const g of edit.graphs()) {
    const returned = subgraphOutputs(g);
    for (const node of [...g.nodes]) {
      if (node.op_type !== 'Identity' || node.domain || node.input.length !== 1 || node.output.length !== 1) continue;
      const [from, to] = [node.output[0]!, node.input[0]!];
      if (!from || !to || g.isGraphOutput(from) || returned.has(from)) continue;
      g.removeNode(node);
      g.redirectReads(from, to);
      g.proto.value_info = g.proto.value_info.filter((v) => v.name !== from);
      removed++;
    }
  }
  return removed;
}
