// The one way the extension runs our CLI (dist/cli.js) for a command: a progress notification
// with Cancel, the command line and each stderr line in an output channel, every line also to
// the caller (the tests listen there); and the message that offers a tool's path setting when
// the tool cannot be run.
import * as vscode from 'vscode';
import { commandLine, runCli, type CliResult } from './cli-process';

export interface CliProgressRun {
  /** The extension's dist/cli.js. */
  cli: string;
  args: string[];
  cwd: string;
  /** The notification's title, after "ONNX Studio: ". */
  title: string;
  output: vscode.OutputChannel;
  /** Each stderr line as it comes, after the output channel got it. */
  onLine?: (line: string) => void;
  /** Where the run is registered while it goes, so the command's cancelAll cancels it as the Cancel button does. */
  running?: Set<vscode.CancellationTokenSource>;
}

export async function runCliWithProgress(run: CliProgressRun): Promise<CliResult> {
  run.output.appendLine(`> ${commandLine(['onnx-studio', ...run.args])}`);
  run.output.appendLine(`  (cwd ${run.cwd}; ${commandLine([process.execPath, run.cli])})`);
  const source = new vscode.CancellationTokenSource();
  run.running?.add(source);
  let result: CliResult;
  try {
    result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ONNX Studio: ${run.title}`, cancellable: true }, (progress, token) => {
      const cancelled = new Promise<void>((resolve) => {
        token.onCancellationRequested(() => resolve());
        source.token.onCancellationRequested(() => resolve());
      });
      return runCli(run.cli, run.args, {
        cwd: run.cwd,
        cancel: cancelled,
        onStderrLine: (line) => {
          run.output.appendLine(`  ${line}`);
          progress.report({ message: line.length > 120 ? `${line.slice(0, 117)}…` : line });
          run.onLine?.(line);
        },
      });
    });
  } finally {
    run.running?.delete(source);
    source.dispose();
  }
  run.output.appendLine(`  exit ${result.code ?? result.signal}${result.cancelled ? ' (cancelled)' : ''}`);
  return result;
}

/** The runs of one command: what its cancelAll cancels, and every line of them for listeners (the tests). */
export class CliRuns implements vscode.Disposable {
  private readonly running = new Set<vscode.CancellationTokenSource>();
  private readonly lines = new vscode.EventEmitter<string>();
  readonly onLine = this.lines.event;

  run(run: Omit<CliProgressRun, 'onLine' | 'running'>): Promise<CliResult> {
    return runCliWithProgress({ ...run, onLine: (line) => this.lines.fire(line), running: this.running });
  }

  /** Cancels every run still going, as the progress notification's Cancel button does. */
  cancelAll(): void {
    for (const source of this.running) source.cancel();
  }

  dispose(): void {
    this.cancelAll();
    this.lines.dispose();
  }
}

/** The extension's own CLI, which every command runs. */
export function cliScript(context: vscode.ExtensionContext): string {
  return vscode.Uri.joinPath(context.extensionUri, 'dist', 'cli.js').fsPath;
}

/** The .onnx file a command acts on (the one given, else the active graph), or undefined after saying why. */
export function modelOnDisk(uri: unknown, activeModel: () => vscode.Uri | undefined, toDo: string): vscode.Uri | undefined {
  const model = uri instanceof vscode.Uri ? uri : activeModel();
  if (model?.scheme === 'file') return model;
  void vscode.window.showErrorMessage(`ONNX Studio: choose an .onnx file on disk to ${toDo}.`);
  return undefined;
}

/** A tool that cannot be run (exit 2): the message, with a button to the tool path setting. */
export function offerToolSetting(message: string, setting: string): void {
  const open = 'Open Setting';
  void vscode.window.showErrorMessage(message, open).then((choice) => choice === open && vscode.commands.executeCommand('workbench.action.openSettings', setting));
}
