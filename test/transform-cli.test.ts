import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TransformReport } from '../src/optimize/report';
import { writeModel } from '../src/onnx/io/write-model';
import { CLI, CORPUS_DIR, ROOT } from './helpers/corpus';
import { matMulModel } from './helpers/models';

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
const CLS = join(CORPUS_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const MOBILENET = join(ROOT, '.cache', 'models', 'mobilenet_v3_small.onnx');
const IMAGENET = join(ROOT, '.cache', 'data', 'imagenet224');
const OCR_CLS = join(ROOT, '.cache', 'data', 'ocr-cls');

function freshCopy(model: string): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'transform-cli-'));
  const path = join(dir, 'model.onnx');
  copyFileSync(model, path);
  return { dir, path };
}

/** python onnx.checker on the written model (scripts/python/check_onnx.py never writes). */
function pythonAccepts(path: string): void {
  const r = spawnSync('/usr/bin/python3', [join(ROOT, 'scripts', 'python', 'check_onnx.py'), path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
}

/** Nothing but the given names is left in the folder (no temp files, no partial outputs). */
const filesIn = (dir: string): string[] => readdirSync(dir).sort();

test('fp16 --json: one JSON document on stdout, the report beside the output, figures from onnxruntime; both checkers accept the model', () => {
  const { dir, path } = freshCopy(CLS);
  const r = run('fp16', path, '--json', '--eval', join(OCR_CLS, 'eval'));
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as TransformReport;
  assert.equal(report.output, join(dir, 'model.fp16.onnx'));
  assert.equal(report.sizeAfter, statSync(report.output).size);
  assert.equal(report.sizeBefore, statSync(path).size);
  assert.equal(report.outputs.length, 1);
  assert.ok(report.outputs[0]!.cosine > 0.999, JSON.stringify(report.outputs));
  assert.ok(report.latencyMs!.before.median > 0 && report.latencyMs!.after.p90 >= report.latencyMs!.after.median);
  assert.equal(report.validationData?.kind, 'eval');
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'model.fp16.report.json'), 'utf8')), report);
  assert.match(r.stderr, /model\.fp16\.onnx: written/);
  assert.deepEqual(filesIn(dir), ['model.fp16.onnx', 'model.fp16.report.json', 'model.onnx']);
  const check = run('check', report.output);
  assert.equal(check.status, 0, check.stdout);
  pythonAccepts(report.output);
});

test('quantize --mode dynamic: the plain command writes MODEL.int8.onnx only; quantizing its output again is refused (exit 2, nothing written)', () => {
  const { dir, path } = freshCopy(CLS);
  const r = run('quantize', path, '--mode', 'dynamic');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.deepEqual(filesIn(dir), ['model.int8.onnx', 'model.onnx']);
  pythonAccepts(join(dir, 'model.int8.onnx'));
  const again = run('quantize', join(dir, 'model.int8.onnx'), '--mode', 'dynamic', '-o', join(dir, 'twice.onnx'));
  assert.equal(again.status, 2, again.stderr);
  assert.match(again.stderr, /already quantized/);
  assert.ok(!existsSync(join(dir, 'twice.onnx')));
});

test('quantize --mode static on MobileNetV3 with photographs: held-out fifth by default, per-channel int8 QDQ, a TensorRT calibration cache', () => {
  const { dir, path } = freshCopy(MOBILENET);
  const cache = join(dir, 'calib.cache');
  const r = run('quantize', path, '--mode', 'static', '--calib', join(IMAGENET, 'calib-images'), '--trt-cache', cache, '--json');
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as TransformReport;
  assert.equal(report.validationData?.kind, 'held-out');
  assert.ok(report.sizeAfter < 0.3 * report.sizeBefore, `${report.sizeAfter} / ${report.sizeBefore}`);
  assert.ok(report.outputs[0]!.cosine > 0.9, JSON.stringify(report.outputs));
  assert.equal(report.details.preset, 'tensorrt');
  const lines = readFileSync(cache, 'utf8').trim().split('\n');
  assert.match(lines[0]!, /^TRT-\d+-EntropyCalibration2$/);
  assert.ok(lines.length > 20 && lines.slice(1).every((l) => /^.+: [0-9a-f]{8}$/.test(l)));
  pythonAccepts(report.output);
});

test('static tensorrt preset on the pretrained PP-OCR direction classifier (opset 9): top-1 agreement with FP32 at least 95 % on held-out text crops', () => {
  const { path } = freshCopy(CLS);
  const r = run('quantize', path, '--mode', 'static', '--calib', join(OCR_CLS, 'calib'), '--eval', join(OCR_CLS, 'eval'), '--json');
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as TransformReport;
  assert.equal(report.details.opsetRaised, '9 → 13');
  assert.ok(report.outputs[0]!.top1Agreement! >= 0.95, JSON.stringify(report.outputs));
  pythonAccepts(report.output);
});

test('static on Silero VAD v5, whose quantized nodes all sit in If branches: their weights int8, no main-graph activation to calibrate, exit 0', () => {
  const { path } = freshCopy(join(CORPUS_DIR, 'silero_vad_v5.onnx'));
  const speech = join(ROOT, '.cache', 'data', 'speech', 'silero-v5');
  const r = run('quantize', path, '--mode', 'static', '--calib', join(speech, 'calib'), '--eval', join(speech, 'eval'), '--target-cosine', '0.98', '--json');
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as TransformReport;
  assert.equal(report.details.quantizedNodes, 0);
  assert.ok(Number(report.details.weightOnlyNodes) > 0);
  assert.ok(report.outputs.every((o) => o.cosine >= 0.98), JSON.stringify(report.outputs));
  pythonAccepts(report.output);
});

