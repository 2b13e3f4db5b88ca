import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

/**
 * The graph editor's page: strict CSP (DESIGN.md §4) — nothing by default, scripts by nonce,
 * the layout worker from a blob: URL, styles and the bundle from the extension only.
 */
export function graphEditorHtml(webview: vscode.Webview, extensionUri: vscode.Uri): string {
  const nonce = randomBytes(16).toString('base64');
  const script = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'dist', 'webview', 'main.js'));
  const style = webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, 'media', 'graph.css'));
  const csp = [
    "default-src 'none'",
    `style-src ${webview.cspSource}`,
    `img-src ${webview.cspSource} data:`,
    `script-src 'nonce-${nonce}'`,
    'worker-src blob:',
  ].join('; ');
  return `${pageHead(csp, style, 'ONNX graph')}
<header role="toolbar" aria-label="Graph tools">
  <nav id="breadcrumbs" aria-label="Subgraph path"></nav>
  <input id="search" type="search" placeholder="Find node, op or tensor (Ctrl+F)" aria-label="Find node, op or tensor">
  <span id="search-count" aria-live="polite"></span>
  <label><input id="initializers" type="checkbox"> initializers</label>
  <button id="fit" title="Fit to window">Fit</button>
  <button id="expand-all" title="Expand every group">Expand all</button>
  <button id="collapse-all" title="Collapse to the top-level groups">Collapse</button>
  <button id="export-svg">SVG</button>
  <button id="export-png">PNG</button>
  <button id="toggle-panel" title="Show or hide the properties panel (P)" aria-controls="panel" aria-expanded="true">Properties</button>
</header>
<main>
  <canvas id="graph" tabindex="0" role="img" aria-label="Graph of the model; arrow keys move between nodes, Enter opens groups and subgraphs"></canvas>
  <div id="splitter" role="separator" tabindex="0" aria-orientation="vertical" aria-controls="panel" aria-label="Resize the properties panel (arrow keys)"></div>
  <aside id="panel" aria-label="Properties">
    <section id="overlay" aria-label="Overlay" hidden></section>
    <div id="properties" aria-live="polite"></div>
  </aside>
</main>
<div id="error" role="alert"></div>
<footer id="status" aria-live="polite">Loading…</footer>
<script nonce="${nonce}" src="${script}"></script>
</body>
</html>`;
}

/** The head of every page of ours: the CSP, the stylesheet from the extension, the title. */
export function pageHead(csp: string, style: vscode.Uri, title: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${style}">
<title>${title}</title>
</head>
<body>`;
}
