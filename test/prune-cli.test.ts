import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TransformReport } from '../src/optimize/report';
import { CLI, CORPUS_DIR, ROOT } from './helpers/corpus';
import { bytesOf, reluAddModel } from './helpers/models';

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
const RESNET18 = join(ROOT, '.cache', 'models', 'resnet18.onnx');
const CLS = join(CORPUS_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const OCR_CLS = join(ROOT, '.cache', 'data', 'ocr-cls');

function freshCopy(model: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'prune-cli-'));
  const path = join(dir, 'model.onnx');
  copyFileSync(model, path);
  return { dir, path };
}

const filesIn = (dir: string): string[] => readdirSync(dir).sort();

/** python onnx.checker on the written model. */
function pythonAccepts(path: string): void {
  const r = spawnSync('/usr/bin/python3', [join(ROOT, 'scripts', 'python', 'check_onnx.py'), path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
}

/** Parameters as python onnx counts them (scripts/python/inspect_counts.py: initializers and Constants in all graphs). */
function pythonParameters(path: string): number {
  const r = spawnSync('/usr/bin/python3', [join(ROOT, 'scripts', 'python', 'inspect_counts.py'), path], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as Record<string, { parameterCount: number }>)[path]!.parameterCount;
}

/**
 * numpy, per named weight (initializer or Constant output): elements, zeros, and (with an axis)
 * the fewest zeros in any group of 4 consecutive values along that axis.
 */
function numpyWeights(path: string, weights: { name: string; axis?: number }[]): Record<string, { size: number; zeros: number; minGroupZeros?: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'prune-cli-py-'));
  writeFileSync(join(dir, 'w.json'), JSON.stringify(weights));
  const script = `
import sys, json, numpy as np, onnx
from onnx import numpy_helper
m = onnx.load(sys.argv[1])
t = {i.name: i for i in m.graph.initializer}
for n in m.graph.node:
  if n.op_type == 'Constant':
    for a in n.attribute:
      if a.name == 'value': t[n.output[0]] = a.t
out = {}
for w in json.load(open(sys.argv[2])):
  a = numpy_helper.to_array(t[w['name']])
  r = {'size': int(a.size), 'zeros': int((a == 0).sum())}
  if w.get('axis') is not None:
    g = np.moveaxis(a, w['axis'], -1)
    g = g.reshape(-1, g.shape[-1] // 4, 4)
    r['minGroupZeros'] = int((g == 0).sum(axis=-1).min())
  out[w['name']] = r
print(json.dumps(out))
`;
  const r = spawnSync('/usr/bin/python3', ['-c', script, path, join(dir, 'w.json')], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, { size: number; zeros: number; minGroupZeros?: number }>;
}

test('bad usage exits 64 with a message and writes nothing', () => {
  const { dir, path } = freshCopy(CLS);
  const cases: [string[], RegExp][] = [
    [[], /--method unstructured\|2:4\|channels is required/],
    [['--method', 'magnitude', '--ratio', '0.3'], /--method must be one of unstructured, 2:4, channels, not 'magnitude'/],
    [['--method', 'channels', '--ratio', '0'], /--ratio takes a number strictly between 0 and 1, not '0'/],
    [['--method', 'channels', '--ratio', '1'], /strictly between 0 and 1, not '1'/],
    [['--method', 'unstructured', '--ratio', '1.5'], /strictly between 0 and 1, not '1.5'/],
    [['--method', 'unstructured', '--ratio', 'x'], /--ratio takes a number, not 'x'/],
    [['--method', '2:4', '--ratio', '0.3'], /--method 2:4 .* --ratio is 0\.5 or left out, not '0\.3'/],
    [['--method', 'channels', '--ratio', '0.3', '--scope', 'layer'], /--scope is for --method unstructured only/],
    [['--method', 'unstructured', '--ratio', '0.3', '--scope', 'all'], /--scope must be one of layer, global, not 'all'/],
    [['--method', 'unstructured'], /--method unstructured needs --ratio R/],
    [['--method', 'channels'], /--method channels needs --ratio R/],
    [['--method', 'unstructured', '--ratio', '0.3', '--scope', 'global', '--target-cosine', '0.9'], /does not go with --scope global/],
    [['--method', 'unstructured', '--ratio', '0.3', '--target-cosine', '1.5'], /--target-cosine takes a number from -1 to 1/],
    [['--method', 'unstructured', '--ratio', '0.3', '--target-cosine=-1'], /--target-cosine takes a number above -1, at most 1, not '-1'/],
    [['--method', 'unstructured', '--ratio', '0.3', '--bogus'], /Unknown option '--bogus'/],
  ];
  for (const [args, message] of cases) {
    const r = run('prune', path, ...args);
    assert.equal(r.status, 64, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '');
  }
  assert.deepEqual(filesIn(dir), ['model.onnx']);
  const help = run('--help');
  assert.match(help.stdout, /onnx-studio prune MODEL --method unstructured\|2:4\|channels/);
});

test('refusals exit 2 with no output: -o onto the input, an already quantized model, a model with nothing to prune', () => {
  const { dir, path } = freshCopy(CLS);
  const before = readFileSync(path);
  const onto = run('prune', path, '--method', 'channels', '--ratio', '0.3', '-o', path);
  assert.equal(onto.status, 2, onto.stderr);
  assert.match(onto.stderr, /refusing to write over .*model\.onnx: it is the model/);
  assert.deepEqual(readFileSync(path), before);

  const q = run('quantize', path, '--mode', 'dynamic');
  assert.equal(q.status, 0, q.stderr);
  const quantized = run('prune', join(dir, 'model.int8.onnx'), '--method', 'unstructured', '--ratio', '0.5', '-o', join(dir, 'p.onnx'));
  assert.equal(quantized.status, 2, quantized.stderr);
  assert.match(quantized.stderr, /already quantized/);

  const relu = join(dir, 'relu.onnx');
  writeFileSync(relu, bytesOf(reluAddModel()));
  for (const method of ['unstructured', '2:4', 'channels']) {
    const r = run('prune', relu, '--method', method, ...(method === '2:4' ? [] : ['--ratio', '0.3']), '--json');
    assert.equal(r.status, 2, `${method}: ${r.stderr}`);
    assert.match(r.stderr, /nothing to prune|can be pruned/, method);
    assert.equal(r.stdout, '');
  }
  assert.deepEqual(filesIn(dir), ['model.int8.onnx', 'model.onnx', 'relu.onnx']);
});

test('unstructured 0.5 on ResNet-18: one JSON document, parameters as python counts them, exact sparsity on the pruned layers, the model runs in ORT', () => {
  const { dir, path } = freshCopy(RESNET18);
  const r = run('prune', path, '--method', 'unstructured', '--ratio', '0.5', '--json');
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as TransformReport;
  assert.equal(report.transform, 'prune');
  assert.equal(report.output, join(dir, 'model.pruned.onnx'));
  assert.equal(report.sizeAfter, statSync(report.output).size);
  assert.equal(report.parametersBefore, pythonParameters(path));
  assert.equal(report.parametersAfter, pythonParameters(report.output));
  const p = report.prune!;
  assert.equal(p.method, 'unstructured');
  assert.match(p.note!, /no size or speed gain in dense ONNX Runtime/);
  assert.ok(p.prunedLayers.length > 10);
  // First and last layers left by default.
  assert.ok(p.skippedLayers.length >= 2, JSON.stringify(p.skippedLayers));
  const facts = numpyWeights(report.output, p.prunedLayers.map((l) => ({ name: l.weight })));
  let zeros = 0;
  let size = 0;
  for (const l of p.prunedLayers) {
    const f = facts[l.weight]!;
    assert.equal(l.zeros, f.zeros, l.node);
    assert.equal(l.elementsAfter, f.size);
    assert.ok(Math.abs(f.zeros - 0.5 * f.size) < 1, `${l.node}: ${f.zeros} of ${f.size}`);
    zeros += f.zeros;
    size += f.size;
  }
  assert.equal(report.sparsity, zeros / size);
  assert.equal(report.outputs.length, 1);
  assert.ok(Number.isFinite(report.outputs[0]!.cosine));
  assert.ok(report.latencyMs!.after.median > 0);
  assert.deepEqual(filesIn(dir), ['model.onnx', 'model.pruned.onnx', 'model.pruned.report.json']);
  pythonAccepts(report.output);
});

test('2:4 on ResNet-18: two zeros in every group of 4 along the input channels, sparsity 0.5 exactly, TensorRT named in the note', () => {
  const { dir, path } = freshCopy(RESNET18);
  const r = run('prune', path, '--method', '2:4', '--json', '-o', join(dir, 'sparse.onnx'));
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as TransformReport;
  const p = report.prune!;
  assert.equal(p.method, '2:4');
  assert.match(p.note!, /--sparsity=enable/);
  assert.ok(p.prunedLayers.length > 10 && p.prunedLayers.every((l) => l.opType === 'Conv'));
  const facts = numpyWeights(report.output, p.prunedLayers.map((l) => ({ name: l.weight, axis: 1 })));
  for (const l of p.prunedLayers) {
    const f = facts[l.weight]!;
    assert.ok(f.minGroupZeros! >= 2, `${l.node}: a group of 4 keeps more than 2`);
    assert.equal(f.zeros, f.size / 2, l.node);
  }
  assert.equal(report.sparsity, 0.5);
  assert.equal(report.parametersAfter, report.parametersBefore);
  assert.deepEqual(filesIn(dir), ['model.onnx', 'sparse.onnx', 'sparse.report.json']);
});

test('channels 0.3 on ResNet-18: at least 25 % fewer parameters, both checkers accept it, it runs in ORT, the recipe beside it, it can be quantized next', () => {
  const { dir, path } = freshCopy(RESNET18);
  const r = run('prune', path, '--method', 'channels', '--ratio', '0.3', '--json');
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as TransformReport;
  const before = pythonParameters(path);
  const after = pythonParameters(report.output);
  assert.equal(report.parametersBefore, before);
  assert.equal(report.parametersAfter, after);
  assert.ok(after <= 0.75 * before, `${after} of ${before}`);
  assert.ok(report.sizeAfter < report.sizeBefore);
  assert.ok(Number.isFinite(report.outputs[0]!.cosine));
  const recipe = join(dir, 'model.pruned.recipe.json');
  assert.equal(report.prune!.recipe, recipe);
  const json = JSON.parse(readFileSync(recipe, 'utf8'));
  assert.equal(json.format, 'onnx-studio-prune-recipe');
  assert.ok(json.units.length > 0 && json.units.every((u: { keptChannels: number[] }) => u.keptChannels.length % 8 === 0));
  assert.match(report.prune!.note!, /Channels were removed/);
  assert.deepEqual(filesIn(dir), ['model.onnx', 'model.pruned.onnx', 'model.pruned.recipe.json', 'model.pruned.report.json']);
  const check = run('check', report.output);
  assert.equal(check.status, 0, check.stdout);
  pythonAccepts(report.output);
  // A pruned model can be quantized next.
  const q = run('quantize', report.output, '--mode', 'dynamic');
  assert.equal(q.status, 0, q.stderr);
  assert.ok(existsSync(join(dir, 'model.pruned.int8.onnx')));
});

test('--target-cosine runs the sensitivity scan on calibration data: per-unit cosines for the overlay, chosen ratios applied, exit 0 or 1 by the target', () => {
  const { dir, path } = freshCopy(CLS);
  const r = run('prune', path, '--method', 'unstructured', '--target-cosine', '0.95', '--calib', join(OCR_CLS, 'calib'), '--eval', join(OCR_CLS, 'eval'), '--json');
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const report = JSON.parse(r.stdout) as TransformReport;
  const scan = report.prune!.sensitivity!;
  assert.equal(scan.targetCosine, 0.95);
  assert.ok(scan.units.length > 3);
  for (const u of scan.units) {
    assert.ok(u.nodes.length >= 1 && u.cosine.length >= 1 && u.cosine.length <= scan.ratios.length);
    assert.ok(u.chosen === 0 || scan.ratios.includes(u.chosen));
  }
  const pruned = new Map(report.prune!.prunedLayers.map((l) => [l.node, l]));
  for (const u of scan.units) for (const n of u.nodes) if (u.chosen === 0) assert.ok(!pruned.has(n), n);
  assert.ok(scan.units.some((u) => u.chosen > 0));
  assert.equal(report.targets?.[0]?.name, 'cosine');
  assert.equal(r.status, report.targets!.every((t) => t.met) ? 0 : 1);
  assert.match(r.stderr, /sensitivity: unit 1 of/);
  assert.ok(existsSync(join(dir, 'model.pruned.onnx')));
});

test('channels with --target-cosine: the recipe prunes exactly the units the scan chose, at their ratios', () => {
  const { dir, path } = freshCopy(CLS);
  const r = run('prune', path, '--method', 'channels', '--target-cosine', '0.95', '--calib', join(OCR_CLS, 'calib'), '--eval', join(OCR_CLS, 'eval'), '--json');
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const report = JSON.parse(r.stdout) as TransformReport;
  const scan = report.prune!.sensitivity!;
  const recipe = JSON.parse(readFileSync(join(dir, 'model.pruned.recipe.json'), 'utf8')) as { units: { id: string; ratio: number }[] };
  const chosen = new Map(scan.units.filter((u) => u.chosen > 0).map((u) => [u.id, u.chosen]));
  assert.ok(chosen.size > 0, JSON.stringify(scan.units));
  for (const u of recipe.units) assert.equal(chosen.get(u.id), u.ratio, u.id);
  assert.ok(report.parametersAfter! < report.parametersBefore!);
  assert.equal(r.status, report.targets!.every((t) => t.met) ? 0 : 1);
});

test('SIGTERM during the sensitivity scan: exit 143, no output, no temp folder, no onnxruntime process left', async () => {
  const { dir, path } = freshCopy(RESNET18);
  const child = spawn(process.execPath, [CLI, 'prune', path, '--method', 'channels', '--target-cosine', '0.95'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/sensitivity: unit 1 of/.test(stderr)) resolve();
    });
  });
  const temps = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith(`onnx-studio-${child.pid}-`));
  assert.equal(temps().length, 1);
  const workers = (): string[] => execFileSync('ps', ['-eo', 'pid,ppid,args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('runtime-worker.js') && l.includes(String(child.pid)));
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 143, stderr);
  assert.deepEqual(filesIn(dir), ['model.onnx']);
  assert.deepEqual(temps(), []);
  assert.deepEqual(workers(), []);
});
