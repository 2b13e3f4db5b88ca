// Turns a graph level plus what is expanded into what the canvas draws: boxes with labels and
// edges, sized for the layout.
import { groupLabel } from '../src/analysis/namespace-groups';
import { NodeKind, type GraphPayload } from '../src/protocol/graph-payload';
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
}

export interface SceneEdge {
  a: number;
  b: number;
  label: string;
  inferred: boolean;
}

export interface Scene {
  items: SceneItem[];
  edges: SceneEdge[];
  width: number;
  height: number;
}

const CHAR = 7;

/** Initializers and Constant nodes: hidden unless the "initializers" toggle is on. */
export const isWeight = (kind: SceneItem['kind']): boolean => kind === NodeKind.Initializer || kind === NodeKind.Constant;

export function sceneItems(p: GraphPayload, vg: VisibleGraph, showInitializers: boolean): { items: SceneItem[]; edges: SceneEdge[] } {
  const items: SceneItem[] = vg.node.map((node, i) => {
    if (node < 0) {
      const group = vg.group[i]!;
      const label = groupLabel(group);
      return { node, group, label, sublabel: `${vg.members[i]} nodes`, category: 'group', kind: 'group', w: Math.max(90, CHAR * label.length + 24), h: 40, x: 0, y: 0, hasSubgraphs: false };
    }
    const kind = p.nodes.kind[node]! as NodeKind;
    const op = p.opTable[p.nodes.op[node]!]!;
    const name = p.nodes.name[node]!;
    const isOp = kind === NodeKind.Op || kind === NodeKind.Constant;
    const label = isOp ? op : name;
    const sublabel = isOp ? name : op.toLowerCase();
    const w = Math.min(260, Math.max(64, CHAR * Math.max(label.length, Math.min(sublabel.length, 30)) + 20));
    return { node, group: '', label, sublabel, category: p.categoryTable[p.nodes.category[node]!]!, kind, w, h: 36, x: 0, y: 0, hasSubgraphs: !!p.nodes.subgraphs[node] };
  });
  const hidden = (i: number): boolean => !showInitializers && isWeight(items[i]!.kind);
  const edges: SceneEdge[] = [];
  vg.from.forEach((a, k) => {
    const b = vg.to[k]!;
    if (hidden(a) || hidden(b)) return;
    const v = p.edges.value[vg.edge[k]!]!;
    edges.push({ a, b, label: p.values.type[v]!, inferred: p.values.inferred[v]! });
  });
  return { items, edges };
}
