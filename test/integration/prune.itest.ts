// "Prune…" from the editor (issue 11, points 4–5), in the real VS Code: the quick picks hand the
// CLI their choices, the report view shows its JSON (parameters, sparsity, the per-layer table,
// the layers left and why, the recipe), MODEL.pruned.onnx opens beside the old model; cancel
// and refusals leave nothing; the sensitivity scan is painted on the graph. The reference is the
// CLI itself, run here as a separate process on a copy of the same model.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { TransformOutcome } from '../../src/extension/transform-commands';
import type { SensitivityScan } from '../../src/optimize/prune/types';
import type { TransformReport } from '../../src/optimize/report';
import type { RenderedReport } from '../../src/protocol/report-view';
import { openGraph, python, renderedOnce, ROOT, runAnswering, scratchFolder, ui, until } from './helpers';
import { api, assertShows, cli, cliMessageLines, copyInto, graphTab, leftovers } from './transform-helpers';

const RESNET18 = join(ROOT, '.cache', 'models', 'resnet18.onnx');

/** The pruning part of the view against the JSON report: exact values, names as text. */
function assertPruneShows(rendered: RenderedReport, report: TransformReport): void {
  const p = report.prune!;
  const value = (key: string): unknown => {
    assert.ok(rendered.cells[key], `the view shows ${key}`);
    return JSON.parse(rendered.cells[key]!.value);
  };
  assert.equal(value('parametersBefore'), report.parametersBefore);
  assert.equal(value('parametersAfter'), report.parametersAfter);
  assert.equal(value('sparsity'), report.sparsity);
  assert.equal(value('prune.method'), p.method);
  p.prunedLayers.forEach((l, i) => {
    const key = `prune.prunedLayers.${i}`;
    assert.equal(rendered.cells[`${key}.node`]?.text, l.node);
    assert.equal(rendered.cells[`${key}.weight`]?.text, l.weight);
    assert.equal(value(`${key}.sparsity`), l.sparsity);
    assert.equal(value(`${key}.zeros`), l.zeros);
    assert.deepEqual(value(`${key}.elements`), [l.elementsBefore, l.elementsAfter]);
    if (l.channelsBefore !== undefined) assert.deepEqual(value(`${key}.channels`), [l.channelsBefore, l.channelsAfter]);
  });
  assert.equal(Object.keys(rendered.cells).filter((k) => /^prune\.prunedLayers\.\d+\.node$/.test(k)).length, p.prunedLayers.length);
  p.skippedLayers.forEach((s, i) => assert.equal(rendered.cells[`prune.skippedLayers.${i}`]?.text, `${s.node} (${s.opType}): ${s.reason}`));
  assert.equal(Object.keys(rendered.cells).filter((k) => k.startsWith('prune.skippedLayers.')).length, p.skippedLayers.length);
  assert.equal(rendered.cells['prune.recipe']?.text, p.recipe);
  assert.equal(rendered.cells['prune.note']?.text, p.note);
  p.sensitivity?.units.forEach((u, i) => {
    assert.equal(rendered.cells[`prune.sensitivity.units.${i}.id`]?.text, u.id);
    assert.equal(value(`prune.sensitivity.units.${i}.chosen`), u.chosen);
    u.cosine.forEach((c, k) => assert.equal(value(`prune.sensitivity.units.${i}.cosine.${k}`), c));
  });
}

interface UnitRow {
  name: string;
  nodes: string[];
  values: (number | null)[];
  enabled: boolean;
}

/** The overlay's unit table in the visible graph, once it has `count` rows. */
async function unitTable(count: number): Promise<{ title: string | null; painted: number; rows: UnitRow[]; hacked: unknown; images: number }> {
  return until('the sensitivity table', async () => {
    const t = await ui<{ title: string | null; painted: number; rows: UnitRow[]; hacked: unknown; images: number }>({
      action: 'webviewEval',
      body: `const section = document.getElementById('overlay');
        return { title: section.querySelector('h3')?.textContent ?? null, painted: (window.onnxStudio.view.paint?.fill ?? []).filter(Boolean).length,
          rows: [...section.querySelectorAll('.layer-table tbody tr')].map((tr) => ({ name: tr.dataset.layer, nodes: tr.dataset.nodes.split('\\n').filter(Boolean),
            values: [...tr.cells].slice(1).map((c) => c.dataset.value === undefined ? null : Number(c.dataset.value)), enabled: !tr.querySelector('button').disabled })),
          hacked: window.hacked ?? null, images: document.querySelectorAll('img').length };`,
    }).catch(() => undefined);
    return t && t.rows.length === count ? t : undefined;
  }, 60_000);
}

