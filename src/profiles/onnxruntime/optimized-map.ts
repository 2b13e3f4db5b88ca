// The graph ORT ran (saved through `optimizedModelFilePath`) mapped onto the user's model. Value
// names survive most rewrites, so an optimized node covers the original nodes that lie between
// its input values and its output values in the original graph: FusedConv covers Conv (+ BN) +
// Relu, a QLinearConv covers its DequantizeLinear/Conv/QuantizeLinear group, an NCHWc Conv named
// `<output>_nchwc` covers what computed `<output>`. Nodes ORT inserted (Reorder*, layout
// Transposes, Casts, Memcpy*) cover nothing of their own and are charged to the node they serve.
import type { Graph, Model, Node } from '../../onnx/model/graph';
import { NodeNames } from '../node-names';

export interface NodeCharge {
  /** Ids of the original model's nodes. */
  onnxNodes: string[];
  /** Inserted by ORT (a reorder, layout transpose, cast or copy): its time serves `onnxNodes`. */
  overhead: boolean;
}

/** Ops ORT inserts that convert data for another node (layout, type, device; NCHWc's Reshapes around element-wise ops; Q/DQ pairs QDQ propagation adds): their output holds their input's values. */
export const CONVERSIONS: ReadonlySet<string> = new Set(['ReorderInput', 'ReorderOutput', 'Transpose', 'Reshape', 'Cast', 'QuantizeLinear', 'DequantizeLinear', 'MemcpyToHost', 'MemcpyFromHost']);
const NCHWC_SUFFIX = '_nchwc';
/** Bound on following chains of inserted conversions (they are one or two long). */
const MAX_CHAIN = 16;
const NONE: NodeCharge = { onnxNodes: [], overhead: false };

export class OptimizedModelMap {
  /** Optimized graph → the original graph it was made from. */
  private readonly pairs = new Map<Graph, Graph>();
  private readonly charges = new Map<Node, NodeCharge>();
  private names: NodeNames | undefined;
  /** Optimized nodes that cover nothing and are no known conversion, charged to a neighbour anyway. */
  readonly guessed: Node[] = [];

  constructor(
    readonly optimized: Model,
    readonly original: Model,
  ) {
    this.pairGraphs();
    for (const g of optimized.graphs()) this.chargeGraph(g);
  }

  /** What the optimized node's time is charged to. */
  chargeOf(node: Node): NodeCharge {
    return this.charges.get(node) ?? NONE;
  }

  /** The user's graph an optimized graph was made from (undefined for a subgraph whose owner ORT replaced). */
  originalOf(g: Graph): Graph | undefined {
    return this.pairs.get(g);
  }

  /** The optimized node named `name` in one of `scope`'s graphs (the main graph when no scope), else in any graph. */
  find(name: string, scope?: readonly Graph[]): Node | undefined {
    const graphs = scope?.length ? scope : [this.optimized.graph];
    for (const g of graphs) {
      const n = nodesByName(g).get(name);
      if (n) return n;
    }
    for (const g of this.optimized.graphs()) {
      const n = nodesByName(g).get(name);
      if (n) return n;
    }
    return undefined;
  }

  /** Pairs subgraphs through the control-flow nodes ORT left in place (same op type, and same name or first output). */
  private pairGraphs(): void {
    this.pairs.set(this.optimized.graph, this.original.graph);
    for (const g of this.optimized.graphs()) {
      const o = this.pairs.get(g);
      if (!o) continue;
      const originals = nodesByName(o);
      for (const n of g.nodes) {
        if (n.subgraphs.length === 0) continue;
        // An unnamed If/Loop/Scan is known by the value it writes.
        const m = (n.name ? originals.get(n.name) : undefined) ?? (n.outputs[0] ? o.values.get(n.outputs[0])?.producer : undefined);
        if (!m || m.opType !== n.opType) continue;
        for (const sub of n.subgraphs) {
          const twin = m.subgraphs.find((s) => s.owner?.attribute === sub.owner?.attribute && s.owner?.index === sub.owner?.index);
          if (twin) this.pairs.set(sub, twin);
        }
      }
    }
  }

