import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { nodeFacts } from '../analysis/node-details';
import { writeNpy } from '../analysis/npy';
import { tensorStatistics } from '../analysis/tensor-stats';
import { writeFileAtomic } from '../onnx/io/write-file';
import type { Graph, Model } from '../onnx/model/graph';
import type { Tensor } from '../onnx/tensor';
import { PROTOCOL_VERSION, type RenderInfo, type ViewState } from '../protocol/messages';
import { GraphDocument } from './graph-document';
import { findGraph, graphPayload, modelInfo, tooLargeMessage } from './graph-payload';
import { graphEditorHtml } from './webview-html';
import { WebviewChannel } from './webview-channel';

export const GRAPH_EDITOR_VIEW_TYPE = 'onnxStudio.graph';

/** The read-only custom editor for .onnx files (DESIGN.md §3–4). */
export class GraphEditorProvider implements vscode.CustomReadonlyEditorProvider<GraphDocument> {
  /** Last render per document, for "Go to Node…", status and the integration tests. */
  readonly rendered = new Map<string, RenderInfo>();
  private readonly channels = new Map<string, WebviewChannel>();
  /** The view state each webview last reported (survives reloads of the file). */
  readonly states = new Map<string, ViewState>();
  readonly documents = new Map<string, GraphDocument>();

  constructor(private readonly context: vscode.ExtensionContext) {}

  openCustomDocument(uri: vscode.Uri): GraphDocument {
    const doc = new GraphDocument(uri);
    this.documents.set(uri.toString(), doc);
    const dispose = doc.dispose.bind(doc);
    doc.dispose = () => {
      this.documents.delete(uri.toString());
      dispose();
    };
    return doc;
  }

  resolveCustomEditor(doc: GraphDocument, panel: vscode.WebviewPanel): void {
    const key = doc.uri.toString();
    panel.webview.options = { enableScripts: true, localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.context.extensionUri, 'media')] };
    const send = (): void => {
      if (doc.error || !doc.model) {
        channel.notify('model/error', { file: doc.uri.fsPath, ...(doc.error ?? { message: 'no model', readBytes: 0 }) });
        return;
      }
      const graph = graphOrMain(doc.model, this.states.get(key)?.graphId);
      const tooLarge = tooLargeMessage(graph);
      channel.notify('model/loaded', {
        protocol: PROTOCOL_VERSION,
        model: modelInfo(doc.uri.fsPath, doc.model),
        graph: graphPayload(graph, doc.inference!),
        warnings: tooLarge ? [tooLarge, ...doc.warnings] : doc.warnings,
        state: this.states.get(key),
      });
    };
    const channel = new WebviewChannel(
      panel.webview,
      {
        'graph/get': ({ graphId }) => {
          const g = findGraph(this.model(doc), graphId);
          if (!g) throw new Error(`no graph '${graphId}' in this model`);
          return graphPayload(g, doc.inference!);
        },
        'node/details': ({ nodeId }) => {
          const model = this.model(doc);
          const n = model.node(nodeId);
          if (!n) throw new Error(`no node '${nodeId}'`);
          return nodeFacts(n, model.opsetImports, doc.inference!);
        },
        'tensor/read': ({ graphId, name }) => tensorStatistics(this.tensor(doc, graphId, name)),
        'tensor/save': async ({ graphId, name }) => {
          const t = this.tensor(doc, graphId, name);
          const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(doc.uri, '..', `${name.replace(/[^\w.-]+/g, '_')}.npy`), filters: { NumPy: ['npy'] } });
          if (!target) return { saved: null };
          let note: string | undefined;
          writeFileAtomic(target.fsPath, (sink) => (note = writeNpy(t, sink)), { protect: [doc.uri.fsPath] });
          if (note) void vscode.window.showInformationMessage(note);
          return { saved: target.fsPath };
        },
        'export/save': async ({ format, data }) => {
          const target = await vscode.window.showSaveDialog({
            defaultUri: doc.uri.with({ path: doc.uri.path.replace(/\.onnx$/i, '') + `.${format}` }),
            filters: format === 'svg' ? { SVG: ['svg'] } : { PNG: ['png'] },
          });
          if (!target) return { saved: null };
          const bytes = format === 'svg' ? Buffer.from(data, 'utf8') : Buffer.from(data.replace(/^data:image\/png;base64,/, ''), 'base64');
          writeFileSync(target.fsPath, bytes);
          return { saved: target.fsPath };
        },
        'clipboard/write': async ({ text }) => {
          await vscode.env.clipboard.writeText(text);
          return null;
        },
      },
      {
        'webview/ready': () => send(),
        'view/state': (s) => this.states.set(key, s),
        'view/rendered': (info) => this.rendered.set(key, info),
      },
    );
    this.channels.set(key, channel);
    const reload = doc.onDidReload(() => send());
    panel.onDidDispose(() => {
      reload.dispose();
      channel.dispose();
      this.channels.delete(key);
    });
    panel.webview.html = graphEditorHtml(panel.webview, this.context.extensionUri);
  }

  private tensor(doc: GraphDocument, graphId: string, name: string): Tensor {
    const g = findGraph(this.model(doc), graphId);
    const t = g && storedTensor(g, name);
    if (!t) throw new Error(`'${name}' has no stored values: it is computed when the model runs`);
    return t;
  }

  private model(doc: GraphDocument): Model {
    if (!doc.model) throw new Error(doc.error?.message ?? 'the model is not loaded');
    return doc.model;
  }

  /** Moves the view of an open editor to a node. */
  reveal(uri: vscode.Uri, nodeId: string): void {
    const node = this.documents.get(uri.toString())?.model?.node(nodeId);
    if (node) this.channels.get(uri.toString())?.notify('view/reveal', { nodeId, graphId: node.graph.id });
  }
}

function graphOrMain(model: Model, graphId: string | undefined): Graph {
  return (graphId !== undefined && findGraph(model, graphId)) || model.graph;
}

/** The tensor behind a value name: an initializer (here or outside) or a Constant node's value. */
function storedTensor(g: Graph, name: string): Tensor | undefined {
  const v = g.resolve(name);
  if (v?.initializer) return v.initializer;
  const p = v?.producer;
  if (p && p.opType === 'Constant' && p.domain === '') return p.attribute('value')?.tensor();
  return undefined;
}
