import type { AttributeProto, GraphProto, ModelProto, NodeProto } from '../../proto/types';

/**
 * A copy of the model's structure (graphs, nodes, attributes, lists) sharing every tensor
 * with the input, so a conversion that is refused halfway leaves the input as it was. Also
 * returns, for every copied node, the input node it copies. A work list, not recursion.
 */
export function copyModelStructure(m: ModelProto): { copy: ModelProto; original: Map<NodeProto, NodeProto> } {
  const original = new Map<NodeProto, NodeProto>();
  const work: GraphProto[] = [];
  const copyNodes = (nodes: NodeProto[]): NodeProto[] =>
    nodes.map((n) => {
      const c: NodeProto = { ...n, input: [...n.input], output: [...n.output], attribute: n.attribute.map(copyAttribute) };
      original.set(c, n);
      return c;
    });
  const copyGraph = (g: GraphProto): GraphProto => {
    const c: GraphProto = { ...g, node: g.node, initializer: [...g.initializer], input: [...g.input], output: [...g.output], value_info: [...g.value_info] };
    work.push(c);
    return c;
  };
  const copyAttribute = (a: AttributeProto): AttributeProto => ({ ...a, g: a.g && copyGraph(a.g), graphs: a.graphs.map(copyGraph) });
  const copy: ModelProto = {
    ...m,
    opset_import: [...m.opset_import],
    graph: m.graph && copyGraph(m.graph),
    training_info: m.training_info.map((t) => ({ ...t, initialization: t.initialization && copyGraph(t.initialization), algorithm: t.algorithm && copyGraph(t.algorithm) })),
    functions: m.functions.map((f) => ({ ...f, node: copyNodes(f.node), opset_import: [...f.opset_import] })),
  };
  while (work.length) {
    const g = work.pop()!;
    g.node = copyNodes(g.node);
  }
  return { copy, original };
}
