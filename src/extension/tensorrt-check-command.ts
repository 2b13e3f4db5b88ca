// "Check TensorRT Compatibility": runs `onnx-studio trt-check MODEL --trt V --json` (our CLI, in a
// child process, as the transforms run), paints the result as a status overlay on the graph and
// lists the nodes TensorRT may not take in the Problems panel, on the .onnx file.
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { cliMessage, notificationText } from './cli-message';
import { GRAPH_EDITOR_VIEW_TYPE, type GraphEditorProvider } from './graph-editor';
import type { TrtCheckResult } from '../analysis/tensorrt/compat';
import { parseTrtCheck, tensorrtFindings, tensorrtOverlay, tensorrtSummaryLine } from './tensorrt-overlay';
import { cliScript, modelOnDisk, runCliWithProgress } from './tool-cli-run';

/** What the command resolved to (the tests read it). */
export type TrtCheckOutcome = { kind: 'checked'; exitCode: number; check: TrtCheckResult } | { kind: 'failed'; exitCode: number | null; message: string } | undefined;

export class TensorRtCheckCommand {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('onnx-studio-tensorrt');

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
    private readonly overlays: Pick<GraphEditorProvider, 'setOverlay'>,
    private readonly activeModel: () => vscode.Uri | undefined,
  ) {
    context.subscriptions.push(
      this.diagnostics,
      vscode.commands.registerCommand('onnxStudio.checkTensorRT', (uri?: vscode.Uri) => this.run(uri)),
      // A deleted model's findings would point at nothing.
      vscode.workspace.onDidDeleteFiles((e) => e.files.forEach((f) => this.diagnostics.delete(f))),
    );
  }

  async run(uri?: vscode.Uri): Promise<TrtCheckOutcome> {
    const model = modelOnDisk(uri, this.activeModel, 'check');
    if (!model) return undefined;
    const version = vscode.workspace.getConfiguration('onnxStudio', model).get<string>('tensorrt.version', '11');
    const args = ['trt-check', model.fsPath, '--trt', version, '--json'];
    const cli = cliScript(this.context);
    const result = await runCliWithProgress({ cli, args, cwd: dirname(model.fsPath), title: `checking ${vscode.workspace.asRelativePath(model)} for TensorRT ${version}`, output: this.output });
    if (result.cancelled) return undefined;
    const check = result.code === 0 || result.code === 1 ? parseTrtCheck(result.stdout) : undefined;
    if (!check) {
      const message = `ONNX Studio: ${cliMessage(result.stderr)}`;
      void vscode.window.showErrorMessage(notificationText(message));
      return { kind: 'failed', exitCode: result.code, message };
    }
    this.diagnostics.set(model, tensorrtFindings(check).map((f) => {
      const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), f.message, f.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      d.source = 'ONNX Studio';
      d.code = f.nodeId;
      return d;
    }));
    this.overlays.setOverlay(model, tensorrtOverlay(check));
    await vscode.commands.executeCommand('vscode.openWith', model, GRAPH_EDITOR_VIEW_TYPE, { preserveFocus: true });
    const line = tensorrtSummaryLine(check);
    this.output.appendLine(`  ${line}`);
    if (check.summary.unsupported > 0) void vscode.window.showWarningMessage(notificationText(`ONNX Studio: ${line}. The nodes are listed in the Problems panel.`));
    else void vscode.window.showInformationMessage(notificationText(`ONNX Studio: ${line}.`));
    return { kind: 'checked', exitCode: result.code!, check };
  }
}
