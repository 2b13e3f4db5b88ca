import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { pageHead } from './webview-html';

/**
 * The report view's page: the graph editor's CSP (webview-html.ts) less the worker — nothing
 * by default, the one script by nonce, styles from the extension. The report arrives by
 * postMessage and is drawn with text nodes only, so no name in it can become markup.
 */
export function reportHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'report.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'report.css'));
  const csp = ["default-src 'none'", `style-src ${webview.cspSource}`, `img-src ${webview.cspSource} data:`, `script-src 'nonce-${nonce}'`].join('; ');
  return `${pageHead(csp, style, 'Transform report')}
<main id="report" aria-live="polite">Waiting for the report…</main>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}
