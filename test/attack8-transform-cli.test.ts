import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TransformReport } from '../src/optimize/report';
import { CLI, ROOT } from './helpers/corpus';

// Hostile and careless uses of `quantize` / `fp16` through the real CLI (attack8).
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });

/** A fresh folder with the generated models of helpers/attack8_models.py. */
function models(): string {
  const dir = mkdtempSync(join(tmpdir(), 'attack8-'));
  execFileSync('/usr/bin/python3', [join(ROOT, 'test', 'helpers', 'attack8_models.py'), dir]);
  return dir;
}

const filesIn = (dir: string): string[] => readdirSync(dir).sort();

/** Exit 2 with a one-line message: no stack, no internal error, nothing on stdout. */
function refused(r: ReturnType<typeof run>, message: RegExp): void {
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
  assert.match(r.stderr, message);
}

test('--trt-cache onto the input, its external data, a link to the input, the output or the report is refused before any work; the input is intact', () => {
  const dir = models();
  const model = join(dir, 'ext', 'model.onnx');
  const data = join(dir, 'ext', 'model.onnx.data');
  symlinkSync(model, join(dir, 'link'));
  const before = [readFileSync(model), readFileSync(data)];
  const listing = filesIn(dir);
  const out = join(dir, 'q.onnx');
  for (const [cache, why] of [[model, /it is the model/], [data, /refers to it/], [join(dir, 'link'), /same file as/], [out, /it is the output model/], [join(dir, 'q.report.json'), /it is the report/]] as const) {
    const r = run('quantize', model, '--mode', 'static', '--json', '--trt-cache', cache, '-o', out);
    refused(r, why);
    assert.doesNotMatch(r.stderr, /calibrating/);
  }
  assert.deepEqual([readFileSync(model), readFileSync(data)], before);
  assert.deepEqual(filesIn(dir), listing);
});

test('weights with NaN or Inf: dynamic and static refuse them (exit 2, one line, no file)', () => {
  const dir = models();
  const listing = filesIn(dir);
  for (const mode of ['dynamic', 'static']) refused(run('quantize', join(dir, 'nan.onnx'), '--mode', mode, '--json', '-o', join(dir, 'q.onnx')), /weight 'W' holds NaN or infinite values/);
  assert.deepEqual(filesIn(dir), listing);
});

test('static quantization of a model whose only MatMul is in a function: "no node would be quantized" (exit 2), not an internal error', () => {
  const dir = models();
  refused(run('quantize', join(dir, 'func.onnx'), '--mode', 'static', '--json', '-o', join(dir, 'q.onnx')), /no node of this model would be quantized/);
  assert.ok(!filesIn(dir).includes('q.onnx'));
});

test('a model onnxruntime refuses (duplicate node names): exit 2 with ORT\'s message, and no output model is left behind', () => {
  const dir = models();
  const listing = filesIn(dir);
  for (const args of [['quantize', '--mode', 'dynamic'], ['fp16']]) {
    refused(run(args[0]!, join(dir, 'dup.onnx'), ...args.slice(1), '--json', '-o', join(dir, 'out.onnx')), /two nodes with same node name/);
    assert.deepEqual(filesIn(dir), listing);
  }
});

test('an --eval folder holding a FIFO is refused before anything is written', () => {
  const dir = models();
  const evalDir = join(dir, 'eval');
  mkdirSync(evalDir);
  execFileSync('mkfifo', [join(evalDir, 'a.npy')]);
  const listing = filesIn(dir);
  const r = run('quantize', join(dir, 'plain.onnx'), '--mode', 'dynamic', '--json', '--eval', evalDir, '-o', join(dir, 'q.onnx'));
  refused(r, /a named pipe; refused/);
  assert.doesNotMatch(r.stderr, /writing/);
  assert.deepEqual(filesIn(dir), listing);
});

test('--eval equal to --calib: the report says its figures are not held out', () => {
  const dir = models();
  const calib = join(dir, 'calib');
  const r = run('quantize', join(dir, 'plain.onnx'), '--mode', 'static', '--json', '--calib', calib, '--eval', `${calib}/`, '-o', join(dir, 'q.onnx'));
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as TransformReport;
  assert.ok(report.warnings.some((w) => /--eval is the calibration folder/.test(w)), JSON.stringify(report.warnings));
});

