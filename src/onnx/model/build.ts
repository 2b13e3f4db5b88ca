import type { ModelFiles } from '../io/model-files';
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
  const byId = new Map<string, Node>();
  const graph = buildGraph(proto.graph ?? emptyGraph(), '', undefined, files, byId);
  const training: Graph[] = [];
  proto.training_info.forEach((t, i) => {
    if (t.initialization) training.push(buildGraph(t.initialization, `#training${i}.initialization`, undefined, files, byId));
    if (t.algorithm) training.push(buildGraph(t.algorithm, `#training${i}.algorithm`, undefined, files, byId));
  });
  return new Model(proto, graph, training, files, byId);
}

export function emptyGraph(): GraphProto {
  return { node: [], initializer: [], input: [], output: [], value_info: [], quantization_annotation: [], sparse_initializer: [], metadata_props: [] };
}

/** Node names may contain `/` (PyTorch): escape it and `%` so ids split unambiguously. */
export function escapeIdPart(s: string): string {
  return s.replace(/%/g, '%25').replace(/\//g, '%2F');
}

function buildGraph(proto: GraphProto, prefix: string, owner: GraphOwner | undefined, files: ModelFiles | undefined, byId: Map<string, Node>): Graph {
  const g = new Graph(proto, prefix, owner);
  for (const t of proto.initializer) {
    const v = g.value(t.name ?? '');
    v.initializer = new Tensor(t, files);
    g.initializers.push(v.initializer);
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
  const used = new Set<string>();
  proto.node.forEach((np, index) => {
    const node = new Node(np, g, index, files);
    g.nodes.push(node);
    node.id = uniqueId(prefix, node, used);
    byId.set(node.id, node);
    for (const name of np.input) if (name) g.value(name).consumers.push(node);
    for (const name of np.output) if (name) g.value(name).producer ??= node;
    for (const a of node.attributes) {
      const p = a.proto;
      if (p.g) node.subgraphs.push(buildGraph(p.g, `${node.id}/${escapeIdPart(a.name)}/`, { node, attribute: a.name }, files, byId));
      p.graphs.forEach((sg, i) => node.subgraphs.push(buildGraph(sg, `${node.id}/${escapeIdPart(a.name)}[${i}]/`, { node, attribute: a.name, index: i }, files, byId)));
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

/** The node's name if unique in its graph, else `OpType_index`, made unique if even that collides. */
function uniqueId(prefix: string, node: Node, used: Set<string>): string {
  let part = node.name && !used.has(node.name) ? node.name : `${node.opType}_${node.index}`;
  for (let k = 1; used.has(part); k++) part = `${node.opType}_${node.index}~${k}`;
  used.add(part);
  return prefix + escapeIdPart(part);
}
