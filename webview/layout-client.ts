// Runs layouts in the worker; a newer request supersedes an older one (its result is dropped).
import workerSource from 'virtual:layout-worker';
import type { LayoutInput } from './layout/layered';
import type { LayoutReply, LayoutRequest } from './layout/worker';

export class LayoutClient {
  private readonly worker = new Worker(URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' })));
  private latest = 0;
  private readonly waiting = new Map<number, (r: LayoutReply | null) => void>();

  constructor() {
    this.worker.onmessage = (e: MessageEvent<LayoutReply>) => {
      const done = this.waiting.get(e.data.id);
      this.waiting.delete(e.data.id);
      done?.(e.data.id === this.latest ? e.data : null);
    };
  }

  /** Resolves with the layout, or null when a newer layout was asked for meanwhile. */
  layout(input: LayoutInput): Promise<LayoutReply | null> {
    const id = ++this.latest;
    for (const [old, resolve] of this.waiting) if (old !== id) resolve(null);
    this.waiting.clear();
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ id, input } satisfies LayoutRequest);
    });
  }
}
