import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { after } from 'node:test';
import * as ort from 'onnxruntime-node';
import { constantTensor } from '../src/onnx/edit/computed-tensor';
import { ModelEdit } from '../src/onnx/edit/model-edit';
import { writeModel } from '../src/onnx/io/write-model';
import { encodeModelBytes } from '../src/onnx/open';
import type { GraphProto, ModelProto } from '../src/onnx/proto/types';
import { quantizeDynamic } from '../src/optimize/dynamic/quantize-dynamic';
import type { DynamicOptions } from '../src/optimize/dynamic/options';
import { ROOT } from './helpers/corpus';
import { attr, graph, model, node, tensorType, valueInfo } from './helpers/models';
import { assertValidModel, cosine, PYTHON, quantizeFile, removeOutputs } from './helpers/quantize-run';

after(removeOutputs);

const RESNET = join(ROOT, '.cache', 'models', 'resnet18.onnx');

const values = (n: number, seed: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(i * 1.7 + seed) * (1 + (i % 3)));

/** x·w twice (m1, m2: one weight, two readers), then a Gemm with transB, alpha, beta and C. */
function smallModel(): ModelProto {
  return model(
    graph({
      input: [valueInfo('x', tensorType(1, [2, 4]))],
      output: [valueInfo('y1', tensorType(1, [2, 5])), valueInfo('y2', tensorType(1, [2, 3]))],
      initializer: [constantTensor('w', 1, [4, 3], values(12, 1)), constantTensor('gb', 1, [5, 3], values(15, 2)), constantTensor('gc', 1, [5], values(5, 3))],
      node: [
        node('MatMul', ['x', 'w'], ['h'], [], 'm1'),
        node('MatMul', ['x', 'w'], ['y2'], [], 'm2'),
        node('Gemm', ['h', 'gb', 'gc'], ['y1'], [attr('transB', 1), attr('alpha', 0.5, 'float'), attr('beta', 2, 'float')], 'gemm'),
      ],
    }),
    13,
  );
}

async function run(bytes: Uint8Array | string, x: Float32Array): Promise<Record<string, Float32Array>> {
  const s = await ort.InferenceSession.create(bytes as Uint8Array);
  try {
    const out = await s.run({ x: new ort.Tensor('float32', x, [2, 4]) });
    return Object.fromEntries(s.outputNames.map((n) => [n, out[n]!.data as Float32Array]));
  } finally {
    await s.release();
  }
}

function quantizeSmall(options: DynamicOptions): { path: string; edit: ModelEdit; result: ReturnType<typeof quantizeDynamic> } {
  const edit = new ModelEdit(smallModel());
  const result = quantizeDynamic(edit, undefined, options);
  const path = writeModel(edit.proto, undefined, join(mkdtempSync(join(tmpdir(), 'dyn-opt-')), 'q.onnx'), { protect: [] }).path;
  return { path, edit, result };
}

/** Reads the quantized weights back with python onnx and quantizes the float ones as ORT does (numpy). */
const PYTHON_CHECK = String.raw`
import onnx, sys, numpy as np
from onnx import numpy_helper
m = onnx.load(sys.argv[1]); t = {x.name: numpy_helper.to_array(x) for x in m.graph.initializer}
reduce = sys.argv[2] == '1'
def ref(data, axis=None):
    qmax = 64 if reduce else 127
    def one(d):
        absmax = max(abs(min(float(d.min()), 0.0)), abs(max(float(d.max()), 0.0)))
        scale = np.float32(np.float64(np.float32(2 * np.float32(absmax))) / (2 * qmax))
        q = np.clip((d.astype(np.float32) / scale).round(), -128, 127).astype(np.int8)
        return scale, q
    if axis is None:
        return one(data)
    parts = [one(data.take(i, axis)) for i in range(data.shape[axis])]
    return np.array([p[0] for p in parts], dtype=np.float32), np.stack([p[1] for p in parts], axis)
f = {x.name: numpy_helper.to_array(x) for x in onnx.load(sys.argv[4]).graph.initializer}
w = f['w']
s, q = ref(w, 1 if sys.argv[3] == '1' else None)
assert np.array_equal(t['w_quantized'], q), (t['w_quantized'], q)
assert np.array_equal(t['w_scale'], s), (t['w_scale'], s)
assert 'w' in t, 'the float weight stays for the excluded m2'
gb = f['gb']
s, q = ref(gb.T.copy(), 1 if sys.argv[3] == '1' else None)
assert np.array_equal(t['gb_quantized'], q)
assert np.array_equal(t['gb_scale'], (s * np.float32(0.5)).astype(np.float32)), 'alpha is folded into the scale'
print(int(np.abs(t['w_quantized']).max()))
`;

