// Maps TensorRT engine layers onto the ONNX nodes they compute. A layer's nodes come from, in
// order: its `Metadata` "[ONNX Layer: …]" list and the names in its own (fused) name; the nodes a
// parser-inserted shuffle serves; the producers of its output tensors. Layers that compute no node
// of their own are charged, as overhead, to the layer they serve: a reformat to the layer it
// feeds (or whose output it converts), through the Myelin kernels that read its output when it
// feeds a `{ForeignNode[…]}`; a Myelin shape call to the kernels of its region. A Myelin region
// known only as `{ForeignNode[first...last]}` covers the nodes between its two ends.
import type { Graph, Model, Node } from '../../onnx/model/graph';
import { NodeNames } from '../node-names';
import type { EngineLayer } from './layer-info';
import { foreignNodeEnds, isShapeCall, myelinKernel, namesInLayerName, reformatName } from './layer-names';

export interface LayerMapping {
  nodes: Node[];
  /** Charged to the nodes it serves (reformat, inserted shuffle, shape call). */
  overhead: boolean;
  /** A Myelin kernel with no name or metadata of its own, charged to every node of its region. */
  wholeRegion?: boolean;
}

export class LayerMapper {
  private readonly names: NodeNames;
  private readonly info = new Map<string, EngineLayer>();
  private readonly readersOf = new Map<string, EngineLayer[]>();
  private readonly regions = new Map<string, string[]>();
  private readonly direct = new Map<string, LayerMapping>();

  /** `layerNames`: every layer name known (the profile's rows and the layer info's layers). */
  constructor(
    readonly model: Model,
    layers: readonly EngineLayer[],
    layerNames: readonly string[],
  ) {
    this.names = new NodeNames(model);
    for (const l of layers) {
      if (!this.info.has(l.name)) this.info.set(l.name, l);
      for (const t of l.inputs) {
        const list = this.readersOf.get(t);
        if (list) list.push(l);
        else this.readersOf.set(t, [l]);
      }
    }
    for (const name of new Set([...layerNames, ...this.info.keys()])) {
      const region = myelinKernel(name)?.region;
      if (!region) continue;
      const list = this.regions.get(region);
      if (list) list.push(name);
      else this.regions.set(region, [name]);
    }
  }

  map(name: string): LayerMapping {
    const layer = this.info.get(name);
    const reformat = reformatName(name);
    if (reformat) {
      const nodes = this.reformatTarget(reformat.target, layer);
      return { nodes, overhead: true };
    }
    if (isShapeCall(name, layer?.type)) return { nodes: this.regionNodes(name), overhead: true };
    const own = this.directMapping(name);
    if (own.nodes.length > 0 || !myelinKernel(name)) return own;
    const nodes = this.regionNodes(name);
    return { nodes, overhead: false, ...(nodes.length ? { wholeRegion: true } : {}) };
  }

  /** What a layer computes by itself, from its metadata, its name and its outputs. */
  private directMapping(name: string): LayerMapping {
    let found = this.direct.get(name);
    if (found) return found;
    const layer = this.info.get(name);
    const { names, inserted, fallback } = namesInLayerName(name);
    let nodes = this.resolveAll([...(layer?.onnxNames ?? []), ...names]);
    if (nodes.length === 0) nodes = this.resolveAll(fallback);
    // A layer named after a weight only (a constant layer): the node that reads the weight.
    if (nodes.length === 0) nodes = uniqueNodes(names.flatMap((n) => this.model.graph.values.get(n)?.consumers[0] ?? []));
    let overhead = false;
    if (nodes.length === 0 && inserted.length > 0) {
      nodes = this.resolveAll(inserted);
      overhead = nodes.length > 0;
    }
    if (nodes.length === 0) {
      const ends = foreignNodeEnds(name);
      if (ends) nodes = this.between(ends);
    }
    if (nodes.length === 0 && layer) nodes = this.producers(layer.outputs);
    found = { nodes, overhead };
    this.direct.set(name, found);
    return found;
  }

  private reformatTarget(target: string, reformat: EngineLayer | undefined): Node[] {
    const direct = this.directMapping(target).nodes;
    if (direct.length > 0) return direct;
    // A reformat into a Myelin region: the region's kernels that read the reformatted tensor.
    const readers = unique((reformat?.outputs ?? []).flatMap((t) => this.readersOf.get(t) ?? []));
    return uniqueNodes(readers.flatMap((r) => this.kernelNodes(r)));
  }

  /** A reader of a reformatted tensor: its own nodes, or its Myelin region's (no further hops, so hostile files cannot loop). */
  private kernelNodes(r: EngineLayer): Node[] {
    const own = isShapeCall(r.name, r.type) ? [] : this.directMapping(r.name).nodes;
    return own.length > 0 ? own : this.regionNodes(r.name);
  }

  /** The nodes of the other layers of a Myelin region (`_myl24_` in their names). */
  private regionNodes(name: string): Node[] {
    const region = myelinKernel(name)?.region;
    if (!region) return [];
    const members = (this.regions.get(region) ?? []).filter((n) => n !== name && !isShapeCall(n, this.info.get(n)?.type));
    return uniqueNodes(members.flatMap((n) => this.directMapping(n).nodes));
  }

  private resolveAll(names: readonly string[]): Node[] {
    return uniqueNodes(names.flatMap((n) => this.resolve(n) ?? []));
  }

  /** A node by its name, else the node that writes a value of that name. */
  private resolve(name: string): Node | undefined {
    return this.names.named(name)[0] ?? this.names.producerOf(name);
  }

  private producers(tensors: readonly string[]): Node[] {
    return uniqueNodes(tensors.flatMap((t) => this.names.producerOf(t) ?? []));
  }

  /**
   * `ForeignNode[first...last]`: the nodes on paths from `first` to `last` (both named by layer
   * or tensor; a weight stands for the node that reads it). Iterative, so graph depth is no limit.
   */
  private between(ends: string[]): Node[] {
    const [a, b] = ends.map((e) => this.endNode(e));
    if (!a || !b || a === b || a.graph !== b.graph) return uniqueNodes([a, b].filter((n): n is Node => !!n));
    const after = reach(a, (n) => n.outputs.flatMap((o) => valueOf(n.graph, o)?.consumers ?? []));
    if (!after.has(b)) return [a, b];
    const before = reach(b, (n) => n.inputs.flatMap((i) => valueOf(n.graph, i)?.producer ?? []));
    return a.graph.nodes.filter((n) => after.has(n) && before.has(n));
  }

  private endNode(name: string): Node | undefined {
    for (const part of namesInLayerName(name).names) {
      const node = this.resolve(part) ?? this.model.graph.values.get(part)?.consumers[0];
      if (node) return node;
    }
    return undefined;
  }
}

function reach(start: Node, next: (n: Node) => Node[]): Set<Node> {
  const seen = new Set([start]);
  const stack = [start];
  while (stack.length) {
    for (const n of next(stack.pop()!)) {
      if (n.graph === start.graph && !seen.has(n)) {
        seen.add(n);
        stack.push(n);
      }
    }
  }
  return seen;
}

const valueOf = (g: Graph, name: string) => (name ? g.values.get(name) : undefined);

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function uniqueNodes(nodes: Node[]): Node[] {
  return unique(nodes);
}
