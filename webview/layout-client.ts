// Runs layouts in a worker. A newer request supersedes an older one: the worker still busy with
// the old one is terminated (its work stops, not just its result dropped) and a fresh one starts.
import type { LayoutInput } from './layout/layered';
import type { LayoutReply, LayoutRequest } from './layout/worker';

/** What the client needs of a Worker (the browser's; the tests pass a stand-in). */
export interface LayoutWorker {
  onmessage: ((e: MessageEvent<LayoutReply>) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
  postMessage(m: LayoutRequest): void;
  terminate(): void;
}

export class LayoutClient {
  private worker: LayoutWorker | undefined;
  private nextId = 0;
  /** The request in flight and how to answer it. */
  private pending: { id: number; resolve(r: LayoutReply | null): void; reject(e: Error): void } | undefined;

  constructor(private readonly startWorker: () => LayoutWorker) {}

  /** Resolves with the layout, or null when a newer layout was asked for meanwhile; rejects when the worker fails. */
  layout(input: LayoutInput): Promise<LayoutReply | null> {
    if (this.pending) {
      this.worker?.terminate();
      this.worker = undefined;
      this.pending.resolve(null);
    }
    const id = ++this.nextId;
    const worker = (this.worker ??= this.start());
    return new Promise((resolve, reject) => {
      this.pending = { id, resolve, reject };
      worker.postMessage({ id, input });
    });
  }

  private start(): LayoutWorker {
    const worker = this.startWorker();
    worker.onmessage = (e) => {
      if (e.data.id !== this.pending?.id) return;
      const { resolve } = this.pending;
      this.pending = undefined;
      resolve(e.data);
    };
    // A crashed worker (out of memory, a bug) must not leave the view waiting forever.
    worker.onerror = (e) => {
      const pending = this.pending;
      this.pending = undefined;
      this.worker = undefined;
      worker.terminate();
      pending?.reject(new Error(`the layout failed: ${e.message || 'the layout worker stopped'}`));
    };
    return worker;
  }
}
