import type { GraphProto, NodeProto } from '../proto/types';

/** The graphs held by a node's attributes (If branches, Loop/Scan bodies). */
export function nodeSubgraphs(node: NodeProto): GraphProto[] {
  const out: GraphProto[] = [];
  for (const a of node.attribute) {
    if (a.g) out.push(a.g);
    for (const g of a.graphs) out.push(g);
  }
  return out;
}

/**
 * Every name a node's subgraphs read, at any depth: the outer values the node captures are
 * among them (names a subgraph defines itself are included too; ONNX forbids shadowing, so
 * they never collide with outer names). A work list, not recursion.
 */
export function namesReadInSubgraphs(node: NodeProto): Set<string> {
  const names = new Set<string>();
  const work = nodeSubgraphs(node);
  while (work.length) {
    const g = work.pop()!;
    for (const n of g.node) {
      for (const i of n.input) if (i) names.add(i);
      for (const sub of nodeSubgraphs(n)) work.push(sub);
    }
    for (const o of g.output) if (o.name) names.add(o.name);
  }
  return names;
}

/** Renames every read of `from` in the subgraphs of `node`, at any depth. */
export function renameInSubgraphs(node: NodeProto, from: string, to: string): void {
  const work = nodeSubgraphs(node);
  while (work.length) {
    const g = work.pop()!;
    for (const n of g.node) {
      n.input = n.input.map((i) => (i === from ? to : i));
      for (const sub of nodeSubgraphs(n)) work.push(sub);
    }
    for (const o of g.output) if (o.name === from) o.name = to;
  }
}
