import * as vscode from 'vscode';
import { summarizeModel } from '../analysis/summary';
import { openModel } from '../onnx/open';

/** Activation: for now one command that shows a model's summary; the graph editor comes next. */
export function activate(context: vscode.ExtensionContext): void {
  const output = vscode.window.createOutputChannel('ONNX Studio');
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('onnxStudio.inspect', (uri?: vscode.Uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      if (!target || target.scheme !== 'file') {
        void vscode.window.showErrorMessage('ONNX Studio: choose an .onnx file on disk to inspect.');
        return;
      }
      try {
        const model = openModel(target.fsPath);
        try {
          output.appendLine(JSON.stringify(summarizeModel(model), null, 2));
          output.show(true);
        } finally {
          model.close();
        }
      } catch (e) {
        void vscode.window.showErrorMessage(`ONNX Studio: ${(e as Error).message}`);
      }
    }),
  );
}

export function deactivate(): void {}