test('-o or --trt-cache onto a calibration or evaluation file is refused (exit 2) and the file is intact', () => {
  const dir = models();
  const calib = join(dir, 'calib');
  const before = filesIn(calib).map((f) => readFileSync(join(calib, f)));
  refused(run('quantize', join(dir, 'plain.onnx'), '--mode', 'static', '--calib', calib, '-o', join(calib, '0.npy')), /it is a calibration or evaluation file/);
  refused(run('quantize', join(dir, 'plain.onnx'), '--mode', 'static', '--calib', calib, '--trt-cache', join(calib, '1.npy'), '-o', join(dir, 'q.onnx')), /it is a calibration or evaluation file/);
  refused(run('quantize', join(dir, 'plain.onnx'), '--mode', 'dynamic', '--json', '--eval', calib, '-o', join(calib, '2.npy')), /it is a calibration or evaluation file/);
  assert.deepEqual(filesIn(calib).map((f) => readFileSync(join(calib, f))), before);
  assert.ok(!filesIn(dir).includes('q.onnx'));
});

test('bad option values are usage errors (exit 64, one line), never an internal error or an onnxruntime allocation failure', () => {
  const dir = models();
  const model = join(dir, 'plain.onnx');
  const listing = filesIn(dir);
  for (const [args, message] of [
    [['quantize', model, '--mode', 'dynamic', '--json', '--threads', '1e9'], /--threads takes an integer from 0 to 1024/],
    [['fp16', model, '--threads', '2.5'], /--threads takes an integer/],
    [['quantize', model, '--mode', 'static', '--image-size', '0,0'], /--image-size takes H,W/],
    [['quantize', model, '--mode', 'static', '--target-cosine', '2'], /--target-cosine takes a number from -1 to 1/],
    [['quantize', model, '--mode', 'static', '--target-top1', '95'], /--target-top1 takes a number from 0 to 1/],
  ] as const) {
    const r = run(...args, '-o', join(dir, 'q.onnx'));
    assert.equal(r.status, 64, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /internal error|bad_alloc/);
  }
  assert.deepEqual(filesIn(dir), listing);
});

test('--exclude-nodes with a name no node has (a typo): the report warns that nothing was excluded for it', () => {
  const dir = models();
  const r = run('quantize', join(dir, 'plain.onnx'), '--mode', 'static', '--json', '--exclude-nodes', 'mm_typo', '-o', join(dir, 'q.onnx'));
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as TransformReport;
  assert.ok(report.warnings.includes("--exclude-nodes: no node is named 'mm_typo'; nothing was excluded for it"), JSON.stringify(report.warnings));
});

test('an unreachable --target-cosine: exit 1, the model (its last node still int8) and the report are written, the target says not met', () => {
  const dir = models();
  const r = run('quantize', join(dir, 'plain.onnx'), '--mode', 'static', '--json', '--calib', join(dir, 'calib'), '--target-cosine', '1', '-o', join(dir, 'q.onnx'));
  assert.equal(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout) as TransformReport;
  assert.deepEqual(report.targets?.map((t) => [t.name, t.wanted, t.met]), [['cosine', 1, false]]);
  assert.ok(filesIn(dir).includes('q.onnx') && filesIn(dir).includes('q.report.json'));
  // Fallbacks are kept only when they help; whatever was kept says why, and one node stays int8.
  for (const id of report.keptFloat) assert.match(report.keptFloatWhy?.[id] ?? '', /accuracy-aware fallback/);
  assert.ok(Number(report.details.quantizedNodes) + Number(report.details.weightOnlyNodes) >= 1, JSON.stringify(report.details));
});

test('fp16 --no-keep-io-types --json: latency is measured on the float16 model with its float16 inputs (was: ORT type error, exit 2)', () => {
  const dir = models();
  const r = run('fp16', join(dir, 'plain.onnx'), '--no-keep-io-types', '--json', '-o', join(dir, 'h.onnx'));
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as TransformReport;
  assert.ok(report.latencyMs!.after.median > 0);
  assert.ok(report.outputs[0]!.cosine > 0.999, JSON.stringify(report.outputs));
});
