import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { prunableLayers } from '../src/optimize/prune/layers';
import type { PruneOptions } from '../src/optimize/prune/types';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { OnnxFormatError } from '../src/onnx/errors';
import { twoFourPruner } from '../src/optimize/prune/two-four';
import { unstructuredPruner } from '../src/optimize/prune/unstructured';
import { bytesOf, graph, model, node, tensorProto, tensorType, valueInfo } from './helpers/models';
import { casesModel, MODELS, openForPruning, PYTHON, removeTempFolders, tempFolder } from './helpers/prune-run';

// Which layers a pruner may change (src/optimize/prune/layers.ts), on the synthetic cases model and torchvision ResNet-18.
after(removeTempFolders);
const CASES = casesModel();
const unstructured = (extra: Partial<PruneOptions> = {}): PruneOptions => ({ method: 'unstructured', ratio: 0.5, ...extra });

function layersOf(path: string, options: PruneOptions) {
  const { edit, files, ids } = openForPruning(path);
  try {
    return prunableLayers(edit, files, options, ids);
  } finally {
    files.close();
  }
}

test('every case of the synthetic model is a layer or skipped with its reason', () => {
  const { layers, skipped } = layersOf(CASES, unstructured());
  assert.deepEqual(layers.map((l) => l.id), ['c1', 'c2', 'c3', 'c5a', 'c5b', 'g', 'dw', 'gemm1', 'mm', 'gemm_y', 'mm10']);
  const why = Object.fromEntries(skipped.map((s) => [s.node, s.reason]));
  assert.deepEqual(Object.keys(why).sort(), ['c0', 'c4', 'gemm_last', 'if/else_branch/mm_else', 'if/then_branch/mm_then', 'mm_cast', 'mm_in'].sort());
  assert.match(why.c0!, /^first prunable layer/);
  assert.match(why.gemm_last!, /^last prunable layer/);
  assert.match(why.c4!, /computed by DequantizeLinear 'dq'/);
  assert.match(why.mm_cast!, /computed by Cast 'cast'/);
  assert.match(why.mm_in!, /graph input/);
  assert.match(why['if/then_branch/mm_then']!, /subgraph of 'if'/);
  const byId = Object.fromEntries(layers.map((l) => [l.id, l]));
  // Axes: Conv [M, C/g, k, k]; Gemm transB=1 B [N, K]; Gemm B [K, N]; MatMul B [K, N].
  assert.deepEqual([byId.g!.outputAxis, byId.g!.reductionAxis, byId.g!.group], [0, 1, 2]);
  assert.deepEqual([byId.gemm1!.outputAxis, byId.gemm1!.reductionAxis], [0, 1]);
  assert.deepEqual([byId.gemm_y!.outputAxis, byId.gemm_y!.reductionAxis], [1, 0]);
  assert.deepEqual([byId.mm!.outputAxis, byId.mm!.reductionAxis], [1, 0]);
  assert.equal(byId.c3!.sourceName, 'W_const');
  assert.ok(byId.c3!.source.constant);
  // W_shared: c1 reads it directly, c2 through an Identity; W_pair: read twice.
  assert.deepEqual(byId.c1!.otherReads.map((r) => r.node?.name), ['c2']);
  assert.equal(byId.c2!.sourceName, 'W_shared');
  assert.deepEqual(byId.c5a!.otherReads.map((r) => r.node?.name), ['c5b']);
  assert.deepEqual(byId.gemm1!.otherReads, []);
});

test('op and node filters, and keepFirstLast false', () => {
  const a = layersOf(CASES, unstructured({ excludeOps: ['Conv'], excludeNodes: ['mm'], keepFirstLast: false }));
  assert.deepEqual(a.layers.map((l) => l.id), ['gemm1', 'gemm_y', 'mm10', 'gemm_last']);
  const why = Object.fromEntries(a.skipped.map((s) => [s.node, s.reason]));
  assert.equal(why.mm, 'excluded by name');
  assert.equal(why.c0, 'op type Conv is excluded');
  const b = layersOf(CASES, unstructured({ includeOps: ['Gemm', 'Relu'] }));
  // Over Gemm alone, gemm1 is the first and gemm_last the last.
  assert.deepEqual(b.layers.map((l) => l.id), ['gemm_y']);
  assert.match(b.skipped.find((s) => s.node === 'relu')!.reason, /not a prunable op type/);
  assert.match(b.skipped.find((s) => s.node === 'gemm1')!.reason, /^first/);
});

test('ResNet-18: every Conv and the Gemm but the first Conv and the classifier, as python onnx lists them', () => {
  const path = join(MODELS, 'resnet18.onnx');
  const expected = JSON.parse(execFileSync(PYTHON, ['-c', `
import sys, json, onnx
m = onnx.load(sys.argv[1], load_external_data=False)
print(json.dumps([n.name for n in m.graph.node if n.op_type in ('Conv', 'Gemm', 'MatMul')]))`, path], { encoding: 'utf8' })) as string[];
  const { layers, skipped } = layersOf(path, unstructured());
  assert.equal(expected.length, 21);
  const id = (name: string) => name.replace(/%/g, '%25').replace(/\//g, '%2F');
  assert.deepEqual(skipped.map((s) => s.node), [id(expected[0]!), id(expected[20]!)]);
  assert.deepEqual(layers.map((l) => l.node.name).sort(), expected.slice(1, 20).sort());
});

test('bad weights: no elements is skipped with the reason; values that do not fill the dims stop the pruner with OnnxFormatError', () => {
  const conv = (name: string, w: string, x: string, y: string) => node('Conv', [x, w], [y], [], name);
  const g = graph({
    node: [conv('a', 'Wa', 'x', 'ya'), conv('b', 'Wb', 'ya', 'yb'), conv('c', 'Wc', 'yb', 'yc'), conv('d', 'Wd', 'yc', 'y')],
    input: [valueInfo('x', tensorType(1, [1, 4, 3, 3]))],
    output: [valueInfo('y', tensorType(1, [1, 4, 3, 3]))],
    initializer: [
      ...['Wa', 'Wd'].map((n) => tensorProto({ name: n, data_type: 1, dims: [4, 4, 1, 1], raw_data: new Uint8Array(64) })),
      tensorProto({ name: 'Wb', data_type: 1, dims: [0, 4, 1, 1], raw_data: new Uint8Array(0) }),
      tensorProto({ name: 'Wc', data_type: 1, dims: [4, 4, 1, 1], raw_data: new Uint8Array(60) }),
    ],
  });
  const dir = tempFolder('prune-bad-');
  const path = join(dir, 'bad.onnx');
  writeFileSync(path, bytesOf(model(g)));
  const { layers, skipped } = layersOf(path, unstructured());
  assert.equal(skipped.find((s) => s.node === 'b')?.reason, "weight 'Wb' has no elements");
  assert.deepEqual(layers.map((l) => l.id), ['c']);
  const { edit, files, ids } = openForPruning(path);
  try {
    assert.throws(() => unstructuredPruner.prune(edit, files, unstructured(), ids), (e: unknown) => e instanceof OnnxFormatError && /tensor 'Wc'/.test(e.message));
    assert.throws(() => twoFourPruner.prune(edit, files, { method: '2:4', ratio: 0.5 }, ids), OnnxFormatError);
  } finally {
    files.close();
  }
});
