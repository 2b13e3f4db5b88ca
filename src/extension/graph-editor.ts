import { basename } from 'node:path';
import * as vscode from 'vscode';
import { writeFileAtomic } from '../onnx/io/write-file';
import { PROTOCOL_VERSION, type RenderInfo, type ViewState } from '../protocol/messages';
import type { Overlay } from '../protocol/overlay';
import { GraphDocument } from './graph-document';
import { graphEditorHtml } from './webview-html';
import { WebviewChannel } from './webview-channel';

export const GRAPH_EDITOR_VIEW_TYPE = 'onnxStudio.graph';

/** The read-only custom editor for .onnx files (DESIGN.md §3–4); the model itself lives in the document's worker. */
export class GraphEditorProvider implements vscode.CustomReadonlyEditorProvider<GraphDocument> {
  /** Last render per document, for "Go to Node…", status and the integration tests. */
  readonly rendered = new Map<string, RenderInfo>();
  private readonly channels = new Map<string, WebviewChannel>();
  /** The view state each webview last reported (survives reloads of the file). */
  readonly states = new Map<string, ViewState>();
  readonly documents = new Map<string, GraphDocument>();
  /** Overlays per document, by overlay id: kept so a webview that reloads (or reopens) gets them again. */
  private readonly overlays = new Map<string, Map<string, Overlay>>();

  constructor(private readonly context: vscode.ExtensionContext) {}

  openCustomDocument(uri: vscode.Uri): GraphDocument {
    const doc = new GraphDocument(uri, {
      workerScript: vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'model-worker.js').fsPath,
      watch: (changed) => {
        const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), basename(uri.fsPath)));
        watcher.onDidChange(changed);
        watcher.onDidCreate(changed);
        return watcher;
      },
    });
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
    let sends = 0;
    const send = async (): Promise<void> => {
      const mine = ++sends;
      try {
        const { graph, tooLarge } = await doc.graph(this.states.get(key)?.graphId ?? '');
        if (mine !== sends) return; // a reload overtook this send
        channel.notify('model/loaded', {
          protocol: PROTOCOL_VERSION,
          model: doc.info!,
          graph,
          warnings: tooLarge ? [tooLarge, ...doc.warnings] : doc.warnings,
          state: this.states.get(key),
        });
      } catch (e) {
        if (mine === sends) channel.notify('model/error', { file: doc.uri.fsPath, ...(doc.error ?? { message: (e as Error).message, readBytes: 0 }) });
      }
    };
    const channel = new WebviewChannel(
      panel.webview,
      {
        'graph/get': async ({ graphId }) => (await doc.request('graph/get', { graphId, orMain: false })).graph,
        'node/details': ({ nodeId }) => doc.request('node/details', { nodeId }),
        'tensor/read': ({ graphId, name }) => doc.request('tensor/read', { graphId, name }),
        'tensor/save': async ({ graphId, name }) => {
          await doc.request('tensor/find', { graphId, name });
          const target = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.joinPath(doc.uri, '..', `${name.replace(/[^\w.-]+/g, '_')}.npy`), filters: { NumPy: ['npy'] } });
          if (!target) return { saved: null };
          const { note } = await doc.request('tensor/save', { graphId, name, target: target.fsPath });
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
          writeFileAtomic(target.fsPath, (sink) => sink.write(bytes), { protect: [doc.uri.fsPath, ...(doc.info?.dataFiles ?? [])] });
          return { saved: target.fsPath };
        },
        'clipboard/write': async ({ text }) => {
          await vscode.env.clipboard.writeText(text);
          return null;
        },
        'nodes/list': () => doc.request('nodes/list', {}),
      },
      {
        'webview/ready': () => {
          void send();
          for (const overlay of this.overlays.get(key)?.values() ?? []) channel.notify('overlay/set', overlay);
        },
        'view/state': (s) => this.states.set(key, s),
        'view/rendered': (info) => this.rendered.set(key, info),
      },
    );
    this.channels.set(key, channel);
    const reload = doc.onDidReload(() => void send());
    panel.onDidDispose(() => {
      reload.dispose();
      channel.dispose();
      this.channels.delete(key);
    });
    panel.webview.html = graphEditorHtml(panel.webview, this.context.extensionUri);
  }

  /** Moves the view of an open editor to a node (entering its graph). */
  async reveal(uri: vscode.Uri, nodeId: string): Promise<void> {
    const at = await this.documents.get(uri.toString())?.request('node/locate', { nodeId }).catch(() => null);
    if (at) this.channels.get(uri.toString())?.notify('view/reveal', { nodeId, graphId: at.graphId });
  }

  /** Paints an overlay on the model's editor (now, or when it opens), replacing one with the same id. */
  setOverlay(uri: vscode.Uri, overlay: Overlay): void {
    const key = uri.toString();
    const mine = this.overlays.get(key) ?? new Map<string, Overlay>();
    this.overlays.set(key, mine.set(overlay.id, overlay));
    this.channels.get(key)?.notify('overlay/set', overlay);
  }

  /** Removes one overlay (or all) from the model's editor; returns whether there was any. */
  clearOverlay(uri: vscode.Uri, id?: string): boolean {
    const key = uri.toString();
    const mine = this.overlays.get(key);
    const had = id === undefined ? !!mine?.size : !!mine?.has(id);
    if (id === undefined) this.overlays.delete(key);
    else mine?.delete(id);
    this.channels.get(key)?.notify('overlay/clear', id === undefined ? {} : { id });
    return had;
  }
}
