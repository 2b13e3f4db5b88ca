import { existsSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind } from 'vscode-languageclient/node';
import { DiskModelFiles } from '../onnx/io/model-files';
import { encodeModelBytes, openModel } from '../onnx/open';
import { positionAt } from '../onnx/text/lexer';
import { parseModel } from '../onnx/text/parser';
import { printModel } from '../onnx/text/printer';
import { allTensors, inlineExternalData } from '../onnx/text/weights';

/** Starts the ONNX text language server and registers "Open as ONNX Text" / "Save as ONNX Model". */
export function activateTextLanguage(context: vscode.ExtensionContext, output: vscode.OutputChannel): LanguageClient {
  const serverModule = vscode.Uri.joinPath(context.extensionUri, 'dist', 'server.js').fsPath;
  const client = new LanguageClient(
    'onnxStudio.text',
    'ONNX Text',
    { run: { module: serverModule, transport: TransportKind.ipc }, debug: { module: serverModule, transport: TransportKind.ipc } },
    { documentSelector: [{ language: 'onnxtxt' }], outputChannel: output },
  );
  void client.start();
  context.subscriptions.push(
    client,
    vscode.commands.registerCommand('onnxStudio.openAsText', (uri?: vscode.Uri) => openAsText(uri, output)),
    vscode.commands.registerCommand('onnxStudio.saveAsModel', (uri?: vscode.Uri) => saveAsModel(uri ?? vscode.window.activeTextEditor?.document.uri)),
  );
  return client;
}

/** Prints the model beside it as NAME.onnxtxt (large tensors refer to the model's bytes); untitled if that name is taken. */
async function openAsText(uri: vscode.Uri | undefined, output: vscode.OutputChannel): Promise<void> {
  if (!uri || uri.scheme !== 'file') {
    void vscode.window.showErrorMessage('ONNX Studio: choose an .onnx file on disk.');
    return;
  }
  let text: string;
  try {
    const model = openModel(uri.fsPath);
    try {
      const printed = printModel(model.proto, { modelLocation: basename(uri.fsPath) });
      text = printed.text;
      if (printed.dropped.length) output.appendLine(`${uri.fsPath}: the text syntax leaves out ${printed.dropped.join(', ')}`);
    } finally {
      model.close();
    }
  } catch (e) {
    void vscode.window.showErrorMessage(`ONNX Studio: ${(e as Error).message}`);
    return;
  }
  const target = uri.fsPath.replace(/\.onnx$/i, '') + '.onnxtxt';
  if (!existsSync(target)) {
    writeFileSync(target, text);
    await vscode.window.showTextDocument(vscode.Uri.file(target));
  } else {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument({ language: 'onnxtxt', content: text }));
  }
}

/** Compiles the ONNX text to a binary model, reading referenced weights back in. */
async function saveAsModel(uri: vscode.Uri | undefined): Promise<void> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri?.toString());
  if (!doc || doc.languageId !== 'onnxtxt') {
    void vscode.window.showErrorMessage('ONNX Studio: open an ONNX text (.onnxtxt) document first.');
    return;
  }
  const src = doc.getText();
  const { model, diagnostics } = parseModel(src);
  if (diagnostics.length) {
    const p = positionAt(src, diagnostics[0]!.start);
    void vscode.window.showErrorMessage(`ONNX Studio: line ${p.line + 1}: ${diagnostics[0]!.message}`);
    return;
  }
  const target = await vscode.window.showSaveDialog({ defaultUri: doc.uri.with({ path: doc.uri.path.replace(/\.onnxtxt$/i, '') + '.onnx' }), filters: { ONNX: ['onnx'] } });
  if (!target) return;
  const external = [...allTensors(model)].some((t) => t.data_location === 1);
  const keep = external && (await vscode.window.showQuickPick(['Read the weights into the model', 'Keep the external-data references'], { placeHolder: 'The text refers to weights in files' })) === 'Keep the external-data references';
  if (doc.uri.scheme === 'file' && !keep) {
    const files = new DiskModelFiles(doc.uri.fsPath);
    try {
      inlineExternalData(model, files);
    } catch (e) {
      void vscode.window.showErrorMessage(`ONNX Studio: ${(e as Error).message}`);
      return;
    } finally {
      files.close();
    }
  }
  writeFileSync(target.fsPath, encodeModelBytes(model));
  void vscode.window.showInformationMessage(`ONNX Studio: saved ${target.fsPath}`);
}
