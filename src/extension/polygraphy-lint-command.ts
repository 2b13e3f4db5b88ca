// "Lint with Polygraphy": runs `onnx-studio lint-polygraphy MODEL --json` (the CLI runs
// `polygraphy check lint` through the one runTool, as `build` runs trtexec) and puts its report
// in the Problems panel on the .onnx file, each finding with the editor's node id where a node
// has the name Polygraphy gives.
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { LintPolygraphyJson } from '../cli/lint-polygraphy';
import { refuseUntrusted } from './tool-trust';
import { cliMessage, parseJson, notificationText } from './cli-message';
import { cliScript, modelOnDisk, offerToolSetting, runCliWithProgress } from './tool-cli-run';

export type PolygraphyLintOutcome = { kind: 'linted'; exitCode: number; report: LintPolygraphyJson } | { kind: 'failed'; exitCode: number | null; message: string } | { kind: 'untrusted'; message: string } | undefined;

const POLYGRAPHY_SETTING = 'onnxStudio.tools.polygraphyPath';

export class PolygraphyLintCommand {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('onnx-studio-polygraphy');

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
    private readonly activeModel: () => vscode.Uri | undefined,
  ) {
    context.subscriptions.push(
      this.diagnostics,
      vscode.commands.registerCommand('onnxStudio.lintPolygraphy', (uri?: vscode.Uri) => this.run(uri)),
      vscode.workspace.onDidDeleteFiles((e) => e.files.forEach((f) => this.diagnostics.delete(f))),
    );
  }

  async run(uri?: vscode.Uri): Promise<PolygraphyLintOutcome> {
    const model = modelOnDisk(uri, this.activeModel, 'lint');
    if (!model) return undefined;
    const untrusted = refuseUntrusted('Polygraphy', 'Lint with Polygraphy');
    if (untrusted) return { kind: 'untrusted', message: untrusted };
    const polygraphy = vscode.workspace.getConfiguration().get<string>(POLYGRAPHY_SETTING, '');
    const args = ['lint-polygraphy', model.fsPath, '--json', ...(polygraphy ? ['--polygraphy', polygraphy] : [])];
    const cli = cliScript(this.context);
    const result = await runCliWithProgress({ cli, args, cwd: dirname(model.fsPath), title: `linting ${vscode.workspace.asRelativePath(model)} with Polygraphy`, output: this.output });
    if (result.cancelled) return undefined;
    const report = result.code === 0 || result.code === 1 ? parseJson<LintPolygraphyJson>(result.stdout) : undefined;
    if (!report) {
      const message = `ONNX Studio: ${cliMessage(result.stderr)}`;
      if (result.code === 2) offerToolSetting(message, POLYGRAPHY_SETTING);
      else void vscode.window.showErrorMessage(notificationText(message));
      return { kind: 'failed', exitCode: result.code, message };
    }
    this.diagnostics.set(model, report.findings.map((f) => {
      const nodes = f.nodes.map((n) => (report.nodeIds[n] && report.nodeIds[n] !== n ? `${n} (${report.nodeIds[n]})` : n));
      const d = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `${nodes.length ? `${nodes.join(', ')}: ` : ''}${f.message}`, severity(f.level));
      d.source = `Polygraphy${f.source ? ` ${f.source}` : ''}`;
      const id = f.nodes.map((n) => report.nodeIds[n]).find(Boolean);
      if (id) d.code = id;
      return d;
    }));
    const errors = report.findings.filter((f) => severity(f.level) === vscode.DiagnosticSeverity.Error).length;
    const line = `Polygraphy lint: ${report.findings.length} finding(s), ${errors} error(s); listed in the Problems panel`;
    this.output.appendLine(`  ${line}`);
    if (errors) void vscode.window.showWarningMessage(notificationText(`ONNX Studio: ${line}.`));
    else void vscode.window.showInformationMessage(notificationText(`ONNX Studio: ${line}.`));
    return { kind: 'linted', exitCode: result.code!, report };
  }
}

function severity(level: string): vscode.DiagnosticSeverity {
  if (level === 'exception' || level === 'error') return vscode.DiagnosticSeverity.Error;
  if (level === 'warning') return vscode.DiagnosticSeverity.Warning;
  return vscode.DiagnosticSeverity.Information;
}
