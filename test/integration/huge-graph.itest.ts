// A million-node graph: the editor opens, says the level is too large to draw, and stays usable.
// (How long it takes is measured by `npm run bench`, not asserted here.)
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { graphEditor, until } from './helpers';

describe('a 1M-node graph', function () {
  this.timeout(300_000);

  it('opens with a message instead of a drawing, and the editor still answers', async () => {
    const path = join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, '..', 'bench', 'net-flat-1m.onnx');
    assert.ok(existsSync(path), `${path}: run node scripts/gen-networks.mjs`);
    const provider = await graphEditor();
    const uri = vscode.Uri.file(path);
    try {
      const start = Date.now();
      await vscode.commands.executeCommand('vscode.openWith', uri, 'onnxStudio.graph');
      const info = await until('the first render', () => provider.rendered.get(uri.toString()), 240_000);
      console.log(`  1M nodes: first paint ${Date.now() - start} ms after the open command, ${info.items} items drawn`);
      assert.equal(info.items, 2, 'the graph input and output');
      assert.equal(provider.documents.get(uri.toString())?.info?.nodeCount, 1_000_000);
      // The extension host still answers commands.
      assert.ok((await vscode.commands.getCommands(true)).includes('onnxStudio.goToNode'));
    } finally {
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
  });
});
