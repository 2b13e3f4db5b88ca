import { homedir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind } from 'vscode-languageclient/node';
import type { ReferenceChoice, TextError } from '../onnx/text/compile';
import type { ModelWorkerMethod, ModelWorkerRequests } from '../protocol/model-worker';
import { ModelWorker } from './model-worker-client';

/**
 * Arguments of `onnxStudio.saveAsModel` beyond the text's Uri, so it can run without dialogs
 * (tests, other commands): where to write, and what to do with external-data references.
 */
export interface SaveAsModelOptions {
  target?: vscode.Uri;
  references?: ReferenceChoice;
}

/** What `onnxStudio.saveAsModel` resolves to: the written file and what was done, an error, or undefined when cancelled. */
export type SaveAsModelResult = { written: string; notes: string[] } | { error: string } | undefined;

/** Unsaved texts printed from a model: their references are relative to the model's folder. */
const untitledFolders = new Map<string, string>();

/** dist/model-worker.js: printing and compiling run there, never on the extension host's event loop. */
let workerScript = '';

/** One request to a model worker of its own, ended afterwards. */
async function inWorker<M extends ModelWorkerMethod>(method: M, params: ModelWorkerRequests[M]['params']): Promise<ModelWorkerRequests[M]['result']> {
  const worker = new ModelWorker(workerScript);
  try {
    return await worker.request(method, params);
  } finally {
    void worker.terminate();
  }
}

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
  workerScript = vscode.Uri.joinPath(context.extensionUri, 'dist', 'model-worker.js').fsPath;
  context.subscriptions.push(
    client,
    vscode.commands.registerCommand('onnxStudio.openAsText', (uri?: vscode.Uri) => openAsText(uri, output)),
    vscode.commands.registerCommand('onnxStudio.saveAsModel', (uri?: vscode.Uri, options?: unknown) =>
      saveAsModel(uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri, saveOptions(options), output),
    ),
    vscode.workspace.onDidCloseTextDocument((d) => untitledFolders.delete(d.uri.toString())),
  );
  return client;
}

/** Menus pass other things as the second argument (e.g. the selected Uris); only a real options object counts. */
function saveOptions(value: unknown): SaveAsModelOptions {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return {};
  const o = value as Record<string, unknown>;
  return {
    target: o.target instanceof vscode.Uri ? o.target : undefined,
    references: o.references === 'inline' || o.references === 'keep' ? o.references : undefined,
  };
}

/** Prints the model beside it as NAME.onnxtxt (large tensors refer to the model's bytes); an unsaved text if that name is taken. */
async function openAsText(uri: vscode.Uri | undefined, output: vscode.OutputChannel): Promise<void> {
  if (!uri || uri.scheme !== 'file') {
    void vscode.window.showErrorMessage('ONNX Studio: choose an .onnx file on disk.');
    return;
  }
  const modelPath = uri.fsPath;
  const target = join(dirname(modelPath), basename(modelPath).replace(/\.onnx$/i, '') + '.onnxtxt');
  const printed = await inWorker('text/print', { path: modelPath, textPath: target });
  if (!printed.ok) {
    void vscode.window.showErrorMessage(`ONNX Studio: ${printed.problem}`);
    return;
  }
  for (const note of printed.notes) output.appendLine(`${modelPath}: ${note}`);
  if (printed.dropped.length) output.appendLine(`${modelPath}: the text syntax leaves out ${printed.dropped.join(', ')}`);
  if (printed.notWritten === undefined) {
    await vscode.window.showTextDocument(vscode.Uri.file(target));
    return;
  }
  output.appendLine(`${target}: not written (${printed.notWritten}); opened as an unsaved text`);
  const text = printed.text;
  const doc = await vscode.workspace.openTextDocument({ language: 'onnxtxt', content: text });
  untitledFolders.set(doc.uri.toString(), dirname(modelPath));
  await vscode.window.showTextDocument(doc);
}

/**
 * Compiles the ONNX text to a binary model through the one compile flow (src/onnx/text/compile.ts):
 * referenced weights read in or the references kept (rebased or refused), written atomically,
 * never over the text or a file it refers to.
 */
async function saveAsModel(uri: vscode.Uri | undefined, options: SaveAsModelOptions, output: vscode.OutputChannel): Promise<SaveAsModelResult> {
  const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri?.toString()) ?? (uri?.scheme === 'file' ? await vscode.workspace.openTextDocument(uri) : undefined);
  if (!doc || doc.languageId !== 'onnxtxt') return fail('open an ONNX text (.onnxtxt) document first.');
  const textPath = doc.uri.scheme === 'file' ? doc.uri.fsPath : undefined;
  const referenceFolder = textPath ? dirname(textPath) : untitledFolders.get(doc.uri.toString());
  const text = doc.getText();
  const found = await inWorker('text/references', { text, folder: referenceFolder });
  if (!found.ok) return fail('errors' in found ? textErrors(found.errors) : `${found.problem}.`);
  const refs = found.files;
  const target = options.target ?? (await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(proposedTarget(textPath ?? join(referenceFolder ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? homedir(), basename(doc.uri.path)), refs)), filters: { ONNX: ['onnx'] } }));
  if (!target) return undefined;
  let references = options.references ?? 'inline';
  if (!options.references && refs.length) {
    const keepLabel = 'Keep the external-data references';
    const choice = await vscode.window.showQuickPick(['Read the weights into the model', keepLabel], { placeHolder: `The text refers to weights in ${refs.map((r) => basename(r)).join(', ')}` });
    if (!choice) return undefined;
    references = choice === keepLabel ? 'keep' : 'inline';
  }
  const result = await inWorker('text/compile', { text, textPath, referenceFolder, target: target.fsPath, references });
  if (!result.ok) return fail('errors' in result ? textErrors(result.errors) : result.problem);
  for (const note of result.notes) output.appendLine(`${target.fsPath}: ${note}`);
  void vscode.window.showInformationMessage(`ONNX Studio: saved ${target.fsPath}${result.notes.length ? ` (${result.notes.join('; ')})` : ''}`);
  return { written: target.fsPath, notes: result.notes };
}

/** The first error of a text with its line and column, and how many more there are. */
function textErrors(errors: TextError[]): string {
  const first = errors[0]!;
  return `line ${first.line}, column ${first.column}: ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more errors)` : ''}`;
}

function fail(message: string): SaveAsModelResult {
  void vscode.window.showErrorMessage(`ONNX Studio: ${message}`);
  return { error: message };
}

/** NAME.onnx beside the text (an unsaved one: in the folder its references are relative to), unless that is the text or a file it refers to: then NAME.compiled.onnx (or -2, -3, …). */
function proposedTarget(textPath: string, refs: string[]): string {
  const base = textPath.replace(/\.onnxtxt$/i, '');
  const taken = new Set([...refs, textPath]);
  for (const candidate of [`${base}.onnx`, `${base}.compiled.onnx`, ...Array.from({ length: 98 }, (_, i) => `${base}.compiled-${i + 2}.onnx`)]) {
    if (!taken.has(candidate)) return candidate;
  }
  return `${base}.compiled.onnx`;
}