for (const perChannel of [false, true]) {
  for (const reduceRange of [false, true]) {
    test(`a weight shared by two MatMuls, one excluded, keeps its float copy for it; Gemm (transB, alpha, beta, C) becomes MatMulInteger; weights equal numpy's (perChannel=${perChannel}, reduceRange=${reduceRange})`, async () => {
      const { path, edit, result } = quantizeSmall({ excludeNodes: ['m2'], perChannel, reduceRange });
      assert.equal(result.nodesChanged, 2);
      assert.deepEqual(result.details.quantizedMatMul, 1);
      assert.deepEqual(result.details.quantizedGemm, 1);
      const names = edit.main.nodes.map((n) => n.name);
      assert.ok(names.includes('m2') && names.includes('m1_quant') && names.includes('gemm_quant'), names.join(' '));
      assert.ok(!names.includes('m1') && !names.includes('gemm'));
      assertValidModel(path);
      const float = join(mkdtempSync(join(tmpdir(), 'dyn-opt-')), 'float.onnx');
      writeFileSync(float, encodeModelBytes(smallModel()));
      const maxQ = Number(execFileSync(PYTHON, ['-c', PYTHON_CHECK, path, reduceRange ? '1' : '0', perChannel ? '1' : '0', float], { encoding: 'utf8' }).trim());
      assert.ok(maxQ <= (reduceRange ? 64 : 127) && maxQ >= (reduceRange ? 60 : 120));
      const x = values(8, 4);
      const [a, b] = [await run(encodeModelBytes(smallModel()), x), await run(path, x)];
      assert.deepEqual(b.y2, a.y2, 'the excluded MatMul computes in float as before');
      assert.ok(cosine(a.y1!, b.y1!) > 0.99, `cosine ${cosine(a.y1!, b.y1!)}`);
    });
  }
}

test('op-type and node lists on ResNet-18: opTypes, excludeOps, includeNodes and excludeNodes choose what is quantized; names of kept nodes stay', () => {
  const convs = (q: ModelEdit): string[] => q.main.nodes.filter((n) => n.op_type === 'Conv').map((n) => n.name!);
  const gemmOnly = quantizeFile(RESNET, { opTypes: ['Gemm'] });
  assert.equal(gemmOnly.result.nodesChanged, 1);
  assert.equal(convs(gemmOnly.edit).length, 20);
  const noConv = quantizeFile(RESNET, { excludeOps: ['Conv'] });
  assert.deepEqual(noConv.result.details.quantizedGemm, 1);
  assert.equal(noConv.result.details.quantizedConv, undefined);
  const first = gemmOnly.edit.main.nodes.find((n) => n.op_type === 'Conv')!.name!;
  const one = quantizeFile(RESNET, { includeNodes: [first] });
  assert.equal(one.result.nodesChanged, 1);
  assert.ok(one.edit.main.nodes.some((n) => n.name === `${first}_quant` && n.op_type === 'ConvInteger'));
  const allBut = quantizeFile(RESNET, { excludeNodes: [first] });
  assert.deepEqual(convs(allBut.edit), [first]);
  assert.equal(allBut.result.nodesChanged, 20);
  assertValidModel(allBut.out);
});

