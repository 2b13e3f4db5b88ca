import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { TransformRefusedError } from '../src/optimize/errors';
import type { PruneOptions, PruneResult } from '../src/optimize/prune/types';
import { unstructuredPruner } from '../src/optimize/prune/unstructured';
import { python } from './helpers/runtime';
import {
  casesModel, checkAgainstNumpy, MODELS, nameOfId, openForPruning, pruneFile, pythonJson, runtimeForFile, runBoth, tempFolder, type CheckFacts, type CheckSpec,
} from './helpers/prune-run';

// Unstructured magnitude pruning (src/optimize/prune/unstructured.ts) against numpy's selection of the same weights.
const client = runtimeForFile();
const CASES = casesModel();

function prune(input: string, options: Omit<PruneOptions, 'method'>): { out: string; result: PruneResult } {
  const out = join(tempFolder('prune-u-'), 'pruned.onnx');
  return { out, result: pruneFile(unstructuredPruner, input, out, { method: 'unstructured', ...options }) };
}

/** Every pruned layer as numpy prunes it; the table's zeros and sparsity are numpy's counts. */
function assertNumpy(input: string, out: string, result: PruneResult, spec: Omit<CheckSpec, 'layers'>, own: Record<string, number> = {}): CheckFacts {
  const layers = result.layers.map((l) => ({ node: nameOfId(l.node), ratio: own[l.node] ?? null }));
  const facts = checkAgainstNumpy(input, out, { ...spec, layers });
  for (const row of result.layers) {
    const f = facts.layers[nameOfId(row.node)]!;
    assert.ok(f.equal, `${row.node}: pruned weight differs from numpy's`);
    assert.equal(row.zeros, f.zeros, row.node);
    assert.equal(row.zeros, f.referenceZeros, row.node);
    assert.equal(row.weight, f.weight, row.node);
    assert.equal(row.sparsity, f.zeros / f.elements, row.node);
  }
  assert.equal(result.sparsity, facts.sparsity);
  return facts;
}

async function assertRunsLikeReference(out: string, reference: string, symbolic: Record<string, number> = {}): Promise<void> {
  const [got, want] = await runBoth(client(), out, reference, symbolic);
  assert.equal(got.length, want.length);
  got.forEach((o, k) => o.forEach((v, i) => assert.ok(Math.abs(v - want[k]![i]!) <= 1e-5 * Math.max(1, Math.abs(want[k]![i]!)), `output ${k}[${i}]: ${v} vs ${want[k]![i]}`)));
}

test('layer scope: exactly round(ratio·n) zeros per tensor, ties by position, shared weights copied for the pruned node only', async () => {
  const { out, result } = prune(CASES, { ratio: 0.6, excludeNodes: ['c2'] });
  assert.deepEqual(result.layers.map((l) => l.node), ['c1', 'c3', 'c5a', 'c5b', 'g', 'dw', 'gemm1', 'mm', 'gemm_y', 'mm10']);
  const facts = assertNumpy(CASES, out, result, { mode: 'layer', ratio: 0.6, untouched: ['c0', 'c2', 'gemm_last'] });
  for (const [node, f] of Object.entries(facts.untouched)) assert.ok(f.same, `${node} reads its weight unchanged`);
  // c2 (excluded) keeps W_shared; c1 reads a pruned copy; c5a and c5b prune W_pair once, in place; c3's Constant in place.
  const row = Object.fromEntries(result.layers.map((l) => [l.node, l]));
  assert.equal(row.c1!.weight, 'W_shared_pruned');
  assert.equal(facts.untouched.c2!.name, 'W_shared');
  assert.deepEqual([row.c5a!.weight, row.c5b!.weight, row.c3!.weight], ['W_pair', 'W_pair', 'W_const']);
  for (const l of result.layers) assert.equal(l.zeros, Math.round(0.6 * l.elementsBefore), l.node);
  assert.equal(result.nodesChanged, 10);
  assert.match(result.warnings.join('\n'), /'W_shared' is also read by 'c2'.*'c1' reads a pruned copy 'W_shared_pruned'/);
  await assertRunsLikeReference(out, facts.reference);
});

