// The ONNX Graph tree's levels, computed where the model lives (the model worker): a graph's
// namespace groups and nodes, and a node's subgraphs. graph-outline.ts draws what this returns.
import type { Graph, Model, Node } from '../onnx/model/graph';
import { namespaceOf } from '../onnx/model/namespace';
import type { OutlineColumns, OutlineEntry } from '../protocol/model-worker';
import { findGraph } from './graph-payload';

interface Level {
  groups: string[];
  nodes: Node[];
}

const levelsByGraph = new WeakMap<Graph, Map<string, Level>>();

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
  const graph = parent ? findGraph(model, parent.graphId) : model.graph;
  const level = graph && levelsOf(graph).get(parent?.kind === 'group' ? parent.path : '');
  if (!graph || !level) return out;
  for (const path of level.groups) add('group', graph.id, path, path.split('/').pop()!, '', true);
  for (const n of level.nodes) add('node', graph.id, n.id, n.name || n.id, n.domain ? `${n.domain}::${n.opType}` : n.opType, n.subgraphs.length > 0);
  return out;
}

/** Children of each namespace path: its sub-namespaces first, then its nodes, in graph order. */
function levelsOf(g: Graph): Map<string, Level> {
  let byPath = levelsByGraph.get(g);
  if (byPath) return byPath;
  byPath = new Map();
  const level = (p: string): Level => {
    let l = byPath!.get(p);
    if (!l) byPath!.set(p, (l = { groups: [], nodes: [] }));
    return l;
  };
  for (const n of g.nodes) {
    const parts = namespaceOf(n.name).split('/').filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      const parent = level(parts.slice(0, i).join('/'));
      const child = parts.slice(0, i + 1).join('/');
      if (!byPath.has(child)) parent.groups.push(child);
      level(child);
    }
    level(parts.join('/')).nodes.push(n);
  }
  levelsByGraph.set(g, byPath);
  return byPath;
}
