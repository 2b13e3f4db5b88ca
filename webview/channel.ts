// The webview side of the protocol (src/protocol/messages.ts): typed notify/request/on.
import type { Envelope, HostNotifications, ViewState, WebviewNotifications, WebviewRequests } from '../src/protocol/messages';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): ViewState | undefined;
  setState(state: ViewState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

export class HostChannel {
  private readonly api = acquireVsCodeApi();
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private readonly handlers = new Map<string, (params: unknown) => void>();

  constructor() {
    window.addEventListener('message', (e: MessageEvent<Envelope>) => this.receive(e.data));
  }

  notify<M extends keyof WebviewNotifications>(method: M, params: WebviewNotifications[M]): void {
    this.api.postMessage({ kind: 'notify', method, params } satisfies Envelope);
  }

  request<M extends keyof WebviewRequests>(method: M, params: WebviewRequests[M]['params']): Promise<WebviewRequests[M]['result']> {
    const id = this.nextId++;
    this.api.postMessage({ kind: 'request', id, method, params } satisfies Envelope);
    return new Promise((resolve, reject) => this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject }));
  }

  on<M extends keyof HostNotifications>(method: M, handler: (params: HostNotifications[M]) => void): void {
    this.handlers.set(method, handler as (params: unknown) => void);
  }

  get state(): ViewState | undefined {
    return this.api.getState();
  }
  set state(s: ViewState) {
    this.api.setState(s);
    this.notify('view/state', s);
  }

  private receive(m: Envelope): void {
    if (!m || typeof m !== 'object') return;
    if (m.kind === 'response') {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (m.error !== undefined) p?.reject(new Error(m.error));
      else p?.resolve(m.result);
    } else if (m.kind === 'notify') {
      this.handlers.get(m.method)?.(m.params);
    }
  }
}