test('layer scope: a tensor holding more zeros than the ratio asks keeps them (W_const is about a tenth zeros)', () => {
  const { out, result } = prune(CASES, { ratio: 0.05, includeOps: ['Conv'] });
  const c3 = result.layers.find((l) => l.node === 'c3')!;
  const facts = assertNumpy(CASES, out, result, { mode: 'layer', ratio: 0.05 });
  assert.ok(c3.zeros > Math.round(0.05 * c3.elementsBefore), `${c3.zeros} zeros`);
  assert.equal(facts.layers.c3!.zeros, c3.zeros);
});

test('global scope: one cut over all pruned tensors, exact in total; a unit with its own ratio is cut alone; ratio 0 leaves a unit', async () => {
  const own = { gemm1: 0.2 };
  const { out, result } = prune(CASES, { ratio: 0.7, scope: 'global', unitRatios: { ...own, mm10: 0 } });
  assert.ok(!result.layers.some((l) => l.node === 'mm10'));
  assert.equal(result.skipped.find((s) => s.node === 'mm10')?.reason, 'unit ratio 0: left');
  const facts = assertNumpy(CASES, out, result, { mode: 'global', ratio: 0.7 }, own);
  const gemm1 = result.layers.find((l) => l.node === 'gemm1')!;
  assert.equal(gemm1.zeros, Math.round(0.2 * gemm1.elementsBefore));
  const ranked = new Map(result.layers.filter((l) => l.node !== 'gemm1').map((l) => [l.weight, l]));
  const elements = [...ranked.values()].reduce((a, l) => a + l.elementsBefore, 0);
  assert.equal([...ranked.values()].reduce((a, l) => a + l.zeros, 0), Math.round(0.7 * elements));
  await assertRunsLikeReference(out, facts.reference);
});

test('units: one per weight tensor, named by its first layer', () => {
  const { edit, files, ids } = openForPruning(CASES);
  const { units, skipped } = unstructuredPruner.units(edit, files, { method: 'unstructured', ratio: 0.5 }, ids);
  files.close();
  assert.deepEqual(units.find((u) => u.id === 'c5a'), { id: 'c5a', nodes: ['c5a', 'c5b'], parameters: 64 });
  assert.deepEqual(units.find((u) => u.id === 'c1'), { id: 'c1', nodes: ['c1', 'c2'], parameters: 64 });
  assert.equal(units.length, 9);
  assert.ok(skipped.some((s) => s.node === 'c0'));
});

test('bad ratios, unknown units and models with nothing prunable are refused before anything changes', () => {
  for (const ratio of [0, 1, 1.5, -0.2, Number.NaN]) {
    assert.throws(() => prune(CASES, { ratio }), (e: unknown) => e instanceof TransformRefusedError && /outside \(0, 1\)/.test(e.message), String(ratio));
  }
  assert.throws(() => prune(CASES, { ratio: 0.5, unitRatios: { nope: 0.3 } }), (e: unknown) => e instanceof TransformRefusedError && /'nope'/.test(e.message));
  assert.throws(() => prune(CASES, { ratio: 0.5, unitRatios: { c3: 1 } }), TransformRefusedError);
  assert.throws(
    () => prune(CASES, { ratio: 0.5, excludeOps: ['Conv', 'Gemm', 'MatMul'] }),
    (e: unknown) => e instanceof TransformRefusedError && /nothing to prune/.test(e.message) && /op type Conv is excluded: 'c0'/.test(e.message) && /op type MatMul is excluded: '/.test(e.message),
  );
});

