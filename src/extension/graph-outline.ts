import * as vscode from 'vscode';
import type { Graph, Node } from '../onnx/model/graph';
import { namespaceOf } from '../onnx/model/namespace';
import type { GraphEditorProvider } from './graph-editor';

type Item = { kind: 'group'; graph: Graph; path: string } | { kind: 'node'; node: Node } | { kind: 'subgraph'; graph: Graph };

interface Level {
  groups: string[];
  nodes: Node[];
}

/**
 * The open model's structure in a tree beside the explorer (the Outline view serves text
 * editors only): namespace groups, nodes, and the subgraphs of If/Loop/Scan; a click reveals
 * the node in the graph editor.
 */
export class GraphOutline implements vscode.TreeDataProvider<Item> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly levels = new WeakMap<Graph, Map<string, Level>>();

  constructor(
    private readonly provider: GraphEditorProvider,
    private readonly activeUri: () => vscode.Uri | undefined,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  getChildren(item?: Item): Item[] {
    if (!item) {
      const uri = this.activeUri();
      const model = uri && this.provider.documents.get(uri.toString())?.model;
      return model ? this.childrenOf(model.graph, '') : [];
    }
    if (item.kind === 'group') return this.childrenOf(item.graph, item.path);
    if (item.kind === 'subgraph') return this.childrenOf(item.graph, '');
    return item.node.subgraphs.map((graph) => ({ kind: 'subgraph', graph }));
  }

  getTreeItem(item: Item): vscode.TreeItem {
    const Collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    if (item.kind === 'group') {
      const t = new vscode.TreeItem(item.path.split('/').pop()!, Collapsed);
      t.iconPath = new vscode.ThemeIcon('symbol-namespace');
      return t;
    }
    if (item.kind === 'subgraph') {
      const o = item.graph.owner!;
      const t = new vscode.TreeItem(`${o.attribute}${o.index === undefined ? '' : `[${o.index}]`}`, Collapsed);
      t.iconPath = new vscode.ThemeIcon('type-hierarchy');
      return t;
    }
    const n = item.node;
    const t = new vscode.TreeItem(n.name || n.id, n.subgraphs.length ? Collapsed : vscode.TreeItemCollapsibleState.None);
    t.description = n.domain ? `${n.domain}::${n.opType}` : n.opType;
    t.iconPath = new vscode.ThemeIcon('symbol-event');
    const uri = this.activeUri();
    if (uri) t.command = { command: 'onnxStudio.revealNode', title: 'Reveal', arguments: [uri, n.id] };
    return t;
  }

  /** Children of a namespace path: its sub-namespaces first, then its nodes, in graph order. */
  private childrenOf(g: Graph, path: string): Item[] {
    let byPath = this.levels.get(g);
    if (!byPath) {
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
      this.levels.set(g, byPath);
    }
    const l = byPath.get(path);
    if (!l) return [];
    return [...l.groups.map((p): Item => ({ kind: 'group', graph: g, path: p })), ...l.nodes.map((node): Item => ({ kind: 'node', node }))];
  }
}
