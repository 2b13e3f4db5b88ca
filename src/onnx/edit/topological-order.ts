import type { NodeProto } from '../proto/types';
import { namesReadInSubgraphs } from './subgraphs';

export class GraphCycleError extends Error {}

/**
 * The nodes in an order where each comes after the producers of what it reads (its inputs and
 * the outer values its subgraphs capture), as close to the given order as possible: a node is
 * moved only as far as needed, so an inserted node lands just before its first consumer.
 * Depth-first with an explicit stack: chains of any length. Throws GraphCycleError on a cycle.
 */
export function topologicalOrder(nodes: readonly NodeProto[]): NodeProto[] {
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => n.output.forEach((o) => o && producer.set(o, i)));
  const reads = (i: number): string[] => {
    const n = nodes[i]!;
    const sub = n.attribute.some((a) => a.g || a.graphs.length) ? [...namesReadInSubgraphs(n)] : [];
    return [...n.input, ...sub];
  };
  // 0 unvisited, 1 on the stack, 2 placed
  const state = new Uint8Array(nodes.length);
  const order: NodeProto[] = [];
  for (let start = 0; start < nodes.length; start++) {
    if (state[start]) continue;
    const stack: { node: number; deps: string[]; next: number }[] = [{ node: start, deps: reads(start), next: 0 }];
    state[start] = 1;
    while (stack.length) {
      const top = stack[stack.length - 1]!;
      let pushed = false;
      while (top.next < top.deps.length) {
        const p = producer.get(top.deps[top.next++]!);
        if (p === undefined || p === top.node || state[p] === 2) continue;
        if (state[p] === 1) throw new GraphCycleError(`the graph has a cycle through node '${nodes[p]!.name ?? ''}' (${nodes[p]!.op_type ?? ''})`);
        state[p] = 1;
        stack.push({ node: p, deps: reads(p), next: 0 });
        pushed = true;
        break;
      }
      if (pushed) continue;
      stack.pop();
      state[top.node] = 2;
      order.push(nodes[top.node]!);
    }
  }
  return order;
}