describe('Prune… from the editor: quick picks, the CLI’s report in the view, the pruned model beside', () => {
  let dir: string;
  before(() => {
    dir = scratchFolder();
    python('prune_models.py', [dir]);
  });

  it('the explorer’s context menu on an .onnx file offers Prune… after the other transforms', async () => {
    await vscode.commands.executeCommand('workbench.view.explorer');
    const want = ['Quantize (INT8, dynamic)', 'Quantize (INT8, static)…', 'Convert to FP16', 'Prune…'];
    const labels = await until('the menu items', async () => {
      const shown = await ui<string[]>({ action: 'explorerMenu', file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx' });
      return want.every((w) => shown.includes(w)) ? shown : undefined;
    }, 60_000);
    assert.deepEqual(labels.filter((l) => want.includes(l)), want);
  });

  it('a saved pruning report: the view draws its pruning part with names as text; the scan is painted on the model, a unit per row', async () => {
    const { reports, provider } = await api();
    const model = copyInto(dir, 'saved', 'cls.pruned.onnx');
    // The classifier's own Conv node ids, as the editor lists them (the CLI's node ids, DESIGN.md §2).
    const { key } = await openGraph(model);
    const list = await provider.documents.get(key)!.request('nodes/list', {});
    const convs = list.id.filter((_, i) => list.op[i] === 'Conv');
    assert.ok(convs.length > 10, `${convs.length} Convs`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const hostile = JSON.parse(readFileSync(join(dir, 'hostile-convs.json'), 'utf8')) as string[];
    const sensitivity: SensitivityScan = {
      targetCosine: 0.95,
      ratios: [0.25, 0.5],
      units: [
        { id: convs[1]!, nodes: [convs[1]!, convs[2]!], parameters: 4608, cosine: [0.999, 0.97], chosen: 0.5 },
        { id: convs[3]!, nodes: [convs[3]!], parameters: 2304, cosine: [0.96, 0.8], chosen: 0.25 },
        { id: hostile[0]!, nodes: [hostile[0]!], parameters: 9, cosine: [0.5, 0.1], chosen: 0 },
      ],
      cosineChosen: 0.955,
    };
    const report: TransformReport = {
      transform: 'prune', input: join(dir, 'saved', 'cls.onnx'), output: model, sizeBefore: 580_000, sizeAfter: 400_000, outputs: [], nodesAdded: 0, nodesChanged: 3,
      keptFloat: [], details: {}, warnings: [hostile[1]!], parametersBefore: 100_000, parametersAfter: 70_000, sparsity: 0,
      prune: {
        method: 'channels',
        prunedLayers: [
          { node: convs[1]!, opType: 'Conv', weight: hostile[2]!, elementsBefore: 4608, elementsAfter: 2304, zeros: 0, sparsity: 0, channelsBefore: 32, channelsAfter: 16, unit: convs[1]! },
          { node: hostile[0]!, opType: 'Conv', weight: 'w', elementsBefore: 10, elementsAfter: 10, zeros: 5, sparsity: 0.5, channelsBefore: 8, channelsAfter: 8 },
        ],
        skippedLayers: [{ node: hostile[1]!, opType: hostile[3]!, reason: `weight produced by ${hostile[2]}` }],
        recipe: join(dir, 'saved', '<b>cls</b>.pruned.recipe.json'),
        note: hostile[3]!,
        sensitivity,
      },
    };
    await vscode.commands.executeCommand('onnxStudio.showTransformReport', report);
    const rendered = await until('the report view to draw', () => reports.rendered.get(model));
    assertPruneShows(rendered, report);
    assert.equal(rendered.cells['warnings.0']?.text, hostile[1]);
    assert.equal(Object.keys(rendered.cells).filter((k) => k.startsWith('keptFloat.')).length, 0);
    for (const tag of ['img', 'script', 'svg', 'b']) assert.equal(rendered.tags[tag] ?? 0, 0, `<${tag}> elements`);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');

    // The graph of the model shows the scan: one row per unit, most sensitive first; the hostile unit names no node.
    await openGraph(model);
    const table = await unitTable(sensitivity.units.length);
    assert.equal(table.title, 'Pruning sensitivity (worst output cosine)');
    assert.deepEqual(table.rows.map((r) => r.name), [hostile[0], convs[3], convs[1]]);
    assert.deepEqual(table.rows[2]!.nodes, [convs[1], convs[2]]);
    assert.deepEqual(table.rows[2]!.values, [0.97, 0.5, 4608]);
    assert.deepEqual(table.rows.map((r) => r.enabled), [false, true, true]);
    assert.equal(table.painted, 3, 'the three Convs of the units coloured');
    assert.equal(table.hacked, null);
    assert.equal(table.images, 0);
  });

  it('channels at 30 % through the picks from the explorer: the CLI with those choices; the view shows its JSON (validated); MODEL.pruned.onnx and its recipe beside, opened beside', async () => {
    const { reports } = await api();
    const model = copyInto(dir, 'channels', 'cls.onnx');
    await openGraph(model);
    const oldGroup = graphTab(model)!.group;
    // The explorer's context menu passes the selected files as the second argument.
    const outcome = (await runAnswering('onnxStudio.prune', [vscode.Uri.file(model), [vscode.Uri.file(model)]], ['channels', '30 %', 'No target'])) as TransformOutcome;
    assert.equal(outcome?.kind, 'report', JSON.stringify(outcome));
    if (outcome?.kind !== 'report') return;
    assert.equal(outcome.command, `onnx-studio prune ${model} --method channels --ratio 0.3 --json`);
    const output = join(dir, 'channels', 'cls.pruned.onnx');
    assert.equal(outcome.report.output, output);
    assert.ok(outcome.report.parametersAfter! < outcome.report.parametersBefore!, 'fewer parameters');
    const rendered = await until('the report view to draw', () => reports.rendered.get(output));
    assertShows(rendered, outcome.report, { latency: true });
    assertPruneShows(rendered, outcome.report);
    // The CLI on its own, same model and flags: the same figures (latency aside) and the same bytes.
    const reference = copyInto(dir, 'channels-cli', 'cls.onnx');
    const ran = cli(['prune', reference, '--method', 'channels', '--ratio', '0.3', '--json']);
    assert.ok(ran.code === 0 || ran.code === 1, ran.stderr);
    const alone = JSON.parse(ran.stdout) as TransformReport;
    assertShows(rendered, { ...alone, output }, { latency: false });
    assert.equal(alone.parametersAfter, outcome.report.parametersAfter);
    assert.ok(readFileSync(output).equals(readFileSync(join(dir, 'channels-cli', 'cls.pruned.onnx'))), 'the extension wrote what the CLI writes');
    const opened = await until('the new model in the graph editor', () => graphTab(output));
    assert.notEqual(opened.group.viewColumn, oldGroup.viewColumn, 'beside the old model, not over it');
    assert.deepEqual(leftovers(join(dir, 'channels'), ['cls.onnx', 'cls.pruned.onnx', 'cls.pruned.report.json', 'cls.pruned.recipe.json']), []);
    assert.equal(outcome.report.prune?.recipe, join(dir, 'channels', 'cls.pruned.recipe.json'));
  });

  it('2:4 asks for no ratio: method and target; every pruned layer at exactly half', async () => {
    const { reports } = await api();
    const model = copyInto(dir, 'two-four', 'resnet18.onnx', RESNET18);
    const outcome = (await runAnswering('onnxStudio.prune', [vscode.Uri.file(model)], ['2:4', 'No target'])) as TransformOutcome;
    assert.equal(outcome?.kind, 'report', JSON.stringify(outcome));
    if (outcome?.kind !== 'report') return;
    assert.equal(outcome.command, `onnx-studio prune ${model} --method 2:4 --json`);
    const rendered = await until('the report view to draw', () => reports.rendered.get(outcome.report.output));
    assertPruneShows(rendered, outcome.report);
    assert.ok(outcome.report.prune!.prunedLayers.length > 10);
    for (const l of outcome.report.prune!.prunedLayers) assert.ok(l.sparsity >= 0.5, `${l.node}: ${l.sparsity}`);
    assert.deepEqual(leftovers(join(dir, 'two-four'), ['resnet18.onnx', 'resnet18.pruned.onnx', 'resnet18.pruned.report.json']), []);
  });

  it('unstructured with a typed share (Other…, 35 %): the CLI gets --ratio 0.35', async () => {
    const model = copyInto(dir, 'typed', 'cls.onnx');
    const done = vscode.commands.executeCommand('onnxStudio.prune', vscode.Uri.file(model)) as Thenable<TransformOutcome>;
    await ui({ action: 'quickInput', text: 'unstructured' });
    await ui({ action: 'quickInput', text: 'Other…' });
    await ui({ action: 'inputBox', placeholder: '0.35 or 35 %', text: '35 %' });
    await ui({ action: 'quickInput', text: 'No target' });
    const outcome = await done;
    assert.equal(outcome?.kind, 'report', JSON.stringify(outcome));
    assert.equal((outcome as { command: string }).command, `onnx-studio prune ${model} --method unstructured --ratio 0.35 --json`);
  });

  it('a target cosine: the scan’s units are painted on the pruned model, each unit’s worst cosine as in the report', async () => {
    const { provider } = await api();
    const model = copyInto(dir, 'scan', 'cls.onnx');
    const outcome = (await runAnswering('onnxStudio.prune', [vscode.Uri.file(model)], ['unstructured', '50 %', '0.95', 'No calibration data'])) as TransformOutcome;
    assert.ok(outcome?.kind === 'report', JSON.stringify(outcome));
    assert.equal(outcome.command, `onnx-studio prune ${model} --method unstructured --ratio 0.5 --target-cosine 0.95 --json`);
    const scan = outcome.report.prune?.sensitivity;
    assert.ok(scan && scan.units.length > 0, 'the report has the scan');
    const output = vscode.Uri.file(outcome.report.output);
    const others = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => !(t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === output.toString()));
    await vscode.window.tabGroups.close(others);
    await renderedOnce(provider, output);
    const table = await unitTable(scan.units.length);
    await ui({ action: 'screenshot', name: 'prune-sensitivity-overlay' });
    const worst = (u: SensitivityScan['units'][number]): number | null => {
      const finite = u.cosine.filter((c) => typeof c === 'number' && Number.isFinite(c));
      return finite.length ? Math.min(...finite) : null;
    };
    for (const u of scan.units) {
      const row = table.rows.find((r) => r.name === u.id);
      assert.ok(row, `a row for unit ${u.id}`);
      assert.deepEqual(row.nodes, u.nodes);
      assert.equal(row.values[0], worst(u), u.id);
      assert.equal(row.values[1], u.chosen, u.id);
    }
  });

  it('refusals: an already-quantized model and one with nothing to prune show the CLI’s message; nothing is written', async () => {
    const quantized = copyInto(dir, 'quantized', 'cls.onnx');
    const q = cli(['quantize', quantized, '--mode', 'dynamic', '--json']);
    assert.equal(q.code, 0, q.stderr);
    const int8 = join(dir, 'quantized', 'cls.int8.onnx');
    const before = leftovers(join(dir, 'quantized'), []);
    for (const target of [int8, copyInto(dir, 'nothing', 'nothing-prunable.onnx', join(dir, 'nothing-prunable.onnx'))]) {
      const ran = cli(['prune', target, '--method', 'channels', '--ratio', '0.3', '--json']);
      assert.equal(ran.code, 2, `${target}: ${ran.stderr}`);
      const outcome = (await vscode.commands.executeCommand('onnxStudio.prune', vscode.Uri.file(target), { method: 'channels', ratio: 0.3 })) as TransformOutcome;
      assert.deepEqual(outcome, { kind: 'refused', exitCode: 2, message: cliMessageLines(ran.stderr) });
    }
    assert.deepEqual(leftovers(join(dir, 'quantized'), []).sort(), before.sort());
    assert.deepEqual(leftovers(join(dir, 'nothing'), ['nothing-prunable.onnx']), []);
  });

  it('cancel: the CLI ends, and no file (temp, model, report or recipe) is left', async () => {
    const { transforms } = await api();
    const model = copyInto(dir, 'cancel', 'resnet18.onnx', RESNET18);
    let lines = 0;
    const cancelOnFirst = transforms.onStderrLine(() => {
      if (lines++ === 0) transforms.cancelAll();
    });
    try {
      const outcome = (await vscode.commands.executeCommand('onnxStudio.prune', vscode.Uri.file(model), { method: 'channels', ratio: 0.3 })) as TransformOutcome;
      assert.equal(outcome?.kind, 'cancelled');
    } finally {
      cancelOnFirst.dispose();
    }
    assert.deepEqual(leftovers(join(dir, 'cancel'), [basename(model)]), []);
  });

  it('names from the model (nodes, weights) are text in the per-layer table', async () => {
    const { reports } = await api();
    const model = copyInto(dir, 'hostile', 'hostile-convs.onnx', join(dir, 'hostile-convs.onnx'));
    const outcome = (await vscode.commands.executeCommand('onnxStudio.prune', vscode.Uri.file(model), { method: 'unstructured', ratio: 0.5 })) as TransformOutcome;
    assert.ok(outcome?.kind === 'report', JSON.stringify(outcome));
    assert.ok(outcome.report.prune!.prunedLayers.length > 0);
    const rendered = await until('the report view to draw', () => reports.rendered.get(outcome.report.output));
    assertPruneShows(rendered, outcome.report);
    for (const tag of ['img', 'script', 'b']) assert.equal(rendered.tags[tag] ?? 0, 0, `<${tag}> elements`);
    assert.equal(rendered.tags.svg ?? 0, outcome.report.latencyMs ? 1 : 0, 'the latency chart is the one svg');
  });
});
