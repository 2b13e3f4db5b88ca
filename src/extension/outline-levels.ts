// The ONNX Graph tree's levels, computed where the model lives (the model worker): a graph's
// namespace groups — split into sections exactly as the canvas splits them — and nodes, and a
// node's subgraphs. graph-outline.ts draws what this returns.
import { groupLabel, groupPaths, groupTree, type GroupLevel } from '../analysis/namespace-groups';
import type { Graph, Model } from '../onnx/model/graph';
import type { OutlineColumns, OutlineEntry } from '../protocol/model-worker';
import { findGraph, firstOpIndex, levelGrouping } from './graph-payload';

/** A graph level's namespace tree, with payload indices mapped back to its op nodes. */
interface LevelTree {
  levels: Map<string, GroupLevel>;
  /** Payload index of the first op node (graph inputs and initializers come before). */
  firstOp: number;
}

const trees = new WeakMap<Graph, LevelTree>();

/** The children of an entry (the main graph's top level for null), one column per field. */
export function outlineChildren(model: Model, parent: OutlineEntry | null): OutlineColumns {
  const out: OutlineColumns = { kind: [], graphId: [], key: [], label: [], description: [], hasChildren: [] };
  const add = (kind: OutlineEntry['kind'], graphId: string, key: string, label: string, description: string, hasChildren: boolean): void => {
    out.kind.push(kind);
    out.graphId.push(graphId);
    out.key.push(key);
    out.label.push(label);
    out.description.push(description);
    out.hasChildren.push(hasChildren);
  };
  if (parent?.kind === 'node') {
    for (const g of model.node(parent.nodeId)?.subgraphs ?? []) {
      const o = g.owner!;
      add('subgraph', g.id, '', `${o.attribute}${o.index === undefined ? '' : `[${o.index}]`}`, '', true);
    }
    return out;
  }
  const g = parent ? findGraph(model, parent.graphId) : model.graph;
  if (!g) return out;
  const tree = treeOf(g);
  const level = tree.levels.get(parent?.kind === 'group' ? parent.path : '');
  if (!level) return out;
  for (const path of level.groups) add('group', g.id, path, groupLabel(path), '', true);
  for (const i of level.nodes) {
    const n = g.nodes[i - tree.firstOp];
    if (n) add('node', g.id, n.id, n.name || n.id, n.domain ? `${n.domain}::${n.opType}` : n.opType, n.subgraphs.length > 0);
  }
  return out;
}

function treeOf(g: Graph): LevelTree {
  let tree = trees.get(g);
  if (!tree) {
    const { namespaces, atTop } = levelGrouping(g);
    tree = { levels: groupTree(groupPaths(namespaces, atTop)), firstOp: firstOpIndex(g) };
    trees.set(g, tree);
  }
  return tree;
}
