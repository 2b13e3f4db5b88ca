// "Build TensorRT Engine…" and "Lint with Polygraphy" in the real VS Code (issue 9 points 5–7),
// with the machine-scoped path settings pointing at the stand-ins (test/fixtures): the build
// from the quick picks to the performance summary in the result view (figures equal to the
// CLI's JSON, run separately on a copy), cancel mid-build (the stand-in's process group gone, no
// file left), a failing build's [E] lines in the Problems panel, the Polygraphy report there;
// in an untrusted workspace (MODE 'untrusted') neither tool starts, and the TensorRT check still runs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { BuildJson } from '../../src/cli/build';
import type { EngineBuildCommand, EngineBuildOutcome } from '../../src/extension/engine-build-command';
import { engineBuildArgv, type EngineBuildChoices } from '../../src/extension/engine-build-args';
import { ENGINE_STEP } from '../../src/extension/engine-picks';
import type { PolygraphyLintOutcome } from '../../src/extension/polygraphy-lint-command';
import type { TrtCheckOutcome } from '../../src/extension/tensorrt-check-command';
import { processAlive } from '../helpers/process-alive';
import { bytesOf, graph, model, node, tensorType, valueInfo } from '../helpers/models';
import { ROOT, outputChannelText, scratchFolder, ui, until } from './helpers';

const MODE = process.env.ONNX_STUDIO_TEST_MODE ?? 'development';
const TRTEXEC = join(ROOT, 'test', 'fixtures', 'trtexec-stand-in', 'trtexec');
const POLYGRAPHY = join(ROOT, 'test', 'fixtures', 'polygraphy-stand-in', 'polygraphy');
const RESNET18 = join(ROOT, '.cache', 'models', 'resnet18.onnx');
const NASTY = 'r<img src=x onerror=alert(1)> & <b>n';

function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), ...args], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

function copyInto(source: string, name: string): { dir: string; path: string } {
  const dir = scratchFolder();
  const path = join(dir, name);
  copyFileSync(source, path);
  return { dir, path };
}

async function setting(key: string, value: string | undefined): Promise<void> {
  await vscode.workspace.getConfiguration().update(key, value, vscode.ConfigurationTarget.Global);
}

async function engines(): Promise<EngineBuildCommand> {
  const api = await vscode.extensions.getExtension<{ engines: EngineBuildCommand }>('onnx-studio.onnx-studio')!.activate();
  return api.engines;
}

/** A model with a node in a domain TensorRT has no importer for: the stand-in fails as trtexec does. */
function customDomainModel(dir: string): string {
  const path = join(dir, 'custom.onnx');
  const g = graph({
    node: [node('Relu', ['x'], ['r'], [], 'relu'), node('MyPluginOp', ['r'], ['y'], [], 'mine', 'com.example')],
    input: [valueInfo('x', tensorType(1, [1, 4]))],
    output: [valueInfo('y', tensorType(1, [1, 4]))],
  });
  writeFileSync(path, bytesOf(model(g, 17, { opset_import: [{ domain: '', version: 17 }, { domain: 'com.example', version: 1 }] })));
  return path;
}

/** A program that leaves a marker file when it starts, then runs `target`: proves whether a tool was started. */
function markingWrapper(dir: string, target: string): { program: string; marker: string } {
  const program = join(dir, 'marking-tool');
  const marker = join(dir, 'tool-started');
  writeFileSync(program, `#!/bin/sh\ntouch '${marker}'\nexec '${target}' "$@"\n`);
  chmodSync(program, 0o755);
  return { program, marker };
}

const READ_RESULT = `const cells = {};
  for (const td of document.querySelectorAll('[data-key]')) cells[td.dataset.key] = td.dataset.value ?? td.textContent;
  return { cells, outputs: [...document.querySelectorAll('[data-output]')].map((li) => [li.dataset.output, li.textContent]),
    title: document.querySelector('h1').textContent, markup: document.querySelectorAll('main img, main b').length };`;

