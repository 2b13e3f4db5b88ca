// Where each node event of an ORT profile lands: the optimized model's node it timed (through
// OptimizedModelMap) or, for an imported profile without that model, the user's node of the
// same name. Events inside a control-flow node are looked up in that node's subgraphs.
import type { Graph, Model, Node } from '../../onnx/model/graph';
import { NodeNames } from '../node-names';
import { CONVERSIONS, fusionAnchor, type NodeCharge, type OptimizedModelMap } from './optimized-map';
import type { OrtNodeEvent, OrtTrace } from './trace';

export interface Placement {
  /** One layer per key: the node that ran, in its graph. */
  key: string;
  charge: NodeCharge;
}

export interface EventPlacer {
  place(e: OrtNodeEvent): Placement;
  /** What the mapping had to guess, one line each. */
  warnings(): string[];
}

/** Places events on the optimized model's nodes; their charge maps them back to the original's. */
export function optimizedPlacer(map: OptimizedModelMap, trace: OrtTrace): EventPlacer {
  const created = new CreatedUnnamed(map, trace);
  const nodeOf = scopedLookup((e, scope) => {
    const graphs = scope?.length ? scope : [map.optimized.graph];
    return map.find(e.node, scope) ?? unnamedTwin(map, e, graphs) ?? created.find(e, graphs);
  });
  const unknown = new Set<string>();
  return {
    place(e) {
      const n = nodeOf(e);
      if (!n) {
        const key = `?${scopeKey(e)}${e.node}`;
        unknown.add(key);
        return { key, charge: { onnxNodes: [], overhead: false } };
      }
      return { key: n.id, charge: map.chargeOf(n) };
    },
    warnings() {
      const out: string[] = [];
      if (unknown.size) out.push(`${unknown.size} profiled node(s) the optimized model does not have; their time is unmapped: ${listed([...unknown].map((k) => k.slice(1)))}`);
      if (map.guessed.length) out.push(`${map.guessed.length} optimized node(s) matched no original node and were charged to the node they feed or read: ${listed(map.guessed.map((n) => n.name || n.opType))}`);
      return out;
    },
  };
}

/** The first few of a list, for a one-line warning. */
const listed = (names: string[]): string => `${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}`;

const INSERTED = /^(Reorder(Input|Output)|Memcpy(To|From)Host)/;

/**
 * Places events by name alone (an imported profile; ORT's rewritten graph is unknown): a node of
 * the same name, or the producer of the value an NCHWc node is named after. Nodes ORT inserted
 * are charged to the event before (ReorderOutput) or after (the others) in the same run.
 */
export function namePlacer(model: Model): EventPlacer {
  const names = new NodeNames(model);
  const inserted = new Set<string>();
  const unknown = new Set<string>();
  const nodeOf = scopedLookup((e, scope) => byName(names, e.node, scope) ?? unnamedNode(e, scope?.length ? scope : [model.graph]));
  return {
    place(e) {
      const n = nodeOf(e);
      if (n) return { key: n.id, charge: { onnxNodes: [n.id], overhead: false } };
      const key = `?${scopeKey(e)}${e.node}`;
      // ORT names the nodes it makes `<op>_token_N`; its conversions serve a neighbour.
      if (INSERTED.test(e.node) || INSERTED.test(e.op) || (/_token_\d+$/.test(e.node) && CONVERSIONS.has(e.op))) {
        inserted.add(key);
        return { key, charge: { onnxNodes: [], overhead: true } };
      }
      unknown.add(key);
      return { key, charge: { onnxNodes: [], overhead: false } };
    },
    warnings() {
      const out = ['mapped by node names only (no optimized model from ORT): a fused node lands on the node it is named after, not on every node it fused'];
      if (inserted.size) out.push(`${inserted.size} node(s) ORT inserted (Reorder*, Memcpy*, layout Reshapes and Transposes) charged to the node run next to them`);
      if (unknown.size) out.push(`${unknown.size} profiled node(s) name no node of the model: ${listed([...unknown].map((k) => k.slice(1)))}`);
      return out;
    },
  };
}

/**
 * ORT names an unnamed node `<op>_<node index>`; it numbers a graph's nodes in file order,
 * leaving out Constant nodes (it turns them into initializers), so the index finds the node in
 * the user's graph. The op type must agree.
 */
function unnamedNode(e: OrtNodeEvent, graphs: readonly Graph[]): Node | undefined {
  if (e.nodeIndex === undefined || e.node !== `${e.op}_${e.nodeIndex}`) return undefined;
  for (const g of graphs) {
    const n = nonConstantNodes(g)[e.nodeIndex];
    if (n && !n.name && n.opType === e.op) return n;
  }
  return undefined;
}

const nonConstant = new WeakMap<Graph, Node[]>();
function nonConstantNodes(g: Graph): Node[] {
  let list = nonConstant.get(g);
  if (!list) nonConstant.set(g, (list = g.nodes.filter((n) => n.opType !== 'Constant')));
  return list;
}

