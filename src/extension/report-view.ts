import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { TransformReport } from '../optimize/report';
import type { RenderedReport, ReportHostMessage, ReportOutcome, ReportWebviewMessage } from '../protocol/report-view';
import { reportHtml } from './report-html';

export const REPORT_VIEW_TYPE = 'onnxStudio.report';

/** The report views: one webview panel per transform run, drawn from the CLI's JSON. */
export class ReportViews {
  /** What each panel drew (read back from its DOM), by report output path: for the integration tests. */
  readonly rendered = new Map<string, RenderedReport>();

  constructor(private readonly extensionUri: vscode.Uri) {}

  show(report: TransformReport, outcome: ReportOutcome, column: vscode.ViewColumn = vscode.ViewColumn.Active): vscode.WebviewPanel {
    const panel = vscode.window.createWebviewPanel(REPORT_VIEW_TYPE, `Report: ${basename(String(report.output))}`, column, {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    });
    const key = String(report.output);
    this.rendered.delete(key);
    const listener = panel.webview.onDidReceiveMessage((m: ReportWebviewMessage) => {
      if (m.type === 'ready') void panel.webview.postMessage({ type: 'report', report, outcome } satisfies ReportHostMessage);
      else if (m.type === 'rendered') this.rendered.set(key, m.rendered);
    });
    panel.onDidDispose(() => listener.dispose());
    panel.webview.html = reportHtml(panel.webview, this.extensionUri);
    return panel;
  }
}
