// Runs layouts in a worker. A newer request supersedes an older one: the worker still busy with
// the old one is terminated (its work stops, not just its result dropped) and a fresh one starts.
import type { LayoutInput } from './layout/layered';
import type { LayoutReply, LayoutRequest } from './layout/worker';

/** What the client needs of a Worker (the browser's; the tests pass a stand-in). */
export interface LayoutWorker {
  onmessage: ((e: MessageEvent<LayoutReply>) => void) | null;
  postMessage(m: LayoutRequest): void;
  terminate(): void;
}

export class LayoutClient {
  private worker: LayoutWorker | undefined;
  private nextId = 0;
  /** The request in flight and how to answer it. */
  private pending: { id: number; resolve(r: LayoutReply | null): void } | undefined;

  constructor(private readonly startWorker: () => LayoutWorker) {}

  /** Resolves with the layout, or null when a newer layout was asked for meanwhile. */
  layout(input: LayoutInput): Promise<LayoutReply | null> {
    if (this.pending) {
      this.worker?.terminate();
      this.worker = undefined;
      this.pending.resolve(null);
    }
    const id = ++this.nextId;
    const worker = (this.worker ??= this.start());
    return new Promise((resolve) => {
      this.pending = { id, resolve };
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
    return worker;
  }
}
