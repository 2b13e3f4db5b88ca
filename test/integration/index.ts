// Entry point the VS Code extension host calls (extensionTestsPath): runs the bundled
// *.itest.js files next to this one with mocha and reports failures by rejecting. A run with no
// tests, or with skipped ones, fails too: a suite that ran nothing has not passed.
// ONNX_STUDIO_ITEST_GREP picks tests by title (scripts/bench-editor.sh runs the large graphs only).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import Mocha from 'mocha';
import * as vscode from 'vscode';
import { ui } from './helpers';

export function run(): Promise<void> {
  // The timeout is a hang guard only: a loaded machine may take long, a hung test takes forever.
  const mocha = new Mocha({
    ui: 'bdd', timeout: 300_000, color: false, reporter: 'spec', grep: process.env.ONNX_STUDIO_ITEST_GREP,
    rootHooks: {
      // Each test begins with no editor open; one that failed leaves what the workbench
      // showed then as out/itest-artifacts/TITLE.png.
      async afterEach(this: Mocha.Context) {
        if (this.currentTest?.state === 'failed' && process.env.ONNX_STUDIO_UI_BRIDGE) await ui({ action: 'screenshot', name: this.currentTest.fullTitle() });
        await vscode.commands.executeCommand('workbench.action.closeQuickOpen');
        await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      },
    },
  });
  for (const f of readdirSync(__dirname).filter((f) => f.endsWith('.itest.js')).sort()) mocha.addFile(join(__dirname, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const { passes = 0, pending = 0 } = runner.stats ?? {};
      console.log(`${passes} passed, ${failures} failed, ${pending} skipped`);
      if (failures > 0) reject(new Error(`${failures} integration tests failed`));
      else if (pending > 0) reject(new Error(`${pending} integration tests were skipped`));
      else if (passes === 0) reject(new Error('no integration test ran'));
      else resolve();
    });
  });
}
