import * as vscode from 'vscode';
import { groupLabel, groupPaths, groupTree, type GroupLevel } from '../analysis/namespace-groups';
import type { Graph, Node } from '../onnx/model/graph';
import type { GraphEditorProvider } from './graph-editor';
import { firstOpIndex, levelGrouping } from './graph-payload';

type Item = { kind: 'group'; graph: Graph; path: string } | { kind: 'node'; node: Node } | { kind: 'subgraph'; graph: Graph };

/** A graph level's namespace tree, with payload indices mapped back to its op nodes. */
interface LevelTree {
  levels: Map<string, GroupLevel>;
  /** Payload index of the first op node (graph inputs and initializers come before). */
  firstOp: number;
}

/**
 * The open model's structure in a tree beside the explorer (the Outline view serves text
 * editors only): namespace groups — split into sections exactly as the canvas splits them —,
 * nodes, and the subgraphs of If/Loop/Scan; a click reveals the node in the graph editor.
 */
export class GraphOutline implements vscode.TreeDataProvider<Item> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly trees = new WeakMap<Graph, LevelTree>();

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
      const t = new vscode.TreeItem(groupLabel(item.path), Collapsed);
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

  /** Children of a group path: its sub-groups first, then its op nodes, in graph order. */
  private childrenOf(g: Graph, path: string): Item[] {
    let tree = this.trees.get(g);
    if (!tree) {
      const { namespaces, atTop } = levelGrouping(g);
      const paths = groupPaths(namespaces, atTop);
      tree = { levels: groupTree(paths), firstOp: firstOpIndex(g) };
      this.trees.set(g, tree);
    }
    const l = tree.levels.get(path);
    if (!l) return [];
    const ops = l.nodes.map((i) => g.nodes[i - tree.firstOp]).filter((n): n is Node => n !== undefined);
    return [...l.groups.map((p): Item => ({ kind: 'group', graph: g, path: p })), ...ops.map((node): Item => ({ kind: 'node', node }))];
  }
}