test('IR 3 (initializers listed as inputs): the copy for a shared weight is an initializer and an input too, and the model runs', async () => {
  const input = casesModel('ir3.onnx');
  const { out, result } = prune(input, { ratio: 0.5, excludeNodes: ['k2'], keepFirstLast: false });
  assert.deepEqual(result.layers.map((l) => [l.node, l.weight]), [['k0', 'V0'], ['k1', 'V_shared_pruned'], ['k3', 'V3']]);
  const facts = assertNumpy(input, out, result, { mode: 'layer', ratio: 0.5, untouched: ['k2'] });
  assert.ok(facts.untouched.k2!.same);
  const inputs = JSON.parse(python(`
import sys, json, onnx
m = onnx.load(sys.argv[1])
print(json.dumps([m.ir_version, [i.name for i in m.graph.input], [t.name for t in m.graph.initializer]]))`, [out])) as [number, string[], string[]];
  assert.equal(inputs[0], 3);
  assert.ok(inputs[1].includes('V_shared_pruned') && inputs[2].includes('V_shared_pruned'));
  await assertRunsLikeReference(out, facts.reference);
});

test('ResNet-18, layer scope 0.3 (one unit at 0.1, named by its node name): every layer as numpy prunes it, the first Conv and the classifier untouched, runs as the reference does', async () => {
  const input = join(MODELS, 'resnet18.onnx');
  const { out, result } = prune(input, { ratio: 0.3, unitRatios: { '/layer1/layer1.0/conv1/Conv': 0.1 } });
  assert.equal(result.layers.length, 19);
  const facts = assertNumpy(input, out, result, { mode: 'layer', ratio: 0.3, untouched: ['/conv1/Conv', '/fc/Gemm'] }, { '%2Flayer1%2Flayer1.0%2Fconv1%2FConv': 0.1 });
  assert.ok(Object.values(facts.untouched).every((f) => f.same));
  const one = result.layers.find((l) => l.node === '%2Flayer1%2Flayer1.0%2Fconv1%2FConv')!;
  assert.equal(one.zeros, Math.round(0.1 * one.elementsBefore));
  assert.ok(Math.abs(result.sparsity - 0.3) < 0.01);
  await assertRunsLikeReference(out, facts.reference);
});

test('ResNet-50, global scope 0.5: exactly half of the pruned layers\' weights, as numpy ranks them', () => {
  const input = join(MODELS, 'resnet50.onnx');
  const { out, result } = prune(input, { ratio: 0.5, scope: 'global' });
  assertNumpy(input, out, result, { mode: 'global', ratio: 0.5 });
  const elements = result.layers.reduce((a, l) => a + l.elementsBefore, 0);
  assert.equal(result.layers.reduce((a, l) => a + l.zeros, 0), Math.round(0.5 * elements));
});

test('vit_b_16 (346 MB), global scope 0.5: exactly half of the 48 MatMul/Gemm weights, every zeroed |w| at most every kept one (numpy)', () => {
  const input = join(MODELS, 'vit_b_16.onnx');
  const { out, result } = prune(input, { ratio: 0.5, scope: 'global' });
  assert.equal(result.layers.length, 48);
  const f = pythonJson<{ elements: number; zeros: number; keptSame: boolean; maxZeroed: number; minKept: number }>('prune_threshold.py', [input, out, JSON.stringify(result.layers.map((l) => nameOfId(l.node)))]);
  assert.equal(f.zeros, Math.round(0.5 * f.elements));
  assert.equal(result.sparsity, f.zeros / f.elements);
  assert.ok(f.keptSame);
  assert.ok(f.maxZeroed <= f.minKept, `${f.maxZeroed} > ${f.minKept}`);
  rmSync(out);
});

test('PP-OCR cls (weights in Constant nodes), layer scope 0.5: as numpy prunes it, and it runs', async () => {
  const input = join(MODELS, '..', 'corpus', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
  const { out, result } = prune(input, { ratio: 0.5 });
  assert.ok(result.layers.length > 10);
  const facts = assertNumpy(input, out, result, { mode: 'layer', ratio: 0.5 });
  await assertRunsLikeReference(out, facts.reference, { 'p2o.DynamicDimension.0': 1, 'p2o.DynamicDimension.1': 3, 'p2o.DynamicDimension.2': 48 });
});
