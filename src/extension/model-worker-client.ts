// The host's handle on one model worker thread: typed requests with ids, answers unpacked from
// transferred columns, and terminate() that cancels whatever the worker is doing.
import { Worker } from 'node:worker_threads';
import type { ModelWorkerMethod, ModelWorkerRequests, WorkerRequest, WorkerResponse } from '../protocol/model-worker';
import { unpack } from './columns';

interface Pending {
  resolve(result: unknown): void;
  reject(error: Error): void;
}

export class ModelWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stopped?: Error;
  private ended = false;
  /** Resolves when the thread has ended (terminated, or crashed). */
  readonly exited: Promise<void>;

  /** `script`: the bundled worker, dist/model-worker.js. */
  constructor(script: string) {
    this.worker = new Worker(script);
    this.worker.on('message', (m: WorkerResponse) => this.answer(m));
    this.worker.on('error', (e) => this.stop(new Error(`the model worker failed: ${e.message}`)));
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.ended = true;
        this.stop(new Error(`the model worker stopped (exit code ${code})`));
        resolve();
      }),
    );
  }

  /** Whether the thread has ended (what closing an editor must lead to). */
  get hasExited(): boolean {
    return this.ended;
  }

  request<M extends ModelWorkerMethod>(method: M, params: ModelWorkerRequests[M]['params']): Promise<ModelWorkerRequests[M]['result']> {
    if (this.stopped) return Promise.reject(this.stopped);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (r: unknown) => void, reject });
      this.worker.postMessage({ id, method, params } as WorkerRequest);
    });
  }

  /** Stops the thread at once, mid-parse if need be; pending requests are rejected. */
  async terminate(): Promise<void> {
    this.stop(new Error('the model was closed'));
    await this.worker.terminate();
  }

  private answer(m: WorkerResponse): void {
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    if ('error' in m) p.reject(new Error(m.error));
    else p.resolve(unpack(m.result));
  }

  private stop(reason: Error): void {
    this.stopped ??= reason;
    for (const p of this.pending.values()) p.reject(reason);
    this.pending.clear();
  }
}
