import type { Graph } from '../../onnx/model/graph';

/**
 * A run of consecutive nodes (in the graph's topological order) that TensorRT takes: what
 * Polygraphy's `inspect capability` saves as a supported subgraph. `range` is [start, end),
 * node indices in the graph, as Polygraphy lists node ranges.
 */
export interface Island {
  /** The graph's id prefix: '' for the main graph, `If_3/then_branch/` below. */
  graph: string;
  range: [number, number];
  nodes: number;
  first: string;
  last: string;
}

/** Islands of taken nodes (conditional nodes are taken by the parser; nodes in a rejected body are not). */
export function islandsOf(graph: Graph, isTaken: (id: string) => boolean): Island[] {
  const out: Island[] = [];
  let start = -1;
  const close = (end: number): void => {
    if (start >= 0) out.push({ graph: graph.id, range: [start, end], nodes: end - start, first: graph.nodes[start]!.id, last: graph.nodes[end - 1]!.id });
    start = -1;
  };
  graph.nodes.forEach((n, i) => {
    if (!isTaken(n.id)) close(i);
    else if (start < 0) start = i;
  });
  close(graph.nodes.length);
  return out;
}
