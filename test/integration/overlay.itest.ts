// The quantization-error overlay (issue 8, point 6) in the real VS Code: a static quantize with a
// cosine target, run through the command, paints each node's output SNR on the new model's
// graph; its table shows exactly the report's nodeSnrDb, a row reveals its node, and
// "Clear Overlay" removes it.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TransformOutcome } from '../../src/extension/transform-commands';
import type { TransformReport } from '../../src/optimize/report';
import { graphEditor, openGraph, python, renderedOnce, ROOT, scratchFolder, ui, until } from './helpers';

const CLS = 'ch_ppocr_mobile_v2.0_cls_infer.onnx';
const CALIB = join(ROOT, '.cache', 'data', 'ocr-cls', 'calib');

interface TableRow {
  node: string;
  op: string;
  value: string | null;
  text: string[];
}

const READ_TABLE = `const section = document.getElementById('overlay');
  return { hidden: section.hidden, title: section.querySelector('h3')?.textContent ?? null,
    painted: (window.onnxStudio.view.paint?.fill ?? []).filter(Boolean).length,
    rows: [...section.querySelectorAll('tbody tr')].map((tr) => ({ node: tr.dataset.node, op: tr.cells[1].textContent, value: tr.dataset.value ?? null, text: [...tr.cells].map((c) => c.textContent) })) };`;

/** The overlay's table once it lists `count` nodes, each found in the model (its op known). */
async function fullTable(count: number): Promise<{ hidden: boolean; title: string | null; painted: number; rows: TableRow[] }> {
  return until('the overlay table with every node', async () => {
    const t = await ui<{ hidden: boolean; title: string | null; painted: number; rows: TableRow[] }>({ action: 'webviewEval', body: READ_TABLE }).catch(() => undefined);
    return t && t.rows.length === count && t.rows.every((r) => r.op !== '—') ? t : undefined;
  }, 60_000);
}

