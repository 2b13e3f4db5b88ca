import type { ModelFiles } from '../io/model-files';
import { toNumber } from '../proto/byte-range';
import type { GraphProto, ModelProto } from '../proto/types';
import { Tensor } from '../tensor';
import { Graph, Model, Node, type GraphOwner } from './graph';
import { typeFromProto } from './value-type';

/**
 * Builds the neutral graph model over a decoded ModelProto: values linked to producers and
 * consumers, initializers as lazy Tensors, subgraphs of every graph-valued attribute, and a
 * stable id per node.
 */
export function buildModel(proto: ModelProto, files?: ModelFiles): Model {
  const counter = { next: 0 };
  const graph = buildGraph(proto.graph ?? emptyGraph(), counter, undefined, files);
  const training: Graph[] = [];
  proto.training_info.forEach((t, i) => {
    if (t.initialization) training.push(buildGraph(t.initialization, counter, undefined, files, `#training${i}.initialization/`));
    if (t.algorithm) training.push(buildGraph(t.algorithm, counter, undefined, files, `#training${i}.algorithm/`));
  });
  return new Model(proto, graph, training, files, counter.next);
}

export function emptyGraph(): GraphProto {
  return { node: [], initializer: [], input: [], output: [], value_info: [], quantization_annotation: [], sparse_initializer: [], metadata_props: [] };
}

function buildGraph(proto: GraphProto, counter: { next: number }, owner: GraphOwner | undefined, files: ModelFiles | undefined, rootPrefix?: string): Graph {
  const g = new Graph(proto, counter, owner, rootPrefix);
  for (const t of proto.initializer) {
    const v = g.value(t.name ?? '');
    v.initializer = new Tensor(t, files);
    g.initializers.push(v.initializer);
  }
  for (const s of proto.sparse_initializer) {
    if (!s.values || !s.indices) continue; // the checker reports it
    const v = g.value(s.values.name ?? '');
    v.sparseInitializer = { values: new Tensor(s.values, files), indices: new Tensor(s.indices, files), dims: s.dims.map(toNumber) };
    v.type ??= { kind: 'tensor', elemType: s.values.data_type ?? 0, shape: v.sparseInitializer.dims };
    g.sparseInitializers.push(v.sparseInitializer);
  }
  for (const vi of proto.input) {
    const v = g.value(vi.name ?? '');
    v.isGraphInput = true;
    v.type = typeFromProto(vi.type);
    g.inputs.push(v);
  }
  for (const vi of proto.value_info) {
    const v = g.value(vi.name ?? '');
    v.type ??= typeFromProto(vi.type);
  }
  proto.node.forEach((np, index) => {
    const node = new Node(np, g, index, files);
    g.nodes.push(node);
    node.inputBase = g.nodeInputValues.length;
    for (const name of np.input) {
      const v = name ? g.value(name) : undefined;
      v?.consumers.push(node);
      g.nodeInputValues.push(v);
    }
    node.outputBase = g.nodeOutputValues.length;
    for (const name of np.output) {
      const v = name ? g.value(name) : undefined;
      if (v) v.producer ??= node;
      g.nodeOutputValues.push(v);
    }
    if (node.attributes.some((a) => a.proto.g || a.proto.graphs.length)) {
      const subgraphs: Graph[] = [];
      for (const a of node.attributes) {
        const p = a.proto;
        if (p.g) subgraphs.push(buildGraph(p.g, counter, { node, attribute: a.name }, files));
        p.graphs.forEach((sg, i) => subgraphs.push(buildGraph(sg, counter, { node, attribute: a.name, index: i }, files)));
      }
      node.subgraphs = subgraphs;
    }
  });
  for (const vi of proto.output) {
    const v = g.value(vi.name ?? '');
    v.isGraphOutput = true;
    v.type = typeFromProto(vi.type) ?? v.type;
    g.outputs.push(v);
  }
  return g;
}
