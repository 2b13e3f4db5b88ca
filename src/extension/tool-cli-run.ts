// What the external-tool commands (trtexec build, Polygraphy lint) share: our CLI run with a
// cancellable progress notification, each stderr line streamed to the TensorRT output channel,
// and the message that offers the tool's path setting when the tool cannot be run.
import * as vscode from 'vscode';
import { commandLine, runCli, type CliResult } from './cli-process';

export interface ToolCliRun {
  /** The extension's dist/cli.js. */
  cli: string;
  args: string[];
  cwd: string;
  title: string;
  output: vscode.OutputChannel;
  /** Each stderr line as it comes, after the output channel got it. */
  onLine?: (line: string) => void;
  /** Cancels the run as the notification's Cancel button does. */
  cancel?: vscode.CancellationToken;
}

export async function runToolCli(run: ToolCliRun): Promise<CliResult> {
  run.output.appendLine(`> ${commandLine(['onnx-studio', ...run.args])}`);
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `ONNX Studio: ${run.title}`, cancellable: true }, (progress, token) => {
    const cancelled = new Promise<void>((resolve) => {
      token.onCancellationRequested(() => resolve());
      run.cancel?.onCancellationRequested(() => resolve());
    });
    return runCli(run.cli, run.args, {
      cwd: run.cwd,
      cancel: cancelled,
      onStderrLine: (line) => {
        run.output.appendLine(line);
        progress.report({ message: line.length > 120 ? `${line.slice(0, 117)}…` : line });
        run.onLine?.(line);
      },
    });
  });
  run.output.appendLine(`  exit ${result.code ?? result.signal}${result.cancelled ? ' (cancelled)' : ''}`);
  return result;
}

/** A tool that cannot be run (exit 2): the message, with a button to the machine-scoped path setting. */
export function offerToolSetting(message: string, setting: string): void {
  const open = 'Open Setting';
  void vscode.window.showErrorMessage(message, open).then((choice) => choice === open && vscode.commands.executeCommand('workbench.action.openSettings', setting));
}

/** The CLI's stderr from its own first line on (`onnx-studio build: …` and the problems under it). */
export function cliProblemText(stderr: string): string {
  const lines = stderr.split(/\r?\n/).filter((l) => l.trim());
  const first = lines.findIndex((l) => /^onnx-studio( [\w-]+)?: /.test(l));
  return (first < 0 ? lines.slice(-1) : lines.slice(first)).join('\n') || 'no message';
}

export function parseJson<T>(stdout: string): T | undefined {
  try {
    return JSON.parse(stdout) as T;
  } catch {
    return undefined;
  }
}