describe('overlays: the quantization error of an accuracy-aware static quantize, painted on the new model', () => {
  it('the new model’s view shows the report’s per-node SNR in its table and colours; a row reveals its node; Clear Overlay removes it', async () => {
    const provider = await graphEditor();
    const dir = scratchFolder();
    mkdirSync(join(dir, 'overlay'));
    const model = join(dir, 'overlay', 'cls.onnx');
    copyFileSync(join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, CLS), model);
    const settings = vscode.workspace.getConfiguration('onnxStudio.quantize');
    // A target this tight makes the search measure every node and keep some in float.
    await settings.update('targetCosine', 0.99995, vscode.ConfigurationTarget.Global);
    let report: TransformReport;
    try {
      const outcome = (await vscode.commands.executeCommand('onnxStudio.quantizeStatic', vscode.Uri.file(model), { preset: 'cpu', calib: CALIB })) as TransformOutcome;
      assert.equal(outcome?.kind, 'report', JSON.stringify(outcome));
      report = (outcome as { report: TransformReport }).report;
    } finally {
      await settings.update('targetCosine', undefined, vscode.ConfigurationTarget.Global);
    }
    const snr = report.nodeSnrDb!;
    assert.ok(Object.keys(snr).length > 10, 'the report measured per-node SNR');
    const output = vscode.Uri.file(report.output);
    // Only the new model's webview stays visible (the bridge reads the visible one).
    const others = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => !(t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === output.toString()));
    await vscode.window.tabGroups.close(others);
    await renderedOnce(provider, output);
    const expected = new Set([...Object.keys(snr), ...report.keptFloat]);
    const table = await fullTable(expected.size);
    assert.equal(table.hidden, false);
    assert.equal(table.title, 'Quantization error (output SNR)');
    assert.ok(table.painted > 10, `${table.painted} nodes coloured`);
    const byNode = new Map(table.rows.map((r) => [r.node, r]));
    for (const [id, value] of Object.entries(snr)) {
      const row = byNode.get(id);
      assert.ok(row, `a row for ${id}`);
      // The CLI's Infinity (an exact output) is null in its JSON: no value.
      assert.equal(row.value === null ? null : Number(row.value), value === null ? null : value, id);
      if (value !== null) assert.equal(row.text[2], value.toFixed(2));
    }
    for (const id of report.keptFloat) assert.equal(byNode.get(id)?.text[3], 'float', id);
    // Sorted by value, worst first.
    const values = table.rows.map((r) => r.value).filter((v): v is string => v !== null).map(Number);
    assert.deepEqual(values, [...values].sort((a, b) => a - b));

    // A row reveals and selects its node (the worst one).
    const worst = table.rows[0]!.node;
    await ui({ action: 'webviewClick', selector: '#overlay tbody button', hasText: worst });
    const selected = await until('the node to be selected', async () => {
      const s = await ui<string | null>({ action: 'webviewEval', body: 'const v = window.onnxStudio.view; return v.items[v.selected]?.sublabel ?? null;' });
      return s === worst ? s : undefined;
    });
    assert.equal(selected, worst);

    // A webview that reloads gets the overlay again from the host.
    await vscode.commands.executeCommand('workbench.action.webview.reloadWebviewAction');
    assert.deepEqual((await fullTable(expected.size)).rows, table.rows);

    await vscode.commands.executeCommand('onnxStudio.clearOverlay', output);
    const cleared = await until('the overlay to go', async () => {
      const t = await ui<{ hidden: boolean; painted: number; rows: TableRow[] }>({ action: 'webviewEval', body: READ_TABLE });
      return t.hidden ? t : undefined;
    });
    assert.equal(cleared.painted, 0);
    assert.deepEqual(cleared.rows, []);
  });

  it('hostile node names in an overlay are text: no markup from them in the table, each name shown as it is', async () => {
    const dir = scratchFolder();
    python('make_models.py', [dir]);
    const names = JSON.parse(readFileSync(join(dir, 'hostile-names.json'), 'utf8')) as string[];
    const { uri, key, provider } = await openGraph(join(dir, 'hostile.onnx'));
    // The node ids (DESIGN.md §2: the names, escaped where they hold '/'); the label and the why carry the raw names.
    const list = await provider.documents.get(key)!.request('nodes/list', {});
    const ids = names.map((name) => list.id[list.name.indexOf(name)]!);
    const nodes = Object.fromEntries(names.map((name, i) => [ids[i]!, { value: i, label: name.slice(0, 40), detail: name }]));
    provider.setOverlay(uri, { id: 'hostile', title: names[0]!, kind: 'metric', unit: names[1], nodes, unmapped: [names[0]!] });
    const facts = await until('the table of every node', async () => {
      const f = await ui<{ rows: TableRow[]; elements: string[]; title: string; titles: string[] }>({
        action: 'webviewEval',
        body: `const section = document.getElementById('overlay');
          return { rows: [...section.querySelectorAll('tbody tr')].map((tr) => ({ node: tr.dataset.node, op: tr.cells[1].textContent, value: tr.dataset.value ?? null, text: [...tr.cells].map((c) => c.textContent) })),
            elements: [...new Set([...section.querySelectorAll('*')].map((e) => e.localName))].sort(), title: section.querySelector('h3')?.textContent ?? null, titles: [...section.querySelectorAll('tbody tr')].map((tr) => tr.title) };`,
      });
      return f.rows.length === names.length && f.rows.every((r) => r.op === 'Relu') ? f : undefined;
    });
    assert.deepEqual(facts.elements, ['button', 'canvas', 'div', 'h3', 'input', 'label', 'p', 'span', 'table', 'tbody', 'td', 'th', 'thead', 'tr'], 'only the table’s own elements');
    assert.equal(facts.title, names[0]);
    assert.deepEqual(facts.rows.map((r) => r.node).sort(), [...ids].sort());
    for (const r of facts.rows) assert.equal(r.text[0], r.node);
    assert.deepEqual([...facts.titles].sort(), [...names].sort(), 'the why, as the row’s tooltip');
  });
});
