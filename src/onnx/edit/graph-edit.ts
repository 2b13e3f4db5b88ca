import { toNumber } from '../proto/byte-range';
import type { GraphProto, NodeProto, TensorProto, ValueInfoProto } from '../proto/types';
import { namesReadInSubgraphs, nodeSubgraphs, renameInSubgraphs } from './subgraphs';
import { topologicalOrder } from './topological-order';
import type { ModelEdit } from './model-edit';

/** Where a weight's values are: an initializer, or a Constant node's `value` tensor. */
export interface WeightSource {
  tensor: TensorProto;
  /** The graph that defines it (the reading graph or an enclosing one). */
  graph: GraphEdit;
  /** The Constant node holding it; undefined for an initializer. */
  constant?: NodeProto;
}

/**
 * Edits one graph of a model in place (DESIGN.md §2b): producers and consumers are indexed
 * and kept current by every edit, so a transform over a 100k-node graph stays linear. Node
 * order is repaired once, by `sortTopologically()`, after the transform.
 */
export class GraphEdit {
  private producers = new Map<string, NodeProto>();
  private consumers = new Map<string, NodeProto[]>();
  private initializers = new Map<string, TensorProto>();
  /** Nodes holding subgraphs (If/Loop/Scan): the only ones that read values other than through inputs. */
  private withSubgraphs = new Set<NodeProto>();
  /** The graph's lists this edit copied once and may now change in place (decoded lists can be frozen or shared). */
  private owned = new WeakSet<readonly unknown[]>();

  constructor(
    readonly proto: GraphProto,
    readonly model: ModelEdit,
    readonly parent?: GraphEdit,
    /** The node whose attribute holds this graph. */
    readonly owner?: NodeProto,
  ) {
    for (const n of proto.node) this.index(n);
    for (const t of proto.initializer) this.initializers.set(t.name ?? '', t);
  }

  get nodes(): readonly NodeProto[] {
    return this.proto.node;
  }

  producer(name: string): NodeProto | undefined {
    return this.producers.get(name);
  }

  /** Nodes of this graph that read `name` as an input (subgraph reads are in `isRead`). */
  consumersOf(name: string): readonly NodeProto[] {
    return this.consumers.get(name) ?? [];
  }

  initializer(name: string): TensorProto | undefined {
    return this.initializers.get(name);
  }

  isGraphOutput(name: string): boolean {
    return this.proto.output.some((o) => o.name === name);
  }

  isGraphInput(name: string): boolean {
    return this.proto.input.some((i) => i.name === name) && !this.initializers.has(name);
  }

  /** Whether anything reads `name`: a node here, a subgraph of one, or the graph's outputs. */
  isRead(name: string): boolean {
    if (this.consumersOf(name).length || this.isGraphOutput(name)) return true;
    for (const n of this.withSubgraphs) if (namesReadInSubgraphs(n).has(name)) return true;
    return false;
  }

  /**
   * The weight behind `name`, following Identity nodes (PyTorch shares one tensor through
   * them) here and in enclosing graphs; undefined when `name` is computed from inputs.
   */
  weight(name: string): WeightSource | undefined {
    const scopes = this.scopes();
    for (let k = 0, steps = 0; k < scopes.length && steps < 1_000_000; steps++) {
      const g = scopes[k]!;
      const t = g.initializers.get(name);
      // An initializer listed as a graph input too (every one before IR 4) is still a weight, as ORT's quantizer takes it.
      if (t) return { tensor: t, graph: g };
      const p = g.producers.get(name);
      if (p?.op_type === 'Constant' && !p.domain) {
        const value = p.attribute.find((a) => a.name === 'value')?.t;
        return value ? { tensor: value, graph: g, constant: p } : undefined;
      }
      if (p?.op_type === 'Identity' && !p.domain && p.input[0]) {
        name = p.input[0];
        continue;
      }
      if (p || g.proto.input.some((i) => i.name === name)) return undefined;
      k++;
    }
    return undefined;
  }

  /** This graph and the graphs enclosing it, innermost first. */
  scopes(): GraphEdit[] {
    const out: GraphEdit[] = [this];
    for (let g = this.parent; g; g = g.parent) out.push(g);
    return out;
  }

  /**
   * The graph's list `field` as an array this edit owns: copied on the first change, then
   * changed in place, so that adding or dropping one entry per layer stays linear in a model
   * of 100k layers (a copy per change made it quadratic).
   */
  private own<K extends 'initializer' | 'input' | 'node' | 'value_info'>(field: K): GraphProto[K] {
    let list = this.proto[field];
    if (!this.owned.has(list)) {
      list = [...list] as GraphProto[K];
      this.proto[field] = list;
      this.owned.add(list);
    }
    return list;
  }

  /** Removes the first entry of the graph's list `field` that `match` picks, in place. */
  private removeFrom<K extends 'initializer' | 'input' | 'value_info'>(field: K, match: (x: GraphProto[K][number]) => boolean): void {
    const at = (this.proto[field] as GraphProto[K][number][]).findIndex(match);
    if (at >= 0) this.own(field).splice(at, 1);
  }

  addInitializer(t: TensorProto): void {
    const name = t.name ?? '';
    if (this.initializers.has(name)) throw new Error(`initializer '${name}' exists already`);
    this.own('initializer').push(t);
    this.initializers.set(name, t);
    this.model.taken(name);
    // Before IR 4 every initializer is also listed as a graph input.
    if (this.model.irVersion < 4 && !this.parent) this.own('input').push(initializerInput(t));
  }

