import type * as vscode from 'vscode';
import type { Envelope, HostNotifications, WebviewNotifications, WebviewRequests } from '../protocol/messages';

type RequestHandlers = { [M in keyof WebviewRequests]: (params: WebviewRequests[M]['params']) => Promise<WebviewRequests[M]['result']> | WebviewRequests[M]['result'] };
type NotificationHandlers = { [M in keyof WebviewNotifications]?: (params: WebviewNotifications[M]) => void };

/**
 * The host side of the protocol for one webview panel: typed notifications out, requests in.
 * A handler that throws answers with an error; nothing is sent before the webview is ready.
 */
export class WebviewChannel {
  private ready = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly webview: vscode.Webview,
    private readonly requests: RequestHandlers,
    private readonly notifications: NotificationHandlers & { 'webview/ready': (p: WebviewNotifications['webview/ready']) => void },
  ) {
    this.disposables.push(webview.onDidReceiveMessage((m: Envelope) => void this.receive(m)));
  }

  get isReady(): boolean {
    return this.ready;
  }

  notify<M extends keyof HostNotifications>(method: M, params: HostNotifications[M]): void {
    if (!this.ready) return;
    void this.webview.postMessage({ kind: 'notify', method, params } satisfies Envelope);
  }

  private async receive(m: Envelope): Promise<void> {
    if (!m || typeof m !== 'object') return;
    if (m.kind === 'notify') {
      if (m.method === 'webview/ready') this.ready = true;
      const handler = (this.notifications as Record<string, ((p: unknown) => void) | undefined>)[m.method];
      handler?.(m.params);
    } else if (m.kind === 'request') {
      const handler = (this.requests as Record<string, ((p: unknown) => unknown) | undefined>)[m.method];
      try {
        if (!handler) throw new Error(`unknown method ${m.method}`);
        const result = await handler(m.params);
        void this.webview.postMessage({ kind: 'response', id: m.id, result } satisfies Envelope);
      } catch (e) {
        void this.webview.postMessage({ kind: 'response', id: m.id, error: (e as Error).message } satisfies Envelope);
      }
    }
  }

  dispose(): void {
    this.ready = false;
    for (const d of this.disposables) d.dispose();
  }
}
