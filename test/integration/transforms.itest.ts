// Quantize and Convert to FP16 from the editor (issue 8, points 8–9), in the real VS Code and,
// with --vsix, from the installed package (its dist/cli.js loading the packaged
// onnxruntime-node binding). The reference is the CLI itself, run here as a separate process
// on a copy of the same model: the report view must show what its JSON says.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import type { TransformOutcome } from '../../src/extension/transform-commands';
import type { TransformReport } from '../../src/optimize/report';
import { openGraph, ROOT, runAnswering, scratchFolder, ui, until } from './helpers';
import { api, assertShows, cli, cliMessageLines, CLS, copyInto, corpus, EXTENSION_ID, graphTab, leftovers } from './transform-helpers';

describe('transforms from the editor: the report view shows the CLI’s JSON, the new model opens beside', () => {
  let dir: string;
  before(() => {
    dir = scratchFolder();
  });

  it('the extension carries onnxruntime-node with the binding of this platform only, and it runs a model there', () => {
    const root = vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath;
    const ort = join(root, 'node_modules', 'onnxruntime-node');
    if (process.env.ONNX_STUDIO_TEST_MODE === 'vsix') {
      assert.deepEqual(readdirSync(join(ort, 'bin', 'napi-v6')), [process.platform], 'one platform in the package');
      assert.deepEqual(readdirSync(join(ort, 'bin', 'napi-v6', process.platform)), [process.arch], 'one architecture');
    }
    // The classifier's input x: [batch, 3, 48, 192]; its output: two class probabilities per image.
    const probe = `const ort = require(${JSON.stringify(ort)});
      ort.InferenceSession.create(${JSON.stringify(corpus(CLS))}).then((s) => s.run({ x: new ort.Tensor('float32', new Float32Array(3 * 48 * 192).fill(0.5), [1, 3, 48, 192]) }))
        .then((r) => console.log(JSON.stringify(Object.values(r).map((t) => t.dims))));`;
    const r = spawnSync(process.execPath, ['-e', probe], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    assert.equal(r.status, 0, r.stderr.toString());
    assert.deepEqual(JSON.parse(r.stdout.toString()), [[1, 2]]);
  });

  it('the explorer’s context menu on an .onnx file offers Quantize (dynamic, static…) and Convert to FP16', async () => {
    await vscode.commands.executeCommand('workbench.view.explorer');
    const want = ['Quantize (INT8, dynamic)', 'Quantize (INT8, static)…', 'Convert to FP16'];
    // The explorer may draw before the extension's menus are registered: reopen until they show (bounded).
    const labels = await until('the menu items', async () => {
      const shown = await ui<string[]>({ action: 'explorerMenu', file: CLS });
      return want.every((w) => shown.includes(w)) ? shown : undefined;
    }, 60_000);
    assert.deepEqual(labels.filter((l) => want.includes(l)), want);
  });

  it('Quantize (INT8, dynamic): the view shows the figures of the CLI’s JSON, the same model file is written, and it opens beside the old one', async () => {
    const { reports } = await api();
    const model = copyInto(dir, 'dyn', 'cls.onnx');
    const reference = copyInto(dir, 'dyn-cli', 'cls.onnx');
    await openGraph(model);
    const oldGroup = graphTab(model)!.group;
    const outcome = (await vscode.commands.executeCommand('onnxStudio.quantizeDynamic', vscode.Uri.file(model))) as TransformOutcome;
    assert.equal(outcome?.kind, 'report', JSON.stringify(outcome));
    if (outcome?.kind !== 'report') return;
    assert.equal(outcome.exitCode, 0);
    const output = join(dir, 'dyn', 'cls.int8.onnx');
    assert.equal(outcome.report.output, output);
    const rendered = await until('the report view to draw', () => reports.rendered.get(output));
    assertShows(rendered, outcome.report, { latency: true });
    // The CLI on its own, same model: same figures (latency aside: it is measured anew) and the same bytes.
    const ran = cli(['quantize', reference, '--mode', 'dynamic', '--json']);
    assert.equal(ran.code, 0, ran.stderr);
    const alone = JSON.parse(ran.stdout) as TransformReport;
    assertShows(rendered, { ...alone, output }, { latency: false });
    assert.ok(readFileSync(output).equals(readFileSync(join(dir, 'dyn-cli', 'cls.int8.onnx'))), 'the extension wrote what the CLI writes');
    const opened = await until('the new model in the graph editor', () => graphTab(output));
    assert.notEqual(opened.group.viewColumn, oldGroup.viewColumn, 'beside the old model, not over it');
    assert.ok(graphTab(model), 'the old model stays open');
    assert.deepEqual(leftovers(join(dir, 'dyn'), ['cls.onnx', 'cls.int8.onnx', 'cls.int8.report.json']), []);
    // The report the CLI saved beside the model opens in the view again, with the same figures.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    reports.rendered.delete(output);
    await vscode.commands.executeCommand('onnxStudio.showTransformReport', vscode.Uri.file(join(dir, 'dyn', 'cls.int8.report.json')));
    assertShows(await until('the saved report to draw', () => reports.rendered.get(output)), outcome.report, { latency: true });
  });

  it('Convert to FP16: the view shows the figures of the CLI’s JSON; the new model opens in the graph editor', async () => {
    const { reports } = await api();
    const model = copyInto(dir, 'fp16', 'cls.onnx');
    const outcome = (await vscode.commands.executeCommand('onnxStudio.convertFp16', vscode.Uri.file(model))) as TransformOutcome;
    assert.equal(outcome?.kind, 'report', JSON.stringify(outcome));
    if (outcome?.kind !== 'report') return;
    const output = join(dir, 'fp16', 'cls.fp16.onnx');
    const rendered = await until('the report view to draw', () => reports.rendered.get(output));
    assertShows(rendered, outcome.report, { latency: true });
    const ran = cli(['fp16', copyInto(dir, 'fp16-cli', 'cls.onnx'), '--keep-io-types', '--json']);
    assert.equal(ran.code, 0, ran.stderr);
    assertShows(rendered, { ...(JSON.parse(ran.stdout) as TransformReport), output }, { latency: false });
    await until('the new model in the graph editor', () => graphTab(output));
  });

  it('Quantize (INT8, static)… from the explorer (file and selection as arguments): the quick picks (no data, preset, method) run the CLI with them; the view shows its JSON', async () => {
    const { reports } = await api();
    const model = copyInto(dir, 'static', 'cls.onnx');
    // The explorer's context menu passes the selected files as the second argument.
    const outcome = (await runAnswering('onnxStudio.quantizeStatic', [vscode.Uri.file(model), [vscode.Uri.file(model)]], ['No calibration data', 'tensorrt', 'minmax'])) as TransformOutcome;
    assert.equal(outcome?.kind, 'report', JSON.stringify(outcome));
    if (outcome?.kind !== 'report') return;
    const output = join(dir, 'static', 'cls.int8.onnx');
    const rendered = await until('the report view to draw', () => reports.rendered.get(output));
    assertShows(rendered, outcome.report, { latency: true });
    const ran = cli(['quantize', copyInto(dir, 'static-cli', 'cls.onnx'), '--mode', 'static', '--preset', 'tensorrt', '--method', 'minmax', '--json']);
    assert.ok(ran.code === 0 || ran.code === 1, ran.stderr);
    assertShows(rendered, { ...(JSON.parse(ran.stdout) as TransformReport), output }, { latency: false });
    assert.equal(rendered.cells.validationData?.text.startsWith('Synthesized'), true, 'a report on synthesized inputs says so');
  });

  it('Quantize (INT8, static) on photographs of text: the view shows the CLI’s JSON; next time the folder is proposed first, then the image preprocessing', async () => {
    const { reports } = await api();
    const model = copyInto(dir, 'images', 'cls.onnx');
    // Twelve of the OCR direction classifier's calibration photographs (.cache/data, scripts/fetch-data.sh).
    const source = join(ROOT, '.cache', 'data', 'ocr-cls', 'calib-images');
    const images = join(dir, 'images', 'photos');
    mkdirSync(images);
    for (const f of readdirSync(source).sort().slice(0, 12)) copyFileSync(join(source, f), join(images, f));
    // The classifier's input has dynamic height and width: the size comes from the setting.
    const settings = vscode.workspace.getConfiguration('onnxStudio.quantize');
    await settings.update('image.size', '48,192', vscode.ConfigurationTarget.Global);
    const args = ['--mode', 'static', '--preset', 'cpu', '--calib', images, '--layout', 'nchw', '--scale', String(1 / 255), '--image-size', '48,192', '--mean', '0.5,0.5,0.5', '--std', '0.5,0.5,0.5', '--json'];
    try {
      // First with the choices as arguments (VS Code's folder dialog is not ours to drive)…
      const choices = { preset: 'cpu', calib: images, images: { size: '48,192', layout: 'nchw', mean: '0.5,0.5,0.5', std: '0.5,0.5,0.5', bgr: false, scale: 1 / 255 } };
      const first = (await vscode.commands.executeCommand('onnxStudio.quantizeStatic', vscode.Uri.file(model), choices)) as TransformOutcome;
      assert.equal(first?.kind, 'report', JSON.stringify(first));
      const output = join(dir, 'images', 'cls.int8.onnx');
      const rendered = await until('the report view to draw', () => reports.rendered.get(output));
      assertShows(rendered, (first as { report: TransformReport }).report, { latency: true });
      const ran = cli(['quantize', copyInto(dir, 'images-cli', 'cls.onnx'), ...args]);
      assert.ok(ran.code === 0 || ran.code === 1, ran.stderr);
      assertShows(rendered, { ...(JSON.parse(ran.stdout) as TransformReport), output }, { latency: false });
      assert.equal((first as { report: TransformReport }).report.validationData?.kind, 'held-out');
      // …then through the quick picks: the folder, remembered for this model, is a row of its own (typed by its name, the first).
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      const again = (await runAnswering('onnxStudio.quantizeStatic', [vscode.Uri.file(model)], ['photos', 'cpu', 'preset default', '[-1, 1]'])) as TransformOutcome;
      assert.equal(again?.kind, 'report', JSON.stringify(again));
      // Both runs handed the CLI the same command line (the one the output channel logs).
      for (const run of [first, again]) assert.equal((run as { command: string }).command, `onnx-studio quantize ${model} ${args.join(' ')}`);
    } finally {
      await settings.update('image.size', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('a target not met (exit 1): the report is shown with the warning, and the model opens', async () => {
    const { reports } = await api();
    const model = copyInto(dir, 'target', 'cls.onnx');
    const settings = vscode.workspace.getConfiguration('onnxStudio.quantize');
    await settings.update('targetCosine', 0.999999999, vscode.ConfigurationTarget.Global);
    try {
      const outcome = (await vscode.commands.executeCommand('onnxStudio.quantizeStatic', vscode.Uri.file(model), { preset: 'cpu' })) as TransformOutcome;
      assert.equal(outcome?.kind, 'report', JSON.stringify(outcome));
      const { report, exitCode, command } = outcome as { report: TransformReport; exitCode: number; command: string };
      assert.equal(exitCode, 1);
      assert.match(command, / --target-cosine 0\.999999999 /);
      const rendered = await until('the report view to draw', () => reports.rendered.get(report.output));
      assertShows(rendered, report, { latency: true });
      const missed = report.targets!.find((t) => !t.met)!;
      assert.ok(rendered.cells.targetNotMet?.text.includes(`wanted ${missed.wanted}, got ${missed.got}`), rendered.cells.targetNotMet?.text);
      await until('the new model in the graph editor', () => graphTab(report.output));
    } finally {
      await settings.update('targetCosine', undefined, vscode.ConfigurationTarget.Global);
    }
  });

  it('an already-quantized model: the CLI’s refusal is shown, nothing is written', async () => {
    const quantized = copyInto(dir, 'twice', 'cls.int8.onnx', join(dir, 'dyn', 'cls.int8.onnx'));
    const ran = cli(['quantize', quantized, '--mode', 'dynamic', '--json']);
    assert.equal(ran.code, 2);
    const outcome = (await vscode.commands.executeCommand('onnxStudio.quantizeDynamic', vscode.Uri.file(quantized))) as TransformOutcome;
    assert.deepEqual(outcome, { kind: 'refused', exitCode: 2, message: cliMessageLines(ran.stderr) });
    assert.deepEqual(leftovers(join(dir, 'twice'), [basename(quantized)]), []);
  });

  it('cancel: the CLI ends (its process group: onnxruntime child too), and no file, temp or output, is left', async () => {
    const { transforms } = await api();
    // ResNet-18 (45 MB) takes long enough to cancel while it runs.
    const model = copyInto(dir, 'cancel', 'resnet18.onnx', join(ROOT, '.cache', 'models', 'resnet18.onnx'));
    let lines = 0;
    const cancelOnFirst = transforms.onStderrLine(() => {
      if (lines++ === 0) transforms.cancelAll();
    });
    try {
      const outcome = (await vscode.commands.executeCommand('onnxStudio.quantizeDynamic', vscode.Uri.file(model))) as TransformOutcome;
      assert.equal(outcome?.kind, 'cancelled');
    } finally {
      cancelOnFirst.dispose();
    }
    assert.deepEqual(leftovers(join(dir, 'cancel'), ['resnet18.onnx']), []);
  });

  it('cancel after the model is written, while it is measured: that new model is removed too', async () => {
    const { transforms } = await api();
    const model = copyInto(dir, 'cancel-late', 'resnet18.onnx', join(ROOT, '.cache', 'models', 'resnet18.onnx'));
    const output = join(dir, 'cancel-late', 'resnet18.int8.onnx');
    const run = vscode.commands.executeCommand('onnxStudio.quantizeDynamic', vscode.Uri.file(model)) as Thenable<TransformOutcome>;
    await until('the written model', () => (existsSync(output) ? true : undefined), 240_000);
    transforms.cancelAll();
    const outcome = await run;
    assert.deepEqual(outcome, { kind: 'cancelled', removed: [output] });
    assert.deepEqual(leftovers(join(dir, 'cancel-late'), ['resnet18.onnx']), []);
  });

  it('names from the model cannot add markup or script to the report view', async () => {
    const { reports } = await api();
    const hostile = ['<img src=x onerror="window.__pwned=1">', '</td><script>window.__pwned=2</script>', '"><svg onload="window.__pwned=3">', '&lt;b&gt;entity&lt;/b&gt;'];
    const output = join(dir, 'hostile<b>.onnx');
    const report: TransformReport = {
      transform: 'quantize-dynamic<script>', input: join(dir, '<i>in</i>.onnx'), output, sizeBefore: 4000, sizeAfter: 1000,
      outputs: hostile.map((name, i) => ({ name, cosine: 0.99 + i / 1000, meanCosine: 0.995, snrDb: 30 + i, meanSnrDb: 33, maxAbsError: 0.01 })),
      latencyMs: { before: { median: 2, p90: 3 }, after: { median: 1, p90: 1.5 } },
      nodesAdded: 3, nodesChanged: 2, keptFloat: hostile, keptFloatWhy: Object.fromEntries(hostile.map((h) => [h, `<b>${h}</b>`])),
      validationData: { kind: 'synthesized', samples: 2, source: '<a href="x">s</a>' }, details: { '<u>k</u>': '<i>v</i>' }, warnings: hostile,
    };
    await vscode.commands.executeCommand('onnxStudio.showTransformReport', report);
    const rendered = await until('the report view to draw', () => reports.rendered.get(output));
    hostile.forEach((name, i) => {
      assert.equal(rendered.cells[`outputs.${i}.name`]?.text, name);
      assert.equal(rendered.cells[`warnings.${i}`]?.text, name);
      assert.equal(rendered.cells[`keptFloat.${i}`]?.text, `${name}: <b>${name}</b>`);
    });
    for (const tag of ['img', 'script', 'svg', 'b', 'i', 'u', 'a']) assert.equal(rendered.tags[tag] ?? 0, tag === 'svg' ? 1 : 0, `<${tag}> elements (the chart is the one svg)`);
    // The page's own CSP: nothing by default, the one script by nonce; an inline script does not run.
    const page = await ui<{ pwned: unknown; csp: string; nonces: string[]; inline: boolean }>({
      action: 'webviewEval',
      body: `const s = document.createElement('script'); s.textContent = 'window.__inline = true'; document.head.append(s);
        return { pwned: window.__pwned ?? null, csp: document.querySelector('meta[http-equiv="Content-Security-Policy"]').content,
          nonces: [...document.scripts].filter((x) => x.src).map((x) => x.nonce), inline: window.__inline === true };`,
    });
    assert.equal(page.pwned, null);
    assert.equal(page.inline, false);
    assert.match(page.csp, /^default-src 'none'; /);
    assert.doesNotMatch(page.csp, /unsafe-|strict-dynamic|worker-src/);
    assert.deepEqual(page.nonces, [/script-src 'nonce-([^']+)'/.exec(page.csp)?.[1]]);
  });
});