  /** Puts `t` in place of the initializer `name` (t gets that name). */
  replaceInitializer(name: string, t: TensorProto): void {
    const old = this.initializers.get(name);
    const list = this.proto.initializer;
    const at = old ? list.indexOf(old) : -1;
    if (at < 0) throw new Error(`no initializer '${name}'`);
    t.name = name;
    this.own('initializer')[at] = t;
    this.initializers.set(name, t);
  }

  addNode(node: NodeProto): NodeProto {
    this.own('node').push(node);
    this.index(node);
    if (node.name) this.model.taken(node.name);
    for (const o of node.output) if (o) this.model.taken(o);
    return node;
  }

  addNodes(nodes: NodeProto[]): void {
    const list = this.own('node');
    for (const n of nodes) list.push(n);
    for (const n of nodes) {
      this.index(n);
      if (n.name) this.model.taken(n.name);
      for (const o of n.output) if (o) this.model.taken(o);
    }
  }

  removeNode(node: NodeProto): void {
    this.removeNodes(new Set([node]));
  }

  /** Removes many nodes in one pass over the graph's node list. */
  removeNodes(nodes: ReadonlySet<NodeProto>): void {
    const list = this.own('node');
    if (nodes.size === 1) {
      const at = list.indexOf([...nodes][0]!);
      if (at >= 0) list.splice(at, 1);
    } else {
      let kept = 0;
      for (const n of list) if (!nodes.has(n)) list[kept++] = n;
      list.length = kept;
    }
    for (const node of nodes) {
      for (const o of node.output) if (this.producers.get(o) === node) this.producers.delete(o);
      for (const i of node.input) this.unlinkConsumer(i, node);
      this.withSubgraphs.delete(node);
    }
  }

  /** Makes input `index` of `node` read `name` instead. */
  setInput(node: NodeProto, index: number, name: string): void {
    const old = node.input[index];
    if (old === name) return;
    const inputs = [...node.input];
    while (inputs.length <= index) inputs.push('');
    inputs[index] = name;
    node.input = inputs;
    if (old && !inputs.includes(old)) this.unlinkConsumer(old, node);
    if (name) this.linkConsumer(name, node);
  }

  /** Every read of `from` in this graph (nodes, subgraphs, graph outputs) reads `to` instead. */
  redirectReads(from: string, to: string): void {
    for (const n of [...this.consumersOf(from)]) n.input.forEach((i, k) => i === from && this.setInput(n, k, to));
    for (const n of this.withSubgraphs) renameInSubgraphs(n, from, to);
    for (const o of this.proto.output) if (o.name === from) o.name = to;
  }

  /** Renames a value everywhere in this graph and below: its definition, its reads, its value_info. */
  renameValue(from: string, to: string): void {
    const p = this.producers.get(from);
    if (p) {
      p.output = p.output.map((o) => (o === from ? to : o));
      this.producers.delete(from);
      this.producers.set(to, p);
    }
    const t = this.initializers.get(from);
    if (t) {
      t.name = to;
      this.initializers.delete(from);
      this.initializers.set(to, t);
    }
    for (const vi of [...this.proto.input, ...this.proto.value_info]) if (vi.name === from) vi.name = to;
    this.redirectReads(from, to);
    this.model.taken(to);
  }

  /**
   * Removes the weight `name` defines here if nothing reads it any more: the initializer (and
   * its graph input before IR 4), or the Constant node, then Identity nodes left unread
   * behind it, one after another.
   */
  dropIfUnread(name: string): void {
    for (let steps = 0; name && steps < 1_000_000; steps++) {
      if (this.isRead(name)) return;
      const t = this.initializers.get(name);
      if (t) {
        this.removeFrom('initializer', (x) => x === t);
        this.initializers.delete(name);
        this.removeFrom('input', (i) => i.name === name);
        this.removeFrom('value_info', (v) => v.name === name);
        return;
      }
      const p = this.producers.get(name);
      if (!p || p.domain || (p.op_type !== 'Constant' && p.op_type !== 'Identity') || p.output.length !== 1) return;
      this.removeNode(p);
      this.removeFrom('value_info', (v) => v.name === name);
      name = p.op_type === 'Identity' ? (p.input[0] ?? '') : '';
    }
  }

  /** The value_info, input or output entries that declare `name`'s type here. */
  declarations(name: string): ValueInfoProto[] {
    return [...this.proto.input, ...this.proto.output, ...this.proto.value_info].filter((v) => v.name === name);
  }

  /** Restores topological order after edits (inserted nodes land just before their first reader). */
  sortTopologically(): void {
    this.proto.node = topologicalOrder(this.proto.node);
  }

  private index(n: NodeProto): void {
    for (const o of n.output) if (o) this.producers.set(o, n);
    for (const i of n.input) if (i) this.linkConsumer(i, n);
    if (nodeSubgraphs(n).length) this.withSubgraphs.add(n);
  }

  private linkConsumer(name: string, node: NodeProto): void {
    const list = this.consumers.get(name);
    if (!list) this.consumers.set(name, [node]);
    else if (!list.includes(node)) list.push(node);
  }

  private unlinkConsumer(name: string, node: NodeProto): void {
    const list = this.consumers.get(name);
    if (!list) return;
    const rest = list.filter((n) => n !== node);
    if (rest.length) this.consumers.set(name, rest);
    else this.consumers.delete(name);
  }
}

function initializerInput(t: TensorProto): ValueInfoProto {
  return {
    name: t.name,
    type: { tensor_type: { elem_type: t.data_type, shape: { dim: t.dims.map((d) => ({ dim_value: toNumber(d) })) } } },
    metadata_props: [],
  };
}