  private chargeGraph(g: Graph): void {
    const o = this.pairs.get(g);
    const own = new Map<Node, Node[]>();
    if (o) {
      const eq = new Equivalents(g, o);
      const surviving = new Set<string>();
      for (const v of g.values.values()) {
        const e = eq.of(v.name);
        if (e !== undefined && (v.producer || v.isGraphInput || v.initializer)) surviving.add(e);
      }
      const byName = nodesByName(o);
      const kept = nodesByName(g);
      for (const n of g.nodes) {
        const covered = coveredNodes(n, o, eq, surviving, kept);
        // A node ORT moved out of its subgraph (an inlined If branch) is still known by its name.
        const same = byName.get(n.name) ?? (n.name ? this.namesOfOriginal().named(n.name)[0] : undefined);
        if (covered.length === 0 && same && same.opType === n.opType) covered.push(same);
        own.set(n, covered);
      }
    } else {
      // A subgraph whose owner ORT replaced: only names can tell.
      for (const n of g.nodes) {
        const same = n.name ? this.namesOfOriginal().named(n.name)[0] : undefined;
        own.set(n, same ? [same] : []);
      }
    }
    dropFolded(own);
    for (const [n, covered] of own) if (covered.length) this.charges.set(n, { onnxNodes: covered.map((x) => x.id), overhead: false });
    this.chargeInserted(g);
  }

  private namesOfOriginal(): NodeNames {
    return (this.names ??= new NodeNames(this.original));
  }

  /** Nodes that cover nothing serve a neighbour: ReorderOutput the node whose output it converts, the others the nodes that read their output. */
  private chargeInserted(g: Graph): void {
    const pending = g.nodes.filter((n) => !this.charges.has(n));
    for (let pass = 0; pass < MAX_CHAIN && pending.length; pass++) {
      for (let i = pending.length - 1; i >= 0; i--) {
        const n = pending[i]!;
        const served = this.servedBy(n);
        if (served.length === 0) continue;
        const ids = [...new Set(served.flatMap((s) => this.charges.get(s)!.onnxNodes))];
        this.charges.set(n, { onnxNodes: ids, overhead: CONVERSIONS.has(n.opType) });
        if (!CONVERSIONS.has(n.opType)) this.guessed.push(n);
        pending.splice(i, 1);
      }
    }
  }

  private servedBy(n: Node): Node[] {
    const producer = (): Node[] => {
      const p = n.inputValue(0)?.producer;
      return p && this.charges.has(p) ? [p] : [];
    };
    if (n.opType === 'ReorderOutput') return producer();
    const consumers = n.outputs.flatMap((_, i) => n.outputValue(i)?.consumers ?? []).filter((c) => this.charges.has(c));
    return consumers.length ? [...new Set(consumers)] : producer();
  }
}

/**
 * An original node that several optimized nodes reach was computed once for all of them: ORT
 * folded it into a constant (shape arithmetic), so it costs nothing at run time and is left
 * out of their covers, unless it is all a cover has.
 */
function dropFolded(own: Map<Node, Node[]>): void {
  const reached = new Map<Node, number>();
  for (const covered of own.values()) for (const x of covered) reached.set(x, (reached.get(x) ?? 0) + 1);
  for (const [n, covered] of own) {
    const kept = covered.filter((x) => reached.get(x) === 1 || (x.name !== '' && x.name === n.name));
    if (kept.length && kept.length < covered.length) own.set(n, kept);
  }
}

/** The original graph's nodes between `n`'s input values and output values (walked back from the outputs, without recursion). */
function coveredNodes(n: Node, o: Graph, eq: Equivalents, surviving: Set<string>, kept: Map<string, Node>): Node[] {
  const starts = n.outputs.map((x) => eq.of(x)).filter((x): x is string => !!x);
  const stops = new Set(n.inputs.map((x) => eq.of(x)).filter((x): x is string => !!x));
  const out = new Set<Node>();
  const seen = new Set<string>();
  const stack = starts.filter((s) => !stops.has(s));
  while (stack.length) {
    const v = stack.pop()!;
    if (seen.has(v)) continue;
    seen.add(v);
    const p = o.values.get(v)?.producer;
    if (!p || (p.opType === 'Constant' && n.opType !== 'Constant') || out.has(p)) continue;
    const twin = kept.get(p.name);
    if (twin && twin !== n && twin.opType === p.opType) continue;
    out.add(p);
    for (const u of p.inputs) {
      if (!u || stops.has(u) || (surviving.has(u) && !starts.includes(u))) continue;
      stack.push(u);
    }
  }
  return [...out];
}

/**
 * The original value an optimized value holds: its own name; the output of the original node
 * of the same name and op type; what an inserted conversion read; for an NCHWc node named
 * `<value>_nchwc`, that value carried on through a fused Sum (Add) and activation.
 */