test('bad usage exits 64 without touching anything', () => {
  const { dir, path } = freshCopy(CLS);
  for (const args of [
    ['quantize', path],
    ['quantize', path, '--mode', 'sideways'],
    ['quantize', path, '--mode', 'dynamic', '--calib', dir],
    ['quantize', path, '--mode', 'static', '--method', 'magic'],
    ['quantize', path, '--mode', 'static', '--per-channel', '--per-tensor'],
    ['quantize', path, '--mode', 'static', '--target-cosine', 'high'],
    ['fp16', path, '--keep-io-types', '--no-keep-io-types'],
  ]) {
    const r = run(...args);
    assert.equal(r.status, 64, `${args.join(' ')}: ${r.stderr}`);
  }
  assert.deepEqual(filesIn(dir), ['model.onnx']);
});

test('files that cannot be used exit 2 and write nothing: the input as output, a missing output folder, calibration data of the wrong shape', () => {
  const { dir, path } = freshCopy(CLS);
  const before = readFileSync(path);
  const onto = run('quantize', path, '--mode', 'dynamic', '-o', path);
  assert.equal(onto.status, 2, onto.stderr);
  assert.match(onto.stderr, /refusing to write over/);
  assert.deepEqual(readFileSync(path), before);
  const nowhere = run('fp16', path, '-o', join(dir, 'missing', 'out.onnx'));
  assert.equal(nowhere.status, 2, nowhere.stderr);
  const calib = join(dir, 'calib');
  mkdirSync(calib);
  execFileSync('/usr/bin/python3', ['-c', 'import numpy as np, sys; np.save(sys.argv[1], np.zeros((1, 3, 8, 8), np.int64))', join(calib, 'wrong.npy')]);
  const wrong = run('quantize', path, '--mode', 'static', '--calib', calib);
  assert.equal(wrong.status, 2, wrong.stderr);
  assert.match(wrong.stderr, /wrong\.npy.*expects float32.*found int64/);
  assert.deepEqual(filesIn(dir), ['calib', 'model.onnx']);
});

test('--trt-cache never writes over the input model or the output (exit 2, nothing written)', () => {
  const { dir, path } = freshCopy(CLS);
  const before = readFileSync(path);
  for (const cache of [path, join(dir, 'model.int8.onnx')]) {
    const r = run('quantize', path, '--mode', 'static', '--trt-cache', cache);
    assert.equal(r.status, 2, r.stderr);
    assert.deepEqual(readFileSync(path), before);
    assert.deepEqual(filesIn(dir), ['model.onnx']);
  }
});

test('a weight holding NaN is bad input: exit 2 with its name, no output file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'transform-cli-'));
  const path = join(dir, 'model.onnx');
  writeModel(matMulModel([1, NaN, 0.5, 2]), undefined, path, { protect: [] });
  const r = run('quantize', path, '--mode', 'dynamic');
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /'w'.*NaN/);
  assert.deepEqual(filesIn(dir), ['model.onnx']);
});

test('fp16 of a model with no float32 weight left is refused (exit 2)', () => {
  const { dir, path } = freshCopy(CLS);
  assert.equal(run('fp16', path).status, 0);
  const again = run('fp16', join(dir, 'model.fp16.onnx'), '-o', join(dir, 'twice.onnx'));
  assert.equal(again.status, 2, again.stderr);
  assert.match(again.stderr, /nothing to convert/);
  assert.ok(!existsSync(join(dir, 'twice.onnx')));
});

test('a target that is not met: exit 1, the model is still written and the report says so', () => {
  const { dir, path } = freshCopy(CLS);
  const r = run('quantize', path, '--mode', 'static', '--preset', 'cpu', '--calib', join(OCR_CLS, 'calib'), '--eval', join(OCR_CLS, 'eval'), '--target-cosine', '1', '--json');
  assert.equal(r.status, 1, r.stderr);
  const report = JSON.parse(r.stdout) as TransformReport;
  const target = report.targets!.find((t) => t.name === 'cosine')!;
  assert.equal(target.met, false);
  assert.ok(existsSync(join(dir, 'model.int8.onnx')));
  assert.match(r.stderr, /target not met: cosine/);
  assert.ok(report.keptFloat.length > 0, 'the accuracy-aware mode fell back to float for some nodes');
  assert.ok(Object.keys(report.nodeSnrDb ?? {}).length > 10, 'per-node SNR for the overlay');
});

test('SIGTERM during calibration: exit 143, no output, no temp file, no onnxruntime process left', async () => {
  const { dir, path } = freshCopy(MOBILENET);
  const child = spawn(process.execPath, [CLI, 'quantize', path, '--mode', 'static', '--calib', join(IMAGENET, 'calib')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  await new Promise<void>((resolve) => {
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/calibrating/.test(stderr)) resolve();
    });
  });
  const workers = (): string[] => execFileSync('ps', ['-eo', 'pid,ppid,args'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('runtime-worker.js') && l.includes(String(child.pid)));
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  assert.equal(code, 143, stderr);
  assert.deepEqual(filesIn(dir), ['model.onnx']);
  assert.deepEqual(workers(), []);
  writeFileSync(join(dir, 'done'), '');
});
