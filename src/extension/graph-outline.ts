import * as vscode from 'vscode';
import type { OutlineColumns, OutlineEntry } from '../protocol/model-worker';
import type { GraphEditorProvider } from './graph-editor';

/**
 * The open model's structure in a tree beside the explorer (the Outline view serves text
 * editors only): namespace groups, nodes, and the subgraphs of If/Loop/Scan; a click reveals
 * the node in the graph editor. The levels come from the model's worker (outline-levels.ts).
 */
export class GraphOutline implements vscode.TreeDataProvider<OutlineEntry> {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;

  constructor(
    private readonly provider: GraphEditorProvider,
    private readonly activeUri: () => vscode.Uri | undefined,
  ) {}

  refresh(): void {
    this.changed.fire();
  }

  async getChildren(parent?: OutlineEntry): Promise<OutlineEntry[]> {
    const uri = this.activeUri();
    const doc = uri && this.provider.documents.get(uri.toString());
    if (!doc) return [];
    try {
      return entries(await doc.request('outline/children', { parent: parent ?? null }));
    } catch {
      return []; // the model did not load: the editor says why
    }
  }

  getTreeItem(item: OutlineEntry): vscode.TreeItem {
    const Collapsed = vscode.TreeItemCollapsibleState.Collapsed;
    if (item.kind === 'group') {
      const t = new vscode.TreeItem(item.label, Collapsed);
      t.iconPath = new vscode.ThemeIcon('symbol-namespace');
      return t;
    }
    if (item.kind === 'subgraph') {
      const t = new vscode.TreeItem(item.label, Collapsed);
      t.iconPath = new vscode.ThemeIcon('type-hierarchy');
      return t;
    }
    const t = new vscode.TreeItem(item.label, item.hasChildren ? Collapsed : vscode.TreeItemCollapsibleState.None);
    t.description = item.description;
    t.iconPath = new vscode.ThemeIcon('symbol-event');
    const uri = this.activeUri();
    if (uri) t.command = { command: 'onnxStudio.revealNode', title: 'Reveal', arguments: [uri, item.nodeId] };
    return t;
  }
}

function entries(c: OutlineColumns): OutlineEntry[] {
  return c.kind.map((kind, i): OutlineEntry => {
    const graphId = c.graphId[i]!;
    if (kind === 'group') return { kind, graphId, path: c.key[i]!, label: c.label[i]! };
    if (kind === 'subgraph') return { kind, graphId, label: c.label[i]! };
    return { kind, graphId, nodeId: c.key[i]!, label: c.label[i]!, description: c.description[i]!, hasChildren: c.hasChildren[i]! };
  });
}