/** The optimized graph's node for an unnamed original node: the unnamed node of its op that reads or writes the same values. */
function unnamedTwin(map: OptimizedModelMap, e: OrtNodeEvent, scope: readonly Graph[]): Node | undefined {
  const original = unnamedNode(e, scope.map((g) => map.originalOf(g)).filter((g): g is Graph => !!g));
  if (!original) return undefined;
  const shares = (n: Node): boolean => n.outputs.some((o) => o && original.outputs.includes(o)) || (!!n.inputs[0] && n.inputs[0] === original.inputs[0]);
  for (const g of scope) {
    const twin = g.nodes.find((n) => !n.name && n.opType === e.op && shares(n));
    if (twin) return twin;
  }
  return undefined;
}

/**
 * Unnamed nodes ORT made itself (a function op it expanded, such as HardSwish into HardSigmoid
 * and Mul): no index of the user's graph answers them. Their indices follow the order ORT
 * made them in, so the k-th smallest index of an op in one scope is paired with the k-th
 * unnamed node of that op the optimized graph has and the user's graph does not.
 */
class CreatedUnnamed {
  private readonly indices = new Map<string, number[]>();
  private readonly nodes = new Map<Graph, Map<string, Node[]>>();
  constructor(
    private readonly map: OptimizedModelMap,
    trace: OrtTrace,
  ) {
    const sets = new Map<string, Set<number>>();
    for (const run of trace.runs) {
      for (const e of run.events) {
        if (e.nodeIndex === undefined || e.node !== `${e.op}_${e.nodeIndex}`) continue;
        const key = `${scopeKey(e)}\u0000${e.op}`;
        let set = sets.get(key);
        if (!set) sets.set(key, (set = new Set()));
        set.add(e.nodeIndex);
      }
    }
    for (const [k, set] of sets) this.indices.set(k, [...set].sort((a, b) => a - b));
  }

  find(e: OrtNodeEvent, graphs: readonly Graph[]): Node | undefined {
    if (e.nodeIndex === undefined || e.node !== `${e.op}_${e.nodeIndex}`) return undefined;
    const key = `${scopeKey(e)}\u0000${e.op}`;
    for (const g of graphs) {
      const rank = this.ownIndices(key, e, g).indexOf(e.nodeIndex);
      const candidates = this.createdIn(g).get(e.op);
      if (rank >= 0 && candidates?.[rank]) return candidates[rank];
    }
    return undefined;
  }

  private readonly own = new Map<string, Map<Graph, number[]>>();
  /** The indices of `key` that no unnamed node of the user's graph answers (computed once per scope, op and graph). */
  private ownIndices(key: string, e: OrtNodeEvent, g: Graph): number[] {
    let byGraph = this.own.get(key);
    if (!byGraph) this.own.set(key, (byGraph = new Map()));
    let list = byGraph.get(g);
    if (!list) {
      const original = this.map.originalOf(g);
      const all = this.indices.get(key) ?? [];
      list = original ? all.filter((i) => !unnamedNode({ ...e, nodeIndex: i, node: `${e.op}_${i}` }, [original])) : all;
      byGraph.set(g, list);
    }
    return list;
  }

  /** The optimized graph's unnamed nodes that share no value with an unnamed node of the same op in the user's graph, by op. */
  private createdIn(g: Graph): Map<string, Node[]> {
    let m = this.nodes.get(g);
    if (m) return m;
    m = new Map();
    const original = this.map.originalOf(g);
    const originalValues = new Set(original ? original.nodes.filter((n) => !n.name).flatMap((n) => n.outputs.map((o) => `${n.opType}\u0000${o}`)) : []);
    for (const n of g.nodes) {
      if (n.name || n.outputs.some((o) => originalValues.has(`${n.opType}\u0000${o}`))) continue;
      const list = m.get(n.opType);
      if (list) list.push(n);
      else m.set(n.opType, [n]);
    }
    this.nodes.set(g, m);
    return m;
  }
}

/** Looks each event up in the subgraphs of the node its parent event ran (memoized; parent chains walked without recursion). */
function scopedLookup(find: (e: OrtNodeEvent, scope: readonly Graph[] | undefined) => Node | undefined): (e: OrtNodeEvent) => Node | undefined {
  const found = new Map<OrtNodeEvent, Node | undefined>();
  return (e) => {
    const chain: OrtNodeEvent[] = [];
    for (let x: OrtNodeEvent | undefined = e; x && !found.has(x); x = x.parent) chain.push(x);
    for (let i = chain.length - 1; i >= 0; i--) {
      const x = chain[i]!;
      const scope = x.parent ? found.get(x.parent)?.subgraphs : undefined;
      found.set(x, find(x, scope));
    }
    return found.get(e);
  };
}

function byName(names: NodeNames, name: string, scope: readonly Graph[] | undefined): Node | undefined {
  const candidates = [...names.named(name)];
  if (candidates.length === 0 && fusionAnchor(name) !== name) candidates.push(...names.named(fusionAnchor(name)));
  if (name.endsWith('_nchwc')) {
    const p = names.producerOf(name.slice(0, -'_nchwc'.length));
    if (p) candidates.push(p);
  }
  if (scope) {
    const inScope = candidates.find((n) => scope.includes(n.graph));
    if (inScope) return inScope;
  }
  return candidates[0];
}

function scopeKey(e: OrtNodeEvent): string {
  const parts: string[] = [];
  for (let p = e.parent; p; p = p.parent) parts.push(p.node);
  return parts.reverse().map((p) => `${p}/`).join('');
}
