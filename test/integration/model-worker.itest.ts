// The extension host stays free while models open: each model is read in a worker thread that
// ends when its editor closes; the language server does not analyse texts past its size bound.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { graphEditor, until } from './helpers';

const folder = (): string => vscode.workspace.workspaceFolders![0]!.uri.fsPath;

describe('models open in a worker thread', function () {
  this.timeout(300_000);

  it('a timer on the extension host keeps firing while a 1M-node model is read', async () => {
    const path = join(folder(), '..', 'bench', 'net-flat-1m.onnx');
    assert.ok(existsSync(path), `${path}: run node scripts/gen-networks.mjs`);
    const provider = await graphEditor();
    const uri = vscode.Uri.file(path);
    const key = uri.toString();
    // Counts the host's timer ticks that fall while the document exists and its model is not read yet.
    // The old loader read the model inside openCustomDocument, so no tick could fall there.
    let ticksWhileReading = 0;
    const timer = setInterval(() => {
      const doc = provider.documents.get(key);
      if (doc && !doc.info && !doc.error) ticksWhileReading++;
    }, 5);
    try {
      await vscode.commands.executeCommand('vscode.openWith', uri, 'onnxStudio.graph');
      const doc = await until('the document', () => provider.documents.get(key));
      await until('the model read', () => (doc.info || doc.error ? true : undefined), 240_000);
      assert.equal(doc.error, undefined);
      assert.equal(doc.info?.nodeCount, 1_000_000);
    } finally {
      clearInterval(timer);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
    assert.ok(ticksWhileReading > 0, 'the extension host ran timers while the model was read');
  });

  it('closing the editor ends its worker', async () => {
    const provider = await graphEditor();
    const uri = vscode.Uri.file(join(folder(), 'ch_ppocr_mobile_v2.0_cls_infer.onnx'));
    const key = uri.toString();
    await vscode.commands.executeCommand('vscode.openWith', uri, 'onnxStudio.graph');
    await until('render', () => provider.rendered.get(key));
    const worker = provider.documents.get(key)!.worker!;
    assert.equal(worker.hasExited, false);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    await until('the worker to end', () => (worker.hasExited ? true : undefined));
    assert.equal(provider.documents.has(key), false);
  });

  it('the language server answers a text past its size bound with one diagnostic instead of analysing it', async () => {
    const content = `<\n ir_version: 8,\n opset_import: ["" : 17]\n>\ng (float[2] X) => (float[2] Y)\n{\n${'  Y = Relu(X)\n'.repeat(80_000)}}\n`;
    const doc = await vscode.workspace.openTextDocument({ language: 'onnxtxt', content });
    await vscode.window.showTextDocument(doc);
    const diags = await until('the size diagnostic', () => {
      const d = vscode.languages.getDiagnostics(doc.uri);
      return d.length ? d : undefined;
    });
    assert.equal(diags.length, 1);
    assert.match(diags[0]!.message, /more than the 1,000,000 the language server analyses/);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
