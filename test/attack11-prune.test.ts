import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { TransformReport } from '../src/optimize/report';
import { CLI, ROOT } from './helpers/corpus';
import { checkAgainstNumpy, PYTHON, removeTempFolders, tempFolder } from './helpers/prune-run';

// Hostile and careless uses of `onnx-studio prune` (issue 11), through the CLI: every one ends in a
// model numpy agrees with, or in a clear message with exit 2/64 and no output file.
after(removeTempFolders);
const dir = tempFolder('attack11-');
execFileSync(PYTHON, [join(ROOT, 'test/helpers/attack11_models.py'), dir]);
const model = (name: string): string => join(dir, name);

const prune = (args: string[]) => spawnSync(process.execPath, [CLI, 'prune', ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
const report = (stdout: string): TransformReport => JSON.parse(stdout) as TransformReport;
/** Node names of a chain `prefix0..prefixN-1` without the first and the last (kept by default). */
const inner = (prefix: string, n: number): string[] => Array.from({ length: n - 2 }, (_, i) => `${prefix}${i + 1}`);

test('many small layers, external data and Constant weights behind Identity: each layer zeroed exactly as numpy (ties by position)', () => {
  for (const [file, layers] of [['many.onnx', inner('w', 300)], ['ext.onnx', inner('e', 5)], ['const.onnx', inner('k', 4)]] as const) {
    const out = join(dir, `${file}.pruned.onnx`);
    const r = prune([model(file), '--method', 'unstructured', '--ratio', '0.3', '-o', out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const facts = checkAgainstNumpy(model(file), out, { mode: 'layer', ratio: 0.3, layers: layers.map((node) => ({ node, ratio: null })) });
    for (const node of layers) {
      assert.ok(facts.layers[node]!.equal, `${file} ${node}: differs from numpy`);
      assert.equal(facts.layers[node]!.zeros, facts.layers[node]!.referenceZeros);
    }
    assert.equal(report(r.stdout).sparsity, facts.sparsity);
    // The size before counts the external data file too (the output holds the weights inline).
    if (file === 'ext.onnx') assert.equal(report(r.stdout).sizeBefore, statSync(model('ext.onnx')).size + statSync(model('ext.bin')).size);
  }
});

test('a ratio that zeroes no weight anywhere is refused (exit 2, no file), per layer and global; the smallest ratio that does is named', () => {
  for (const scope of ['layer', 'global']) {
    const out = join(dir, `small.${scope}.onnx`);
    const r = prune([model('small.onnx'), '--method', 'unstructured', '--ratio', '0.01', '--scope', scope, '-o', out]);
    assert.equal(r.status, 2, r.stderr);
    // 4x4 weights: round(0.01 · 16) = 0; globally the two inner layers hold 32 weights.
    assert.match(r.stderr, scope === 'layer' ? /the ratio 0\.01 zeroes no weight: .*largest has 16 weights.*at least 0\.032/ : /the ratio 0\.01 zeroes no weight: .*32 weights ranked together.*at least 0\.016/);
    assert.ok(!existsSync(out));
  }
});

test('a layer too small for the ratio is left, listed and warned about; the others are pruned exactly', () => {
  const out = join(dir, 'hugetiny.pruned.onnx');
  const r = prune([model('hugetiny.onnx'), '--method', 'unstructured', '--ratio', '0.005', '-o', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const rep = report(r.stdout);
  // h1 holds 1024·8 weights: round(0.005 · 8192) = 41; h2 holds 64: round(0.32) = 0.
  assert.deepEqual(rep.prune!.prunedLayers.map((l) => [l.node, l.zeros]), [['h1', 41]]);
  assert.ok(rep.prune!.skippedLayers.some((s) => s.node === 'h2' && /zeroes none/.test(s.reason)));
  assert.ok(rep.warnings.some((w) => /zeroes no weight of 1 layer\(s\), which are left: 'h2' \(64 weights\)/.test(w)), rep.warnings.join('\n'));
});

test('a ratio that rounds to every weight of a layer says the layer is all zeros', () => {
  const out = join(dir, 'hugetiny.all.onnx');
  const r = prune([model('hugetiny.onnx'), '--method', 'unstructured', '--ratio', '0.9999', '-o', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const rep = report(r.stdout);
  // round(0.9999 · 64) = 64; round(0.9999 · 8192) = 8191.
  assert.deepEqual(rep.prune!.prunedLayers.map((l) => [l.node, l.zeros]), [['h1', 8191], ['h2', 64]]);
  assert.ok(rep.warnings.some((w) => /every weight of 'h2' is zero now/.test(w)), rep.warnings.join('\n'));
});

test('pruning a pruned model again at the same sparsity warns that no weight was zeroed (unstructured and 2:4)', () => {
  for (const method of ['unstructured', '2:4']) {
    const once = join(dir, `many.once.${method.replace(':', '')}.onnx`);
    const twice = join(dir, `many.twice.${method.replace(':', '')}.onnx`);
    const ratio = method === '2:4' ? [] : ['--ratio', '0.5'];
    const first = prune([model('many.onnx'), '--method', method, ...ratio, '-o', once, '--json']);
    assert.equal(first.status, 0, first.stderr);
    assert.ok(!report(first.stdout).warnings.some((w) => /no weight was zeroed/.test(w)));
    const second = prune([once, '--method', method, ...ratio, '-o', twice, '--json']);
    assert.equal(second.status, 0, second.stderr);
    assert.ok(report(second.stdout).warnings.some((w) => /no weight was zeroed: every pruned layer already held the asked sparsity/.test(w)), method);
  }
});

test('a quantized model is refused with advice for pruning, not for quantizing (exit 2, no file)', () => {
  const out = join(dir, 'qop.pruned.onnx');
  const r = prune([model('qop.onnx'), '--method', 'unstructured', '--ratio', '0.3', '-o', out]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /already quantized: prune the float model, then quantize the pruned one \('q' \(QuantizeLinear\), 'qconv' \(QLinearConv\), 'dq' \(DequantizeLinear\)\)/);
  assert.ok(!existsSync(out));
});

test('--target-cosine -1, --exclude-ops naming an op that is not pruned and an empty -o are usage errors (exit 64)', () => {
  const out = join(dir, 'usage.onnx');
  const cosine = prune([model('small.onnx'), '--method', 'unstructured', '--target-cosine=-1', '-o', out]);
  assert.equal(cosine.status, 64, cosine.stderr);
  assert.match(cosine.stderr, /--target-cosine takes a number above -1, at most 1, not '-1'/);
  const ops = prune([model('small.onnx'), '--method', 'unstructured', '--ratio', '0.5', '--exclude-ops', 'MatMul,conv', '-o', out]);
  assert.equal(ops.status, 64, ops.stderr);
  assert.match(ops.stderr, /--exclude-ops takes op types among Conv, Gemm, MatMul \(the ones pruned\), not 'conv'/);
  // `-o "$OUT"` with OUT unset: no silent fall back to MODEL.pruned.onnx.
  const empty = prune([model('small.onnx'), '--method', 'unstructured', '--ratio', '0.5', '-o', '']);
  assert.equal(empty.status, 64, empty.stderr);
  assert.match(empty.stderr, /-o takes a file name, not an empty string/);
  assert.ok(!existsSync(join(dir, 'small.pruned.onnx')));
  assert.ok(!existsSync(out));
});

test('trt-check reads 2:4 through DequantizeLinear by its zero point: raw zeros that dequantize to -1.28 are dense, zero points in 2 of 4 are 2:4', () => {
  const findings = (file: string): string[] => {
    const r = spawnSync(process.execPath, [CLI, 'trt-check', model(file), '--json'], { encoding: 'utf8' });
    // Exit 1: TensorRT takes no uint8 zero point of 128 (an error finding of its own).
    assert.equal(r.status, 1, r.stderr);
    const pre = (JSON.parse(r.stdout) as { summary: { preflight: { code: string; nodeIds: string[] }[] } }).summary.preflight;
    return pre.filter((f) => f.code === 'two-four-sparse').flatMap((f) => f.nodeIds);
  };
  assert.deepEqual(findings('dq_false.onnx'), []);
  assert.deepEqual(findings('dq_true.onnx'), ['c1']);
});

test('the input, its external data file, and links to them are never written over', () => {
  const copy = join(dir, 'ext-copy');
  execFileSync('mkdir', [copy]);
  for (const f of ['ext.onnx', 'ext.bin']) copyFileSync(model(f), join(copy, f));
  execFileSync('ln', ['-s', 'ext.bin', join(copy, 'data-link.bin')]);
  for (const target of ['ext.onnx', 'ext.bin', 'data-link.bin']) {
    const r = prune([join(copy, 'ext.onnx'), '--method', 'unstructured', '--ratio', '0.3', '-o', join(copy, target)]);
    assert.equal(r.status, 2, `${target}: ${r.stderr}`);
    assert.match(r.stderr, /refusing to write over/);
  }
  assert.equal(execFileSync('cmp', [model('ext.bin'), join(copy, 'ext.bin')]).length, 0);
});

test('NaN and Inf weights are named in a warning, rank above every finite weight, and the count zeroed stays exact', () => {
  for (const method of ['unstructured', '2:4']) {
    const out = join(dir, `nan.${method.replace(':', '')}.onnx`);
    const r = prune([model('nan.onnx'), '--method', method, '--ratio', '0.5', '-o', out, '--json']);
    assert.equal(r.status, 0, r.stderr);
    const rep = report(r.stdout);
    assert.ok(rep.warnings.some((w) => /weights hold NaN or Inf values, which rank above every finite weight \(zeroed last\): 'N1' \(3\);/.test(w)), rep.warnings.join('\n'));
    const values = JSON.parse(execFileSync(PYTHON, ['-c', `
import json, sys, numpy as np, onnx
from onnx import numpy_helper as nh
w = {t.name: nh.to_array(t) for t in onnx.load(sys.argv[1]).graph.initializer}['N1']
print(json.dumps([int((w == 0).sum()), int(np.isnan(w).sum()), int(np.isinf(w).sum())]))`, out], { encoding: 'utf8' })) as number[];
    // 576 weights, half zeroed; the NaN and both Inf kept (unstructured: largest; 2:4: the larger of their group).
    assert.deepEqual(values, [288, 1, 2], method);
  }
});
