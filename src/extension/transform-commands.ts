// "Quantize (INT8, dynamic)", "Quantize (INT8, static)…", "Convert to FP16" and "Prune…": each runs our
// CLI (dist/cli.js … --json) in a child process with a cancellable progress notification, then
// shows the CLI's JSON report in the report view and opens the new model beside the old one.
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { TransformReport } from '../optimize/report';
import { commandLine, type CliResult } from './cli-process';
import { cliMessage, parseJson, notificationText } from './cli-message';
import { GRAPH_EDITOR_VIEW_TYPE, type GraphEditorProvider } from './graph-editor';
import { isPruneChoices, pruneArgv, pruneProducts, pruneTitle, type PruneChoices } from './prune-args';
import { pickPruneChoices } from './prune-picks';
import { paintReportOverlays } from './report-overlays';
import type { ReportViews } from './report-view';
import { pickStaticChoices, rememberCalibrationFolder } from './static-picks';
import { isStaticChoices, transformArgv, transformProducts, type StaticChoices, type TransformKind } from './transform-args';
import { cliScript, CliRuns, modelOnDisk } from './tool-cli-run';
import { newProducts } from './transform-products';
import { pruneSettings, transformSettings } from './transform-settings';

/** What a transform command resolves to (the tests read it; users see the views and messages). */
export type TransformOutcome =
  | { kind: 'report'; exitCode: number; report: TransformReport; command: string }
  | { kind: 'refused'; exitCode: number; message: string }
  | { kind: 'failed'; exitCode: number | null; message: string }
  /** removed: outputs the CLI had finished before the cancel reached it. */
  | { kind: 'cancelled'; removed: string[] }
  | undefined;

const TITLES: Record<TransformKind, string> = { dynamic: 'Quantizing (INT8, dynamic)', static: 'Quantizing (INT8, static)', fp16: 'Converting to FP16' };

export class TransformCommands implements vscode.Disposable {
  private readonly runs = new CliRuns();
  /** Each progress line of a running transform (the tests cancel on the first). */
  readonly onStderrLine = this.runs.onLine;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
    private readonly reports: ReportViews,
    private readonly activeModel: () => vscode.Uri | undefined,
    /** Where the per-node error of an accuracy-aware run is painted (the new model's editor). */
    private readonly overlays?: Pick<GraphEditorProvider, 'setOverlay' | 'clearOverlay'>,
  ) {
    context.subscriptions.push(
      this,
      vscode.commands.registerCommand('onnxStudio.quantizeDynamic', (uri?: vscode.Uri) => this.run('dynamic', uri)),
      vscode.commands.registerCommand('onnxStudio.quantizeStatic', (uri?: vscode.Uri, choices?: unknown) => this.run('static', uri, isStaticChoices(choices) ? choices : undefined)),
      vscode.commands.registerCommand('onnxStudio.convertFp16', (uri?: vscode.Uri) => this.run('fp16', uri)),
      vscode.commands.registerCommand('onnxStudio.prune', (uri?: vscode.Uri, choices?: unknown) => this.prune(uri, isPruneChoices(choices) ? choices : undefined)),
    );
  }

  /** Cancels every running transform, as the progress notification's Cancel button does. */
  cancelAll(): void {
    this.runs.cancelAll();
  }

  dispose(): void {
    this.runs.dispose();
  }

  /** `choices` (static only) skips the quick picks: for other commands and the tests. */
  async run(kind: TransformKind, uri?: vscode.Uri, choices?: StaticChoices): Promise<TransformOutcome> {
    const model = modelOnDisk(uri, this.activeModel, 'transform');
    if (!model) return undefined;
    if (kind === 'static' && !choices) choices = await pickStaticChoices(this.context.workspaceState, model);
    if (kind === 'static' && !choices) return undefined;
    const args = transformArgv(kind, model.fsPath, transformSettings(model), choices);
    const outcome = await this.execute(model, args, TITLES[kind], transformProducts(model.fsPath, kind));
    // Remembered per model once it gave a report, so the next static run proposes it first.
    if (outcome?.kind === 'report' && choices?.calib) await rememberCalibrationFolder(this.context.workspaceState, model, choices.calib);
    return outcome;
  }

  /** "Prune…" (issue 11, point 5); `choices` skips the quick picks: for other commands and the tests. */
  async prune(uri?: vscode.Uri, choices?: PruneChoices): Promise<TransformOutcome> {
    const model = modelOnDisk(uri, this.activeModel, 'prune');
    if (!model) return undefined;
    choices ??= await pickPruneChoices(this.context.workspaceState, model);
    if (!choices) return undefined;
    const args = pruneArgv(model.fsPath, pruneSettings(model), choices);
    const outcome = await this.execute(model, args, pruneTitle(choices), pruneProducts(model.fsPath, choices.method));
    if (outcome?.kind === 'report' && choices.calib) await rememberCalibrationFolder(this.context.workspaceState, model, choices.calib);
    return outcome;
  }

  /** Runs the CLI with `args` under a progress notification; `products` are the files it may write (removed on cancel when new). */
  private async execute(model: vscode.Uri, args: string[], what: string, products: string[]): Promise<TransformOutcome> {
    const cli = cliScript(this.context);
    const cwd = dirname(model.fsPath);
    const command = commandLine(['onnx-studio', ...args]);
    const removeNew = await newProducts(products);
    const title = `${what} ${vscode.workspace.asRelativePath(model)}`;
    const result = await this.runs.run({ cli, args, cwd, title, output: this.output });
    if (result.cancelled) return this.cancelled(removeNew);
    return this.finish(result, command);
  }

  private async cancelled(removeNew: () => Promise<string[]>): Promise<TransformOutcome> {
    const removed = await removeNew();
    for (const path of removed) this.output.appendLine(`  removed ${path} (written before the cancel)`);
    void vscode.window.showInformationMessage('ONNX Studio: cancelled; nothing was written.');
    return { kind: 'cancelled', removed };
  }

  private async finish(result: CliResult, command: string): Promise<TransformOutcome> {
    const message = cliMessage(result.stderr);
    if (result.code === 2) {
      void vscode.window.showErrorMessage(notificationText(message));
      return { kind: 'refused', exitCode: 2, message };
    }
    const report = result.code === 0 || result.code === 1 ? parseJson<TransformReport>(result.stdout, (r) => typeof r?.output === 'string') : undefined;
    if (!report) {
      const failed = `ONNX Studio: the transform failed (exit ${result.code ?? result.signal}): ${message}`;
      this.output.show(true);
      void vscode.window.showErrorMessage(notificationText(failed));
      return { kind: 'failed', exitCode: result.code, message: failed };
    }
    this.reports.show(report, { exitCode: result.code!, command }, vscode.ViewColumn.Active);
    // A run without per-node figures replaces the model, so an earlier run's overlay would be stale.
    if (this.overlays) paintReportOverlays(this.overlays, report, true);
    await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.file(report.output), GRAPH_EDITOR_VIEW_TYPE, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
    if (result.code === 1) void vscode.window.showWarningMessage(notificationText(`ONNX Studio: ${targetsMissed(report)}; the model is still written.`));
    return { kind: 'report', exitCode: result.code!, report, command };
  }
}

function targetsMissed(report: TransformReport): string {
  const missed = (report.targets ?? []).filter((t) => !t.met).map((t) => `${t.name} ${t.got} < ${t.wanted}`);
  return missed.length ? `target not met (${missed.join(', ')})` : 'a target was not met';
}
