// A re-export on disk reloads the open editor, which keeps the selection where the node still exists.
import assert from 'node:assert/strict';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { graphEditor, until } from './helpers';
import { openModel, encodeModelBytes } from '../../src/onnx/open';


describe('reload on change', () => {
  it('re-renders after the file is rewritten and keeps the selected node', async () => {
    const folder = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    const source = join(folder, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
    const path = join(folder, '..', 'reload-test.onnx');
    copyFileSync(source, path);
    const provider = await graphEditor();
    const uri = vscode.Uri.file(path);
    const key = uri.toString();
    try {
      await vscode.commands.executeCommand('vscode.openWith', uri, 'onnxStudio.graph');
      await until('first render', () => provider.rendered.get(key));
      const model = openModel(path);
      const target = model.graph.nodes.find((n) => n.opType === 'Conv')!.id;
      provider.reveal(uri, target);
      await until('selection reported', () => (provider.states.get(key)?.selected === target ? true : undefined));
      // A re-export: the same graph written anew.
      const proto = model.proto;
      proto.producer_name = 're-exported';
      const bytes = encodeModelBytes(proto);
      model.close();
      provider.rendered.delete(key);
      writeFileSync(path, bytes);
      const info = await until('render after the change', () => provider.rendered.get(key));
      assert.equal(info.graphId, '');
      assert.equal(provider.states.get(key)?.selected, target);
      assert.match(provider.documents.get(key)?.info?.producer ?? '', /^re-exported\b/);
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
      rmSync(path, { force: true });
    }
  });
});
