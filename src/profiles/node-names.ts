import type { Graph, Model, Node } from '../onnx/model/graph';

/**
 * How profiles find the user's nodes: tools name a layer after an ONNX node (TensorRT's
 * `/layer1/layer1.0/conv1/Conv`, ORT's node name) or after a value it produces. Names are
 * looked up in the main graph first, then in subgraphs outermost first, so a name a subgraph
 * reuses does not shadow the main graph's node.
 */
export class NodeNames {
  private readonly byName = new Map<string, Node[]>();
  private readonly byOutput = new Map<string, Node>();

  constructor(readonly model: Model) {
    for (const g of model.graphs()) this.addGraph(g);
  }

  private addGraph(g: Graph): void {
    for (const n of g.nodes) {
      if (n.name) {
        const list = this.byName.get(n.name);
        if (list) list.push(n);
        else this.byName.set(n.name, [n]);
      }
      for (const o of n.outputs) if (o && !this.byOutput.has(o)) this.byOutput.set(o, n);
    }
  }

  /** Every node named `name` (several where subgraphs or a careless exporter reuse it), outermost first. */
  named(name: string): readonly Node[] {
    return this.byName.get(name) ?? [];
  }

  /** The node that writes value `name` (the outermost where subgraphs reuse the name). */
  producerOf(name: string): Node | undefined {
    return this.byOutput.get(name);
  }
}
