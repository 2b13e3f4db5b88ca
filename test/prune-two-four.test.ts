import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { TransformRefusedError } from '../src/optimize/errors';
import type { PruneOptions, PruneResult } from '../src/optimize/prune/types';
import { twoFourPruner } from '../src/optimize/prune/two-four';
import { python } from './helpers/runtime';
import { casesModel, checkAgainstNumpy, MODELS, nameOfId, pruneFile, runtimeForFile, runBoth, tempFolder, type CheckFacts } from './helpers/prune-run';

// 2:4 semi-structured sparsity (src/optimize/prune/two-four.ts) against numpy's 2:4 of the same weights.
const client = runtimeForFile();
const CASES = casesModel();
const CORPUS = join(MODELS, '..', 'corpus');

function prune(input: string, options: Partial<PruneOptions> = {}): { out: string; result: PruneResult } {
  const out = join(tempFolder('prune-24-'), 'pruned.onnx');
  return { out, result: pruneFile(twoFourPruner, input, out, { method: '2:4', ratio: 0.5, ...options }) };
}

/** Every pruned layer equals numpy's 2:4 and has the pattern; the table counts numpy's zeros. */
function assertNumpy(input: string, out: string, result: PruneResult, untouched: string[] = []): CheckFacts {
  const facts = checkAgainstNumpy(input, out, { mode: '2:4', ratio: 0.5, layers: result.layers.map((l) => ({ node: nameOfId(l.node), ratio: null })), untouched });
  for (const row of result.layers) {
    const f = facts.layers[nameOfId(row.node)]!;
    assert.ok(f.equal, `${row.node}: differs from numpy's 2:4`);
    assert.ok(f.pattern, `${row.node}: a group of 4 holds fewer than 2 zeros`);
    assert.equal(row.zeros, f.zeros, row.node);
    assert.equal(row.weight, f.weight, row.node);
  }
  assert.equal(result.sparsity, facts.sparsity);
  for (const [node, f] of Object.entries(facts.untouched)) assert.ok(f.same, `${node} reads its weight unchanged`);
  return facts;
}

async function assertRunsLikeReference(out: string, reference: string, symbolic: Record<string, number> = {}): Promise<void> {
  const [got, want] = await runBoth(client(), out, reference, symbolic);
  got.forEach((o, k) => o.forEach((v, i) => assert.ok(Math.abs(v - want[k]![i]!) <= 1e-5 * Math.max(1, Math.abs(want[k]![i]!)), `output ${k}[${i}]: ${v} vs ${want[k]![i]}`)));
}

test('2:4 along each layer\'s reduction axis (grouped Conv, Gemm transB, MatMul B); depthwise and K = 10 skipped with the reason', async () => {
  const { out, result } = prune(CASES, { excludeNodes: ['c2'] });
  assert.deepEqual(result.layers.map((l) => l.node), ['c1', 'c3', 'c5a', 'c5b', 'g', 'gemm1', 'mm', 'gemm_y']);
  const why = Object.fromEntries(result.skipped.map((s) => [s.node, s.reason]));
  assert.match(why.dw!, /^depthwise Conv/);
  assert.equal(why.mm10, 'the reduction axis, K (10), is not a multiple of 4');
  const facts = assertNumpy(CASES, out, result, ['c0', 'c2', 'gemm_last', 'mm10', 'dw']);
  // Half of every tensor, but W_const: some of its groups held 3 or 4 zeros already.
  for (const l of result.layers) if (l.weight !== 'W_const') assert.equal(l.zeros, l.elementsBefore / 2, l.node);
  assert.ok(result.layers.find((l) => l.node === 'c3')!.zeros >= 288 + 3);
  assert.equal(result.layers.find((l) => l.node === 'c1')!.weight, 'W_shared_pruned');
  await assertRunsLikeReference(out, facts.reference);
});

test('a tensor read along two reduction axes gets a 2:4 copy for each, and the original, unread, is removed', async () => {
  const input = casesModel('layouts.onnx');
  const { out, result } = prune(input, { keepFirstLast: false });
  assert.deepEqual(result.layers.map((l) => [l.node, l.weight]), [['g1', 'T_pruned'], ['m1', 'T_pruned_1']]);
  assert.deepEqual(result.warnings, [], 'no reader keeps T');
  const facts = assertNumpy(input, out, result);
  const names = JSON.parse(python(`
import sys, json, onnx
print(json.dumps([t.name for t in onnx.load(sys.argv[1]).graph.initializer]))`, [out])) as string[];
  assert.deepEqual(names.sort(), ['T_pruned', 'T_pruned_1']);
  await assertRunsLikeReference(out, facts.reference);
});

test('the ratio must be 0.5, unit ratios 0.5 or 0', () => {
  for (const ratio of [0.3, 0.6, 0, 1]) assert.throws(() => prune(CASES, { ratio }), (e: unknown) => e instanceof TransformRefusedError && /ratio is 0.5/.test(e.message));
  assert.throws(() => prune(CASES, { unitRatios: { c3: 0.25 } }), TransformRefusedError);
  const { result } = prune(CASES, { unitRatios: { c3: 0 } });
  assert.equal(result.skipped.find((s) => s.node === 'c3')?.reason, 'unit ratio 0: left');
  assert.throws(() => prune(CASES, { includeOps: ['MatMul'], excludeNodes: ['mm'] }), (e: unknown) => e instanceof TransformRefusedError && /nothing to prune with 2:4/.test(e.message));
});

test('ResNet-18: exactly half of every pruned layer, the first Conv (C = 3) and the classifier kept, runs as numpy\'s reference does', async () => {
  const input = join(MODELS, 'resnet18.onnx');
  const { out, result } = prune(input);
  assert.equal(result.layers.length, 19);
  assert.equal(result.sparsity, 0.5);
  const facts = assertNumpy(input, out, result, ['/conv1/Conv', '/fc/Gemm']);
  await assertRunsLikeReference(out, facts.reference);
});

test('MobileNetV3-small: depthwise convolutions skipped, the rest 2:4', async () => {
  const input = join(MODELS, 'mobilenet_v3_small.onnx');
  const { out, result } = prune(input);
  const depthwise = result.skipped.filter((s) => /^depthwise/.test(s.reason));
  assert.ok(depthwise.length >= 10, `${depthwise.length} depthwise`);
  assert.ok(result.layers.length >= 30, `${result.layers.length} layers`);
  const facts = assertNumpy(input, out, result);
  await assertRunsLikeReference(out, facts.reference);
});

test('PP-OCR det (opset 11, weights in Constant nodes): 2:4 as numpy makes it, and it runs', async () => {
  const input = join(CORPUS, 'ch_PP-OCRv4_det_infer.onnx');
  const { out, result } = prune(input);
  assert.ok(result.layers.length > 20);
  const facts = assertNumpy(input, out, result);
  await assertRunsLikeReference(out, facts.reference, { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 64, 'p2o.DynamicDimension.2': 64 });
});