test('a node of a chosen type that cannot take the integer form stays float and is listed with why (Gemm with transA, a rank-3 MatMul weight)', () => {
  const m = model(
    graph({
      input: [valueInfo('x', tensorType(1, [4, 2]))],
      output: [valueInfo('y', tensorType(1, [2, 3])), valueInfo('z', tensorType(1, [2, 4, 3]))],
      initializer: [constantTensor('w', 1, [4, 3], values(12, 1)), constantTensor('w3', 1, [2, 2, 3], values(12, 2)), constantTensor('w2', 1, [2, 2], values(4, 3))],
      node: [
        node('Gemm', ['x', 'w'], ['y'], [attr('transA', 1)], 'gemm_t'),
        node('MatMul', ['x', 'w2'], ['h'], [], 'mm2'),
        node('MatMul', ['h', 'w3'], ['z'], [], 'mm3'),
      ],
    }),
    13,
  );
  const result = quantizeDynamic(new ModelEdit(m), undefined);
  assert.equal(result.nodesChanged, 1);
  assert.deepEqual(
    result.leftFloat.map((l) => [l.node.name, l.reason]),
    [
      ['gemm_t', 'Gemm with transA=1'],
      ['mm3', 'its weight has rank 3, not 2'],
    ],
  );
  assert.equal(result.details.nodesLeftFloat, 2);
  assert.ok(result.warnings.some((w) => w.includes("'gemm_t'")));
});

test('a MatMul inside a Loop body whose weight is an initializer of the main graph is quantized in the body; the weight quantized in the main graph; ORT runs it', async () => {
  // A fresh body each time: quantizing edits the graph objects in place.
  const body = (): GraphProto => graph({
    name: 'body',
    input: [valueInfo('i', tensorType(7, [])), valueInfo('cond_in', tensorType(9, [])), valueInfo('v_in', tensorType(1, [2, 4]))],
    output: [valueInfo('cond_out', tensorType(9, [])), valueInfo('v_out', tensorType(1, [2, 4]))],
    node: [node('Identity', ['cond_in'], ['cond_out'], [], 'keep_going'), node('MatMul', ['v_in', 'w'], ['mm'], [], 'body_mm'), node('Tanh', ['mm'], ['v_out'], [], 'tanh')],
    });
  const loopModel = (): ModelProto =>
    model(
      graph({
        input: [valueInfo('x', tensorType(1, [2, 4]))],
        output: [valueInfo('y', tensorType(1, [2, 4]))],
        initializer: [constantTensor('w', 1, [4, 4], values(16, 5)), constantTensor('trips', 7, [], BigInt64Array.from([3n])), constantTensor('yes', 9, [], Uint8Array.from([1]))],
        node: [node('Loop', ['trips', 'yes', 'x'], ['y'], [attr('body', body())], 'loop')],
      }),
      13,
    );
  const edit = new ModelEdit(loopModel());
  const result = quantizeDynamic(edit, undefined);
  assert.equal(result.nodesChanged, 1);
  const bodyEdit = edit.graphs().find((g) => g.parent)!;
  assert.ok(bodyEdit.nodes.some((n) => n.name === 'body_mm_quant' && n.op_type === 'MatMulInteger'));
  assert.ok(edit.main.initializer('w_quantized') && !edit.main.initializer('w'), 'the weight is quantized where it is defined, the float one goes');
  const path = writeModel(edit.proto, undefined, join(mkdtempSync(join(tmpdir(), 'dyn-opt-')), 'loop.onnx'), { protect: [] }).path;
  assertValidModel(path);
  const x = values(8, 6);
  const [a, b] = [await run(encodeModelBytes(loopModel()), x), await run(path, x)];
  assert.ok(cosine(a.y!, b.y!) > 0.99, `cosine ${cosine(a.y!, b.y!)}`);
});
