import type * as vscode from 'vscode';
import { describeFileProblem } from '../onnx/io/open-errors';
import type { ModelInfo } from '../protocol/graph-payload';
import type { ModelWorkerMethod, ModelWorkerRequests, OpenError, OpenResult } from '../protocol/model-worker';
import { ModelWorker } from './model-worker-client';

interface GraphDocumentOptions {
  /** The bundled model worker, dist/model-worker.js. */
  workerScript: string;
  /** Calls back when the file changed on disk (the editor passes a FileSystemWatcher). */
  watch?: (changed: () => void) => { dispose(): void };
}

/**
 * An opened .onnx file. The model itself lives in a worker thread (parsing, inference and
 * external-data checks never run on the extension host's event loop); the document keeps what
 * the worker reported and forwards requests to it. A reload or dispose terminates the worker,
 * cancelling a load still in progress. Imports vscode for types only: the bench runs it in Node.
 */
export class GraphDocument implements vscode.CustomDocument {
  info?: ModelInfo;
  error?: OpenError;
  /** Problems that leave the graph viewable, e.g. a missing external data file. */
  warnings: string[] = [];
  /** The thread that holds the model of the current load. */
  worker?: ModelWorker;
  /** Settles (never rejects) when the current load has finished, loaded or failed. */
  ready: Promise<void>;
  private readonly reloadListeners = new Set<() => void>();
  /** The main graph level, asked for right after the open so it is built while the webview starts. */
  private prefetched?: Promise<ModelWorkerRequests['graph/get']['result']>;
  private readonly watcher?: { dispose(): void };
  private generation = 0;

  constructor(
    readonly uri: vscode.Uri,
    private readonly options: GraphDocumentOptions,
  ) {
    this.ready = this.load().then(() => undefined);
    this.watcher = options.watch?.(() => {
      const loading = this.load();
      this.ready = loading.then(() => undefined);
      void loading.then((current) => current && this.reloadListeners.forEach((l) => l()));
    });
  }

  /** Fires after the file changed on disk and was read again. */
  onDidReload(listener: () => void): { dispose(): void } {
    this.reloadListeners.add(listener);
    return { dispose: () => this.reloadListeners.delete(listener) };
  }

  /** Asks the worker about the loaded model; throws the open error when it did not load. */
  async request<M extends ModelWorkerMethod>(method: M, params: ModelWorkerRequests[M]['params']): Promise<ModelWorkerRequests[M]['result']> {
    for (let r = this.ready; ; r = this.ready) {
      await r;
      if (r === this.ready) break; // not replaced by a reload meanwhile
    }
    if (!this.info || !this.worker) throw new Error(this.error?.message ?? 'the model is not loaded');
    return this.worker.request(method, params);
  }

  /** A graph level for the view (the main graph when `graphId` is gone); the main graph's first ask is answered by the prefetch. */
  graph(graphId: string): Promise<ModelWorkerRequests['graph/get']['result']> {
    const prefetched = graphId === '' ? this.prefetched : undefined;
    this.prefetched = undefined;
    return prefetched ?? this.request('graph/get', { graphId, orMain: true });
  }

  /** Reads the file in a new worker; false when a newer load or dispose overtook this one. */
  private async load(): Promise<boolean> {
    const generation = ++this.generation;
    void this.worker?.terminate();
    const worker = (this.worker = new ModelWorker(this.options.workerScript));
    const path = this.uri.fsPath;
    let result: OpenResult;
    try {
      const opening = worker.request('model/open', { path, infer: true });
      const main = worker.request('graph/get', { graphId: '', orMain: true }); // queued behind the open
      main.catch(() => undefined); // a failed open fails it too; the open error is what counts
      this.prefetched = main;
      result = await opening;
    } catch (e) {
      result = { ok: false, error: { message: `Could not read ${path}: ${(e as Error).message}`, readBytes: 0 } };
    }
    if (generation !== this.generation) return false;
    if (!result.ok) this.prefetched = undefined;
    this.info = result.ok ? result.info : undefined;
    this.error = result.ok ? undefined : result.error;
    this.warnings = result.ok ? result.warnings : [];
    return true;
  }

  dispose(): void {
    this.generation++;
    this.prefetched = undefined;
    this.watcher?.dispose();
    this.reloadListeners.clear();
    void this.worker?.terminate();
  }
}

/** A user-facing explanation of why a file did not open, with what was read. */
export function describeOpenError(path: string, e: unknown): { message: string; hint?: string; readBytes: number } {
  return describeFileProblem(path, e) ?? { message: `Could not read ${path}: ${(e as Error).message}`, readBytes: 0 };
}
