// The report view's script: waits for the host's report, draws it, and tells the host what it drew.
import type { ReportHostMessage, ReportWebviewMessage } from '../../src/protocol/report-view';
import { readBack, renderReport } from './render';

declare function acquireVsCodeApi(): { postMessage(message: ReportWebviewMessage): void };

const api = acquireVsCodeApi();
const root = document.getElementById('report')!;

window.addEventListener('message', (e: MessageEvent<ReportHostMessage>) => {
  if (e.data?.type !== 'report') return;
  try {
    renderReport(root, e.data.report, e.data.outcome);
  } catch (err) {
    root.replaceChildren(Object.assign(document.createElement('p'), { className: 'error', textContent: `The report could not be drawn: ${(err as Error).message}` }));
  }
  api.postMessage({ type: 'rendered', rendered: readBack(root) });
});
api.postMessage({ type: 'ready' });
