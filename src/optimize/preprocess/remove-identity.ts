import type { ModelEdit } from '../../onnx/edit/model-edit';

/**
 * Removes Identity nodes, as ORT's quant_pre_process does through its graph optimizer: every
 * read of the Identity's output reads its input instead (in subgraphs too). An Identity whose
 * output is a graph output stays, since the output's name is the graph's interface. Returns
 * how many were removed.
 */
export function removeIdentities(edit: ModelEdit): number {
  let removed = 0;
  for (const g of edit.graphs()) {
    for (const node of [...g.nodes]) {
      if (node.op_type !== 'Identity' || node.domain || node.input.length !== 1 || node.output.length !== 1) continue;
      const [from, to] = [node.output[0]!, node.input[0]!];
      if (!from || !to || g.isGraphOutput(from)) continue;
      g.removeNode(node);
      g.redirectReads(from, to);
      g.proto.value_info = g.proto.value_info.filter((v) => v.name !== from);
      removed++;
    }
  }
  return removed;
}
