/**
 * The edits a QDQ plan needs, applied to the decoded ModelProto: new names that collide with
 * nothing, nodes inserted right after the node whose output they read (so graph order stays
 * topological), initializers added, nodes removed, and constants left without readers dropped.
 */
import type { GraphProto, ModelProto, NodeProto, TensorProto } from '../../onnx/proto/types';

export class ProtoRewriter {
  private readonly names = new Set<string>();
  private readonly after = new Map<GraphProto, Map<NodeProto | null, NodeProto[]>>();
  private readonly addedInitializers = new Map<GraphProto, TensorProto[]>();
  readonly removed = new Set<NodeProto>();
  nodesAdded = 0;

  constructor(readonly model: ModelProto) {
    for (const g of allGraphs(model)) {
      for (const n of g.node) {
        if (n.name) this.names.add(n.name);
        for (const o of n.output) this.names.add(o);
        for (const i of n.input) this.names.add(i);
      }
      for (const t of g.initializer) this.names.add(t.name ?? '');
      for (const v of [...g.input, ...g.output, ...g.value_info]) this.names.add(v.name ?? '');
    }
  }

  /** `base`, or `base_1`, `base_2`... whichever is free; taken from now on. */
  unique(base: string): string {
    let name = base;
    for (let k = 1; this.names.has(name); k++) name = `${base}_${k}`;
    this.names.add(name);
    return name;
  }

  /** Inserts `nodes` after `anchor` (null: at the start of the graph), after earlier insertions there. */
  insertAfter(graph: GraphProto, anchor: NodeProto | null, nodes: NodeProto[]): void {
    let byAnchor = this.after.get(graph);
    if (!byAnchor) this.after.set(graph, (byAnchor = new Map()));
    const list = byAnchor.get(anchor) ?? [];
    list.push(...nodes);
    byAnchor.set(anchor, list);
    this.nodesAdded += nodes.length;
  }

  addInitializer(graph: GraphProto, tensor: TensorProto): void {
    const list = this.addedInitializers.get(graph) ?? [];
    list.push(tensor);
    this.addedInitializers.set(graph, list);
  }

  remove(node: NodeProto): void {
    this.removed.add(node);
  }

  /** Writes the insertions and removals into the graphs' node and initializer lists. */
  commit(): void {
    for (const g of allGraphs(this.model)) {
      const byAnchor = this.after.get(g);
      const inits = this.addedInitializers.get(g);
      if (inits) g.initializer = [...g.initializer, ...inits];
      if (!byAnchor && !g.node.some((n) => this.removed.has(n))) continue;
      const nodes: NodeProto[] = [...(byAnchor?.get(null) ?? [])];
      const pending = [...g.node];
      // Inserted nodes can themselves be anchors (a DQ after the Q after a Constant).
      for (let i = 0; i < pending.length; i++) {
        const n = pending[i]!;
        if (!this.removed.has(n)) nodes.push(n);
        const next = byAnchor?.get(n);
        if (next) pending.splice(i + 1, 0, ...next);
      }
      g.node = nodes;
    }
  }

  /**
   * Drops Identity/Constant nodes and initializers among `candidates` (value names) that no
   * node of any graph reads and no graph outputs, following Identity chains upward.
   */
  dropUnread(candidates: Iterable<string>): number {
    const reads = new Map<string, number>();
    const count = (name: string, d: number): void => {
      if (name) reads.set(name, (reads.get(name) ?? 0) + d);
    };
    const producers = new Map<string, { graph: GraphProto; node: NodeProto }>();
    const initializers = new Map<string, GraphProto>();
    for (const g of allGraphs(this.model)) {
      for (const n of g.node) {
        for (const i of n.input) count(i, 1);
        for (const o of n.output) producers.set(o, { graph: g, node: n });
      }
      for (const o of g.output) count(o.name ?? '', 1);
      for (const t of g.initializer) initializers.set(t.name ?? '', g);
    }
    let dropped = 0;
    const queue = [...candidates];
    const droppedInits = new Map<GraphProto, Set<string>>();
    while (queue.length) {
      const name = queue.pop()!;
      if ((reads.get(name) ?? 0) > 0) continue;
      const p = producers.get(name);
      if (p && (p.node.op_type === 'Identity' || p.node.op_type === 'Constant') && (p.node.domain ?? '') === '' && p.node.output.length === 1) {
        p.graph.node = p.graph.node.filter((n) => n !== p.node);
        producers.delete(name);
        dropped++;
        for (const i of p.node.input) {
          count(i, -1);
          queue.push(i);
        }
      } else if (!p && initializers.has(name)) {
        const g = initializers.get(name)!;
        initializers.delete(name);
        const set = droppedInits.get(g) ?? new Set();
        set.add(name);
        droppedInits.set(g, set);
      }
    }
    for (const [g, set] of droppedInits) {
      g.initializer = g.initializer.filter((t) => !set.has(t.name ?? ''));
      g.input = g.input.filter((v) => !set.has(v.name ?? ''));
    }
    return dropped;
  }
}

/** The main graph and every subgraph, outermost first (no recursion: depth is unbounded). */
export function allGraphs(model: ModelProto): GraphProto[] {
  const out: GraphProto[] = model.graph ? [model.graph] : [];
  for (let i = 0; i < out.length; i++) {
    for (const n of out[i]!.node) {
      for (const a of n.attribute) {
        if (a.g) out.push(a.g);
        out.push(...a.graphs);
      }
    }
  }
  return out;
}
