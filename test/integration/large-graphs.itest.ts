// Opening large graphs in the real editor: every node reaches the webview and a frame is painted.
// The time from the open command to the first painted frame is printed (the figures of
// DESIGN.md §4 are measured by scripts/bench-editor.sh, not asserted here: a loaded machine
// must not fail the tests).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { openModel } from '../../src/onnx/open';
import { openGraph } from './helpers';

describe('large graphs in VS Code', () => {
  for (const size of ['10k', '100k']) {
    for (const kind of ['flat', 'ns']) {
      it(`${kind} ${size}: opens, every node reaches the webview, a frame is painted`, async () => {
        const path = join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, '..', 'bench', `net-${kind}-${size}.onnx`);
        assert.ok(existsSync(path), `${path}: run node scripts/gen-networks.mjs`);
        const start = Date.now();
        const { info } = await openGraph(path);
        const ms = Date.now() - start;
        console.log(`  net-${kind}-${size}: ${info.opNodes} nodes, ${info.items} drawn, first paint ${ms} ms after the open command (layout ${info.layoutMs.toFixed(0)} ms)`);
        await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
        const model = openModel(path);
        assert.equal(info.opNodes, model.graph.nodes.length);
        model.close();
        assert.ok(info.items > 0);
      });
    }
  }
});
