// The result of "Build TensorRT Engine…": a webview panel drawn from the CLI's `build --json`
// document: TensorRT version, precision, the performance summary and the files written. A
// static page (no script at all: CSP `default-src 'none'`, styles from the extension), every
// text escaped, so nothing a log or path holds can become markup.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { BuildJson } from '../cli/build';
import type { TimingStats } from '../toolchains/trtexec-log';
import { pageHead } from './webview-html';

export const ENGINE_RESULT_VIEW_TYPE = 'onnxStudio.engineResult';

const TIMINGS: [key: 'latency' | 'gpuComputeTime' | 'h2dLatency' | 'd2hLatency' | 'enqueueTime', label: string][] = [
  ['latency', 'Latency'],
  ['gpuComputeTime', 'GPU compute'],
  ['h2dLatency', 'H2D'],
  ['d2hLatency', 'D2H'],
  ['enqueueTime', 'Enqueue'],
];
const STATS = ['min', 'mean', 'median', '90', '95', '99', 'max'] as const;

export function showEngineResult(extensionUri: vscode.Uri, result: BuildJson, command: string): vscode.WebviewPanel {
  const media = vscode.Uri.joinPath(extensionUri, 'media');
  const panel = vscode.window.createWebviewPanel(ENGINE_RESULT_VIEW_TYPE, `Engine: ${basename(result.engine ?? 'build')}`, vscode.ViewColumn.Active, { enableScripts: false, localResourceRoots: [media] });
  panel.webview.html = engineResultHtml(result, command, panel.webview.cspSource, panel.webview.asWebviewUri(vscode.Uri.joinPath(media, 'report.css')));
  return panel;
}

export function engineResultHtml(result: BuildJson, command: string, cspSource: string, style: vscode.Uri): string {
  const csp = `default-src 'none'; style-src ${cspSource}`;
  const perf = result.performance;
  const figure = (key: string, value: number | undefined): string => `<td class="figure" data-key="${key}" data-value="${value ?? ''}">${value === undefined ? '–' : esc(String(value))}</td>`;
  const stat = (s: TimingStats | undefined, which: (typeof STATS)[number]): number | undefined => (!s ? undefined : /^\d/.test(which) ? s.percentiles[which] : s[which as 'min']);
  const rows = TIMINGS.map(([key, label]) => `<tr><th>${label}</th>${STATS.map((w) => figure(`${key}.${w}`, stat(perf?.[key], w))).join('')}</tr>`).join('\n');
  const files = Object.entries(result.outputs)
    .filter(([, path]) => path)
    .map(([key, path]) => `<li data-output="${esc(key)}"><code>${esc(path!)}</code></li>`)
    .join('\n');
  return `${pageHead(csp, style, 'TensorRT engine')}
<main id="engine">
<h1>${esc(basename(result.engine ?? 'engine'))}</h1>
<p class="command"><code>${esc(command)}</code></p>
<table><tbody>
<tr><th>TensorRT</th><td data-key="tensorrtVersion">${esc(result.tensorrtVersion ?? 'unknown')}</td></tr>
<tr><th>Precision</th><td data-key="precision">${esc(result.precision)}</td></tr>
<tr><th>Throughput (qps)</th>${figure('throughputQps', perf?.throughputQps)}</tr>
</tbody></table>
<h2>Performance summary (ms)</h2>
${perf ? `<div class="table-box"><table class="timings"><thead><tr><th></th>${STATS.map((w) => `<th>${/^\d/.test(w) ? `p${w}` : w}</th>`).join('')}</tr></thead><tbody>\n${rows}\n</tbody></table></div>` : '<p class="note">trtexec printed no performance summary (a build with --skipInference?).</p>'}
${perf?.warnings.length ? `<ul class="warnings">${perf.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : ''}
<h2>Files</h2>
<ul class="files">${files}</ul>
</main>
</body>
</html>`;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