class Equivalents {
  private readonly memo = new Map<string, string | undefined>();
  private readonly originals: Map<string, Node>;
  constructor(
    private readonly g: Graph,
    private readonly o: Graph,
  ) {
    this.originals = nodesByName(o);
  }

  of(name: string): string | undefined {
    if (!name) return undefined;
    if (this.memo.has(name)) return this.memo.get(name);
    let current = name;
    let found: string | undefined;
    // Conversions are followed back in a loop: their chains are short, and no recursion is needed.
    for (let step = 0; step < MAX_CHAIN; step++) {
      found = this.known(current);
      if (found !== undefined) break;
      const v = this.g.values.get(current);
      const p = v?.producer;
      const twin = p ? this.originals.get(p.name) : undefined;
      if (p && twin && twin.opType === p.opType) {
        found = twin.outputs[p.outputs.indexOf(current)];
        break;
      }
      // A fusion or rewrite that kept (or extended) its anchor's name and renamed the output: a
      // QDQ group turned QLinearConv keeps the Conv's name, a layout rewrite adds `_token_N`.
      const anchor = p && p.outputs.length === 1 ? (twin ?? (CONVERSIONS.has(p.opType) ? undefined : this.originals.get(fusionAnchor(p.name)))) : undefined;
      if (p && anchor?.outputs[0]) {
        found = p.opType.startsWith('QLinear') ? this.quantizedOutput(anchor.outputs[0]) : anchor.outputs[0];
        break;
      }
      if (p && CONVERSIONS.has(p.opType) && p.inputs[0]) {
        current = p.inputs[0];
        continue;
      }
      if (p && p.name.endsWith(NCHWC_SUFFIX) && p.outputs.length === 1) found = this.nchwcOutput(p);
      // A value an inserted ReorderOutput turns back into an original one.
      const reorder = v?.consumers.find((c) => c.opType === 'ReorderOutput');
      if (found === undefined && reorder?.outputs[0]) found = this.known(reorder.outputs[0]);
      break;
    }
    this.memo.set(name, found);
    return found;
  }

  /** What a QLinear op writes: the output of the QuantizeLinear that read its anchor's float output. */
  private quantizedOutput(value: string): string {
    const consumers = this.o.values.get(value)?.consumers ?? [];
    const q = consumers.length === 1 && consumers[0]!.opType === 'QuantizeLinear' ? consumers[0]!.outputs[0] : undefined;
    return q || value;
  }

  /** The NCHWc transformer names a node after the value it first computed, then may fuse the Add that follows (its 4th input, Sum) and an activation. */
  private nchwcOutput(p: Node): string | undefined {
    let value = this.known(p.name.slice(0, -NCHWC_SUFFIX.length));
    if (value === undefined) return undefined;
    const onlyConsumer = (v: string): Node | undefined => {
      const c = this.o.values.get(v)?.consumers ?? [];
      return c.length === 1 ? c[0] : undefined;
    };
    if (p.inputs[3]) {
      const add = onlyConsumer(value);
      if (add && (add.opType === 'Add' || add.opType === 'Sum') && add.outputs[0]) value = add.outputs[0];
    }
    const activation = p.attribute('activation')?.string();
    if (activation) {
      const act = onlyConsumer(value);
      if (act && act.opType === activation && act.outputs[0]) value = act.outputs[0];
    }
    return value;
  }

  private known(name: string): string | undefined {
    if (this.o.resolve(name)) return name;
    if (name.endsWith(NCHWC_SUFFIX) && this.o.resolve(name.slice(0, -NCHWC_SUFFIX.length))) return name.slice(0, -NCHWC_SUFFIX.length);
    return undefined;
  }
}

/** ORT names a fused node after the node the fusion anchored on (`<node>/QuickGeluFusion/`, `<node>/GatherSliceToSplitFusion`), a copy after its original (`<DQ node>/duplicated`), a rewritten node after the old one (`<node>_token_N`). */
export function fusionAnchor(name: string): string {
  return name.replace(/\/(\w*Fusion\/?|duplicated)$|_token_\d+$/, '');
}

const byNameCache = new WeakMap<Graph, Map<string, Node>>();

/** A graph's nodes by name (the first where a name repeats). */
function nodesByName(g: Graph): Map<string, Node> {
  let m = byNameCache.get(g);
  if (!m) {
    m = new Map();
    for (const n of g.nodes) if (n.name && !m.has(n.name)) m.set(n.name, n);
    byNameCache.set(g, m);
  }
  return m;
}
