// TensorRT compatibility in the real VS Code (issue 9, point 3): "Check TensorRT Compatibility"
// on a dynamic-INT8 model lists exactly the nodes the CLI finds unsupported or conditional in
// the Problems panel (on the .onnx file, each node named) and in the overlay's findings table,
// unsupported first; every node is painted; a row reveals its node. The reference is the CLI
// run here as a separate process on the same file.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TrtCheckResult } from '../../src/analysis/tensorrt/compat';
import type { TrtCheckOutcome } from '../../src/extension/tensorrt-check-command';
import { graphEditor, scratchFolder, ui, until } from './helpers';

const EXTENSION_ID = 'onnx-studio.onnx-studio';
const CLS = 'ch_ppocr_mobile_v2.0_cls_infer.onnx';

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const script = join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
  const r = spawnSync(process.execPath, [script, ...args], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

interface Table {
  title: string | null;
  painted: number;
  rows: { node: string; note: string }[];
}

const READ_TABLE = `const section = document.getElementById('overlay');
  return { title: section.querySelector('h3')?.textContent ?? null, painted: (window.onnxStudio.view.paint?.fill ?? []).filter(Boolean).length,
    rows: [...section.querySelectorAll('tbody tr')].map((tr) => ({ node: tr.dataset.node, note: tr.cells[3].textContent })) };`;

describe('TensorRT compatibility: the Problems panel and the overlay', () => {
  it('a dynamic-INT8 model: exactly the CLI’s findings, errors for unsupported nodes, the findings table unsupported first, a row reveals its node', async () => {
    const provider = await graphEditor();
    const dir = join(scratchFolder(), 'trt');
    mkdirSync(dir);
    const float = join(dir, 'cls.onnx');
    const model = join(dir, 'cls.dynamic.onnx');
    copyFileSync(join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, CLS), float);
    assert.equal(cli(['quantize', float, '--mode', 'dynamic', '-o', model]).code, 0);
    const settings = vscode.workspace.getConfiguration('onnxStudio.tensorrt');
    await settings.update('version', '10', vscode.ConfigurationTarget.Global);
    let outcome: TrtCheckOutcome;
    try {
      outcome = (await vscode.commands.executeCommand('onnxStudio.checkTensorRT', vscode.Uri.file(model))) as TrtCheckOutcome;
    } finally {
      await settings.update('version', undefined, vscode.ConfigurationTarget.Global);
    }
    const reference = cli(['trt-check', model, '--trt', '10', '--json']);
    assert.equal(reference.code, 1);
    const expected = JSON.parse(reference.stdout) as TrtCheckResult;
    assert.equal(outcome?.kind, 'checked', JSON.stringify(outcome));
    assert.deepEqual((outcome as { check: TrtCheckResult }).check.nodes, expected.nodes);

    const flagged = expected.nodes.filter((n) => n.status !== 'supported');
    assert.ok(flagged.some((n) => n.op === 'ConvInteger'));
    const uri = vscode.Uri.file(model);
    const diagnostics = await until('the findings in the Problems panel', () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length === flagged.length ? d : undefined;
    });
    const byNode = new Map(diagnostics.map((d) => [String(d.code), d]));
    for (const n of flagged) {
      const d = byNode.get(n.id);
      assert.ok(d, `a problem for ${n.id}`);
      assert.equal(d.severity, n.status === 'unsupported' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      assert.ok(d.message.includes(`${n.op} '${n.name || n.id}'`), d.message);
    }

    // Only the model's graph stays visible (the bridge reads the visible webview).
    const others = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => !(t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === uri.toString()));
    await vscode.window.tabGroups.close(others);
    await until('the model to render', () => provider.rendered.get(uri.toString()), 90_000);
    const table = await until('the findings table', async () => {
      const t = await ui<Table>({ action: 'webviewEval', body: READ_TABLE }).catch(() => undefined);
      return t && t.rows.length === flagged.length ? t : undefined;
    }, 60_000);
    assert.equal(table.title, 'TensorRT 10.1 compatibility');
    assert.ok(table.painted > flagged.length, `${table.painted} nodes painted`);
    assert.deepEqual(new Set(table.rows.map((r) => r.node)), new Set(flagged.map((n) => n.id)));
    const firstConditional = table.rows.findIndex((r) => r.note !== 'TRT ✗');
    assert.ok(firstConditional === -1 || table.rows.slice(firstConditional).every((r) => r.note !== 'TRT ✗'), 'unsupported nodes first');

    // A row whose id no other id contains (the click matches by text).
    const first = table.rows.find((r) => table.rows.filter((o) => o.node.includes(r.node)).length === 1)!.node;
    await ui({ action: 'webviewClick', selector: '#overlay tbody button', hasText: first });
    await until('the node to be selected', async () => {
      const s = await ui<string | null>({ action: 'webviewEval', body: 'const v = window.onnxStudio.view; return v.items[v.selected]?.sublabel ?? null;' });
      return s === first ? s : undefined;
    });
  });
});
