// Turns a graph level plus what is expanded into what the canvas draws: boxes with labels and
// edges, sized for the layout.
import { groupLabel } from '../src/analysis/namespace-groups';
import { NodeKind, type GraphPayload } from '../src/protocol/graph-payload';
import { GAP_Y, type LayoutInput } from './layout/layered';
import type { VisibleGraph } from './layout/visible-graph';

export interface SceneItem {
  /** Payload node index, or -1 for a collapsed namespace group. */
  node: number;
  group: string;
  label: string;
  sublabel: string;
  category: string;
  kind: NodeKind | 'group';
  w: number;
  h: number;
  x: number;
  y: number;
  hasSubgraphs: boolean;
  /** Stored weights and what is computed from them alone: hidden unless "initializers" is on. */
  weight: boolean;
}

export interface SceneEdge {
  a: number;
  b: number;
  label: string;
  inferred: boolean;
  /** Whether the same value also reaches another item, and whether this is its first edge drawn. */
  shared: boolean;
  firstOfValue: boolean;
}

export interface Scene {
  items: SceneItem[];
  edges: SceneEdge[];
  width: number;
  height: number;
}

const CHAR = 7;

/**
 * The nodes that hide with the "initializers" toggle: initializers, Constant nodes, and op nodes
 * that read only those (exporters copy shared weights through Identity, or reshape and cast them):
 * shown, such nodes fan into their consumers as one very wide row.
 */
export function weightNodes(p: GraphPayload): Uint8Array {
  const n = p.nodes.id.length;
  const weight = new Uint8Array(n);
  const inputs = new Int32Array(n);
  const weightInputs = new Int32Array(n);
  for (let v = 0; v < n; v++) if (p.nodes.kind[v] === NodeKind.Initializer || p.nodes.kind[v] === NodeKind.Constant) weight[v] = 1;
  for (let e = 0; e < p.edges.to.length; e++) inputs[p.edges.to[e]!]!++;
  // Edges are grouped by consumer in node order, which ONNX keeps topological: one pass suffices.
  for (let e = 0; e < p.edges.to.length; e++) {
    const to = p.edges.to[e]!;
    if (weight[p.edges.from[e]!]) weightInputs[to]!++;
    if (weightInputs[to] === inputs[to] && p.nodes.kind[to] === NodeKind.Op && !p.nodes.subgraphs[to]) weight[to] = 1;
  }
  return weight;
}

export function sceneItems(p: GraphPayload, vg: VisibleGraph, showInitializers: boolean): { items: SceneItem[]; edges: SceneEdge[] } {
  const weight = weightNodes(p);
  const weightMembers = new Int32Array(vg.node.length);
  for (let v = 0; v < weight.length; v++) weightMembers[vg.itemOf[v]!]! += weight[v]!;
  const items: SceneItem[] = vg.node.map((node, i) => {
    if (node < 0) {
      const group = vg.group[i]!;
      const label = groupLabel(group);
      return { node, group, label, sublabel: `${vg.members[i]} nodes`, category: 'group', kind: 'group', w: Math.max(90, CHAR * label.length + 24), h: 40, x: 0, y: 0, hasSubgraphs: false, weight: weightMembers[i] === vg.members[i] };
    }
    const kind = p.nodes.kind[node]! as NodeKind;
    const op = p.opTable[p.nodes.op[node]!]!;
    const name = p.nodes.name[node]!;
    const isOp = kind === NodeKind.Op || kind === NodeKind.Constant;
    const label = isOp ? op : name;
    const sublabel = isOp ? name : op.toLowerCase();
    const w = Math.min(260, Math.max(64, CHAR * Math.max(label.length, Math.min(sublabel.length, 30)) + 20));
    return { node, group: '', label, sublabel, category: p.categoryTable[p.nodes.category[node]!]!, kind, w, h: 36, x: 0, y: 0, hasSubgraphs: !!p.nodes.subgraphs[node], weight: !!weight[node] };
  });
  const hidden = (i: number): boolean => !showInitializers && items[i]!.weight;
  const edges: SceneEdge[] = [];
  const valueOf: number[] = [];
  vg.from.forEach((a, k) => {
    const b = vg.to[k]!;
    if (hidden(a) || hidden(b)) return;
    const v = p.edges.value[vg.edge[k]!]!;
    edges.push({ a, b, label: p.values.type[v]!, inferred: p.values.inferred[v]!, shared: false, firstOfValue: false });
    valueOf.push(v);
  });
  // A value's edges: the first is labelled; all are shared when there are several.
  const first = new Map<number, number>();
  const values = p.values.name.length;
  edges.forEach((e, k) => {
    const key = e.a * values + valueOf[k]!;
    const at = first.get(key);
    if (at === undefined) {
      first.set(key, k);
      e.firstOfValue = true;
    } else edges[at]!.shared = e.shared = true;
  });
  return { items, edges };
}

/**
 * An edge's curve, from the bottom of its producer to the top of its consumer. An edge that
 * spans rows straight down (a residual connection beside its chain) bows out to the right, so
 * it is not drawn over the chain it skips.
 */
export function edgeCurve(a: SceneItem, b: SceneItem): { x0: number; y0: number; c1x: number; c2x: number; cy: number; x1: number; y1: number } {
  const y0 = a.y + a.h / 2;
  const y1 = b.y - b.h / 2;
  const bow = Math.abs(a.x - b.x) < 1 && y1 - y0 > 2 * GAP_Y ? Math.max(a.w, b.w) * 0.7 + 40 : 0;
  return { x0: a.x, y0, c1x: a.x + bow, c2x: b.x + bow, cy: (y0 + y1) / 2, x1: b.x, y1 };
}

/** What the layout gets: the items shown (weights only when asked for) and the edges between them. */
export function layoutInput(items: SceneItem[], edges: SceneEdge[], showInitializers: boolean): { shown: number[]; laidEdges: SceneEdge[]; input: LayoutInput } {
  const shown = items.map((_, i) => i).filter((i) => showInitializers || !items[i]!.weight);
  const local = new Int32Array(items.length).fill(-1);
  shown.forEach((i, k) => (local[i] = k));
  const laidEdges = edges.filter((e) => local[e.a]! >= 0 && local[e.b]! >= 0);
  const input: LayoutInput = {
    count: shown.length,
    from: laidEdges.map((e) => local[e.a]!),
    to: laidEdges.map((e) => local[e.b]!),
    width: shown.map((i) => items[i]!.w),
    height: shown.map((i) => items[i]!.h),
    // Graph inputs stay in the first row: where a reader starts.
    first: shown.map((i) => Number(items[i]!.kind === NodeKind.Input)),
  };
  return { shown, laidEdges, input };
}