describe(`TensorRT engine build and Polygraphy lint in VS Code (${MODE})`, () => {
  if (MODE === 'untrusted') {
    it('untrusted workspace: the build and the lint start no tool and say why; the TensorRT check still runs', async () => {
      assert.equal(vscode.workspace.isTrusted, false);
      const { dir, path } = copyInto(RESNET18, 'm.onnx');
      const trtexec = markingWrapper(dir, TRTEXEC);
      await setting('onnxStudio.tools.trtexecPath', trtexec.program);
      await setting('onnxStudio.tools.polygraphyPath', trtexec.program);
      try {
        const built = (await vscode.commands.executeCommand('onnxStudio.buildEngine', vscode.Uri.file(path))) as EngineBuildOutcome;
        assert.equal(built?.kind, 'untrusted', JSON.stringify(built));
        assert.match((built as { message: string }).message, /not trusted.*nothing was run.*Manage Workspace Trust/);
        const linted = (await vscode.commands.executeCommand('onnxStudio.lintPolygraphy', vscode.Uri.file(path))) as PolygraphyLintOutcome;
        assert.equal(linted?.kind, 'untrusted', JSON.stringify(linted));
        assert.match((linted as { message: string }).message, /Polygraphy.*not trusted/);
      } finally {
        await setting('onnxStudio.tools.trtexecPath', undefined);
        await setting('onnxStudio.tools.polygraphyPath', undefined);
      }
      assert.equal(existsSync(trtexec.marker), false, 'no tool was started');
      assert.deepEqual(readdirSync(dir).sort(), ['m.onnx', 'marking-tool']);
      // Our own CLI keeps working untrusted.
      const checked = (await vscode.commands.executeCommand('onnxStudio.checkTensorRT', vscode.Uri.file(path))) as TrtCheckOutcome;
      assert.equal(checked?.kind, 'checked', JSON.stringify(checked));
      // The marker proves something: the wrapper does leave it when it runs.
      assert.equal(spawnSync(trtexec.program, ['--help']).status, 0);
      assert.ok(existsSync(trtexec.marker));
    });
    return;
  }

  before(async () => {
    await setting('onnxStudio.tools.trtexecPath', TRTEXEC);
    await setting('onnxStudio.tools.polygraphyPath', POLYGRAPHY);
  });
  after(async () => {
    await setting('onnxStudio.tools.trtexecPath', undefined);
    await setting('onnxStudio.tools.polygraphyPath', undefined);
  });

  it('the explorer’s context menu on an .onnx file offers Build TensorRT Engine… and Lint with Polygraphy', async () => {
    const want = ['Check TensorRT Compatibility', 'Build TensorRT Engine…', 'Lint with Polygraphy'];
    // The explorer may draw before the extension's menus are registered: reopen until they show (bounded).
    const labels = await until('the menu items', async () => {
      const shown = await ui<string[]>({ action: 'explorerMenu', file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx' });
      return want.every((w) => shown.includes(w)) ? shown : undefined;
    }, 60_000);
    assert.deepEqual(labels.filter((l) => want.includes(l)), want);
  });

  it('from the quick picks to the performance summary in the result view, the same figures as the CLI’s JSON', async () => {
    // A name that would be markup if the view did not escape it.
    const { dir, path } = copyInto(RESNET18, `${NASTY}.onnx`);
    // resnet18's input is [batch, 3, 224, 224]: the shape steps are asked, prefilled.
    const choices: EngineBuildChoices = { precision: 'fp16', shapes: { min: 'input:1x3x224x224', opt: 'input:2x3x224x224', max: 'input:4x3x224x224' }, workspace: '256M', profile: true };
    const answer = (step: keyof typeof ENGINE_STEP, text: string) => ui<string>({ action: 'inputBox', placeholder: ENGINE_STEP[step], text });
    /** Answers every step; returns what the input boxes were prefilled with. */
    const answerAll = async (): Promise<string[]> => {
      await ui({ action: 'quickInput', text: 'fp16' });
      const prefilled = [await answer('min', choices.shapes!.min), await answer('opt', choices.shapes!.opt), await answer('max', choices.shapes!.max), await answer('workspace', choices.workspace!), await answer('timingCache', ''), await answer('dla', '')];
      await ui({ action: 'quickInput', text: 'Build and export the profile' });
      return prefilled;
    };
    const done = vscode.commands.executeCommand('onnxStudio.buildEngine', vscode.Uri.file(path));
    // python onnx: input [batch, 3, 224, 224]; the batch axis is proposed 1/1/8.
    assert.deepEqual(await answerAll(), ['input:1x3x224x224', 'input:1x3x224x224', 'input:8x3x224x224', '', '', '']);
    const outcome = (await done) as EngineBuildOutcome;
    assert.equal(outcome?.kind, 'built', JSON.stringify(outcome));
    const built = (outcome as { result: BuildJson }).result;

    const copy = copyInto(RESNET18, 'resnet.onnx');
    const reference = cli(engineBuildArgv(copy.path, choices, TRTEXEC));
    assert.equal(reference.code, 0, reference.stderr);
    const expected = JSON.parse(reference.stdout) as BuildJson;
    assert.deepEqual(built.performance, expected.performance);
    assert.ok(expected.performance?.throughputQps, 'the stand-in replays a log with a performance summary');
    assert.equal(built.tensorrtVersion, '10.16.1');
    const stem = join(dir, `${NASTY}.fp16`);
    assert.deepEqual(built.outputs, { engine: `${stem}.plan`, log: `${stem}.build.log`, layers: `${stem}.layers.json`, profile: `${stem}.profile.json`, times: `${stem}.times.json` });
    assert.deepEqual(readdirSync(dir).sort(), [`${NASTY}.onnx`, ...['build.log', 'layers.json', 'plan', 'profile.json', 'times.json'].map((s) => `${NASTY}.fp16.${s}`)].sort());

    // The result view shows the CLI's figures, exactly.
    const view = await until('the result view', () => ui<{ cells: Record<string, string>; outputs: [string, string][]; title: string; markup: number }>({ action: 'webviewEval', body: READ_RESULT }).catch(() => undefined), 60_000);
    const p = expected.performance!;
    assert.equal(view.title, `${NASTY}.fp16.plan`);
    assert.equal(view.markup, 0, 'the name added no element');
    assert.equal(view.cells.tensorrtVersion, '10.16.1');
    assert.equal(view.cells.precision, 'fp16');
    assert.equal(Number(view.cells.throughputQps), p.throughputQps);
    for (const key of ['latency', 'gpuComputeTime', 'h2dLatency', 'd2hLatency', 'enqueueTime'] as const) {
      const s = p[key]!;
      assert.deepEqual(
        ['min', 'mean', 'median', '90', '95', '99', 'max'].map((w) => view.cells[`${key}.${w}`]),
        [s.min, s.mean, s.median, s.percentiles['90'], s.percentiles['95'], s.percentiles['99'], s.max].map((v) => (v === undefined ? '' : String(v))),
        key,
      );
    }
    assert.deepEqual(Object.fromEntries(view.outputs), built.outputs);

    // The next build of this model proposes the choices remembered for it.
    const again = vscode.commands.executeCommand('onnxStudio.buildEngine', vscode.Uri.file(path));
    assert.deepEqual(await answerAll(), [choices.shapes!.min, choices.shapes!.opt, choices.shapes!.max, choices.workspace, '', '']);
    assert.equal(((await again) as EngineBuildOutcome)?.kind, 'built');
  });

  it('TensorRT 11 (strongly typed only): "Convert to FP16 first" converts the model, then builds the FP16 model strongly typed', async () => {
    const { dir, path } = copyInto(RESNET18, 'r.onnx');
    // trtexec 11's help: the stand-in's, with the version of 11.1 and without the precision flags 11 removed.
    const tools = scratchFolder();
    const trt11 = join(tools, 'trtexec');
    writeFileSync(
      trt11,
      `#!/bin/sh\nif [ "$1" = --help ]; then '${TRTEXEC}' --help | sed -e 's/v101601/v110100/' -e '/^  --\\(fp16\\|bf16\\|int8\\|fp8\\|int4\\|best\\|calib\\)[ =]/d'; else exec '${TRTEXEC}' "$@"; fi\n`,
    );
    chmodSync(trt11, 0o755);
    const probe = JSON.parse(cli(['build', '--probe', '--json', '--trtexec', trt11]).stdout);
    assert.deepEqual([probe.tensorrtVersion, probe.stronglyTypedOnly, probe.precisions], ['11.1.0', true, ['typed']]);
    // fp32 on 11 would be the typed build under another name: bad usage, with the advice.
    const fp32 = cli(['build', path, '--precision', 'fp32', '--trtexec', trt11]);
    assert.equal(fp32.code, 64, fp32.stderr);
    assert.match(fp32.stderr, /strongly typed networks only.*--precision typed/);
    assert.deepEqual(readdirSync(dir), ['r.onnx']);
    await setting('onnxStudio.tools.trtexecPath', trt11);
    let outcome: EngineBuildOutcome;
    try {
      const done = vscode.commands.executeCommand('onnxStudio.buildEngine', vscode.Uri.file(path));
      await ui({ action: 'quickInput', text: 'Convert to FP16 first' });
      for (const step of ['min', 'opt', 'max'] as const) await ui({ action: 'inputBox', placeholder: ENGINE_STEP[step], text: 'input:1x3x224x224' });
      for (const step of ['workspace', 'timingCache', 'dla'] as const) await ui({ action: 'inputBox', placeholder: ENGINE_STEP[step], text: '' });
      await ui({ action: 'quickInput', text: 'Build only' });
      outcome = (await done) as EngineBuildOutcome;
    } finally {
      await setting('onnxStudio.tools.trtexecPath', TRTEXEC);
    }
    assert.equal(outcome?.kind, 'built', JSON.stringify(outcome));
    const built = (outcome as { result: BuildJson }).result;
    assert.equal(built.precision, 'typed');
    assert.equal(built.engine, join(dir, 'r.fp16.typed.plan'));
    const names = readdirSync(dir);
    assert.ok(names.includes('r.fp16.onnx') && names.includes('r.fp16.typed.plan'), names.join(', '));
    // The original model remembers the conversion, not `typed` (which would build it unconverted next time).
    assert.equal((await engines()).remembered(vscode.Uri.file(path))?.precision, 'convert-fp16');
  });

  it('cancel mid-build: the stand-in’s process group is gone and no engine or temp file is left', async () => {
    const { dir, path } = copyInto(RESNET18, 'm.onnx');
    const api = await engines();
    process.env.TRTEXEC_STAND_IN_HOLD = join(scratchFolder(), 'never-created');
    let pids: number[] | undefined;
    const listener = api.onLine((line) => {
      const m = /Stand-in trtexec pid (\d+), builder pid (\d+)/.exec(line);
      if (m) {
        pids = [Number(m[1]), Number(m[2])];
        api.cancelAll();
      }
    });
    let outcome: EngineBuildOutcome;
    try {
      outcome = (await vscode.commands.executeCommand('onnxStudio.buildEngine', vscode.Uri.file(path), { precision: 'fp32', profile: true } satisfies EngineBuildChoices)) as EngineBuildOutcome;
    } finally {
      listener.dispose();
      delete process.env.TRTEXEC_STAND_IN_HOLD;
    }
    assert.deepEqual(outcome, { kind: 'cancelled', leftover: [] });
    assert.ok(pids, 'the stand-in printed its pids');
    for (const pid of pids) await until(`process ${pid} to be gone`, () => (processAlive(pid) ? undefined : true), 15_000);
    assert.deepEqual(readdirSync(dir), ['m.onnx']);
  });

  it('a failing build: its [E] lines as errors on the .onnx file in the Problems panel, as the CLI reports them', async () => {
    const dir = scratchFolder();
    const path = customDomainModel(dir);
    const outcome = (await vscode.commands.executeCommand('onnxStudio.buildEngine', vscode.Uri.file(path), { precision: 'fp16', profile: false } satisfies EngineBuildChoices)) as EngineBuildOutcome;
    assert.equal(outcome?.kind, 'failed', JSON.stringify(outcome));
    const refDir = scratchFolder();
    const reference = cli(engineBuildArgv(customDomainModel(refDir), { precision: 'fp16', profile: false }, TRTEXEC));
    assert.equal(reference.code, 1);
    const errors = (JSON.parse(reference.stdout) as BuildJson).errors;
    assert.ok(errors.some((e) => e.includes('MyPluginOp')), errors.join('\n'));
    const diagnostics = await until('the [E] lines in the Problems panel', () => {
      const d = vscode.languages.getDiagnostics(vscode.Uri.file(path)).filter((x) => x.source === 'trtexec');
      return d.length === errors.length ? d : undefined;
    });
    assert.deepEqual(diagnostics.map((d) => d.message), errors);
    assert.ok(diagnostics.every((d) => d.severity === vscode.DiagnosticSeverity.Error));
    assert.deepEqual(readdirSync(dir).sort(), ['custom.fp16.build.log', 'custom.onnx'], 'no engine; the log is kept');
    // A failed build shows the output channel, where trtexec's log streamed.
    await until('the log in the output channel', async () => {
      const text = await outputChannelText('ONNX Studio: TensorRT');
      return text.includes('&&&& FAILED TensorRT.trtexec') && errors.every((e) => text.includes(`[E] ${e}`)) ? text : undefined;
    });
  });

  it('options this trtexec does not take (exit 64) and a trtexec that cannot run (exit 2): refused with the CLI’s problem, nothing written', async () => {
    const { dir, path } = copyInto(RESNET18, 'm.onnx');
    const bad = (await vscode.commands.executeCommand('onnxStudio.buildEngine', vscode.Uri.file(path), { precision: 'fp32', workspace: 'lots', profile: false } satisfies EngineBuildChoices)) as EngineBuildOutcome;
    assert.equal(bad?.kind, 'refused', JSON.stringify(bad));
    assert.equal((bad as { exitCode: number }).exitCode, 64);
    assert.match((bad as { message: string }).message, /--memPoolSize: 'lots' is not a size/);
    await setting('onnxStudio.tools.trtexecPath', join(dir, 'no-trtexec'));
    let missing: EngineBuildOutcome;
    try {
      missing = (await vscode.commands.executeCommand('onnxStudio.buildEngine', vscode.Uri.file(path), { precision: 'fp32', profile: false } satisfies EngineBuildChoices)) as EngineBuildOutcome;
    } finally {
      await setting('onnxStudio.tools.trtexecPath', TRTEXEC);
    }
    assert.equal(missing?.kind, 'refused', JSON.stringify(missing));
    assert.equal((missing as { exitCode: number }).exitCode, 2);
    assert.match((missing as { message: string }).message, /no-trtexec: no such program/);
    assert.deepEqual(readdirSync(dir), ['m.onnx']);
  });

  it('Lint with Polygraphy: the report in the Problems panel, node names with the editor’s ids', async () => {
    const dir = scratchFolder();
    const path = join(dir, 'lint.onnx');
    const t = tensorType(1, [2, 2]);
    const g = graph({
      node: [node('MatMul', ['A', 'B'], ['c'], [], 'MatMul_0'), node('Add', ['c', 'B'], ['d'], [], 'Add_0'), node('MatMul', ['d', 'B'], ['e'], [], 'MatMul_3')],
      input: [valueInfo('A', t), valueInfo('B', t)],
      output: [valueInfo('e', t)],
    });
    writeFileSync(path, bytesOf(model(g)));
    const outcome = (await vscode.commands.executeCommand('onnxStudio.lintPolygraphy', vscode.Uri.file(path))) as PolygraphyLintOutcome;
    assert.equal(outcome?.kind, 'linted', JSON.stringify(outcome));
    const reference = JSON.parse(cli(['lint-polygraphy', path, '--polygraphy', POLYGRAPHY, '--json']).stdout);
    assert.deepEqual((outcome as { report: unknown }).report, reference);
    const diagnostics = await until('the lint findings in the Problems panel', () => {
      const d = vscode.languages.getDiagnostics(vscode.Uri.file(path)).filter((x) => x.source?.startsWith('Polygraphy'));
      return d.length === reference.findings.length ? d : undefined;
    });
    const errors = reference.findings.filter((f: { level: string }) => f.level === 'exception').length;
    assert.equal(diagnostics.filter((d) => d.severity === vscode.DiagnosticSeverity.Error).length, errors);
    assert.ok(diagnostics.some((d) => d.code === 'MatMul_3' && d.message.startsWith('MatMul_3: ')), diagnostics.map((d) => `${String(d.code)} ${d.message}`).join('\n'));
  });
});
