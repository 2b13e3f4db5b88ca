// Inside the real extension host: the extension activates, its commands exist, and opening real
// models with vscode.openWith renders the same node counts the core reports.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as vscode from 'vscode';
import { openModel } from '../../src/onnx/open';
import { graphEditor, until } from './helpers';

const EXTENSION_ID = 'onnx-studio.onnx-studio';



const folder = (): string => vscode.workspace.workspaceFolders![0]!.uri.fsPath;
const models = (): string[] => readdirSync(folder()).filter((f) => f.endsWith('.onnx')).sort().map((f) => join(folder(), f));

const MODE = process.env.ONNX_STUDIO_TEST_MODE ?? 'development';

describe(`ONNX Studio in VS Code (${MODE})`, () => {
  it('runs where it was asked to: installed .vsix, development folder, or untrusted workspace', () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const source = resolve(folder(), '..', '..');
    if (MODE === 'vsix') assert.notEqual(resolve(ext.extensionPath), source, 'the installed .vsix, not the source folder');
    else assert.equal(resolve(ext.extensionPath), source);
    assert.equal(vscode.workspace.isTrusted, MODE !== 'untrusted');
  });

  it('activates and registers its commands and editor', async () => {
    await graphEditor();
    const commands = await vscode.commands.getCommands(true);
    for (const c of ['onnxStudio.openGraph', 'onnxStudio.goToNode', 'onnxStudio.inspect']) assert.ok(commands.includes(c), `${c} registered`);
  });

  it('vscode.openWith renders every corpus model with the node count of the core', async () => {
    const p = await graphEditor();
    const paths = models();
    assert.ok(paths.length >= 5, `corpus in ${folder()}`);
    for (const path of paths) {
      const uri = vscode.Uri.file(path);
      p.rendered.delete(uri.toString());
      await vscode.commands.executeCommand('vscode.openWith', uri, 'onnxStudio.graph');
      const info = await until(`${path} to render`, () => p.rendered.get(uri.toString()));
      const model = openModel(path);
      assert.equal(info.opNodes, model.graph.nodes.length, `${path}: webview node count`);
      assert.equal(info.graphId, '');
      model.close();
      console.log(`  ${path.split('/').pop()}: ${info.opNodes} nodes, ${info.items} drawn, layout ${info.layoutMs.toFixed(0)} ms, first paint ${info.firstPaintMs.toFixed(0)} ms`);
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
  });
});
