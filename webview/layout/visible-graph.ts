import type { GraphPayload } from '../../src/protocol/graph-payload';

/** What is drawn: real nodes, and collapsed namespace groups standing for their members. */
export interface VisibleGraph {
  /** For each visible item: a node index (≥ 0), or -1 for a group. */
  node: number[];
  /** Group path for groups, '' for nodes. */
  group: string[];
  /** Members a group stands for (1 for nodes). */
  members: number[];
  from: number[];
  to: number[];
  /** Payload edge index of one edge each visible edge stands for (its value labels it). */
  edge: number[];
  /** Visible item of each payload node. */
  itemOf: Int32Array;
}

/** Graphs above this size open with their top-level namespaces collapsed. */
export const COLLAPSE_ABOVE = 1500;

/**
 * Collapses every group not in `expanded` (a path is expanded only if all its prefixes are).
 * `paths` are the nodes' group paths (groupPaths), computed once per graph level.
 */
export function visibleGraph(p: GraphPayload, paths: readonly string[], expanded: ReadonlySet<string>): VisibleGraph {
  const n = p.nodes.id.length;
  const vg: VisibleGraph = { node: [], group: [], members: [], from: [], to: [], edge: [], itemOf: new Int32Array(n) };
  const groupItem = new Map<string, number>();
  const representative = new Map<string, string>(); // group path → collapsed group path or ''
  const groupOf = (path: string): string => {
    let r = representative.get(path);
    if (r === undefined) {
      r = '';
      const parts = path.split('/').filter(Boolean);
      for (let i = 1; i <= parts.length; i++) {
        const prefix = parts.slice(0, i).join('/');
        if (!expanded.has(prefix)) {
          r = prefix;
          break;
        }
      }
      representative.set(path, r);
    }
    return r;
  };
  for (let i = 0; i < n; i++) {
    const g = groupOf(paths[i]!);
    if (!g) {
      vg.itemOf[i] = vg.node.length;
      vg.node.push(i);
      vg.group.push('');
      vg.members.push(1);
      continue;
    }
    let item = groupItem.get(g);
    if (item === undefined) {
      item = vg.node.length;
      groupItem.set(g, item);
      vg.node.push(-1);
      vg.group.push(g);
      vg.members.push(0);
    }
    vg.members[item]!++;
    vg.itemOf[i] = item;
  }
  const seen = new Set<number>();
  const items = vg.node.length;
  for (let e = 0; e < p.edges.from.length; e++) {
    const a = vg.itemOf[p.edges.from[e]!]!;
    const b = vg.itemOf[p.edges.to[e]!]!;
    if (a === b) continue;
    const key = a * items + b;
    if (seen.has(key)) continue;
    seen.add(key);
    vg.from.push(a);
    vg.to.push(b);
    vg.edge.push(e);
  }
  return vg;
}

/** Every group path and all its prefixes: the set that expands everything. */
export function allGroups(paths: readonly string[]): Set<string> {
  const all = new Set<string>();
  for (const path of new Set(paths)) {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) all.add(parts.slice(0, i).join('/'));
  }
  return all;
}

/** The groups that start expanded: all of them for small graphs, none for large ones. */
export function initialExpanded(paths: readonly string[]): Set<string> {
  return paths.length <= COLLAPSE_ABOVE ? allGroups(paths) : new Set();
}
