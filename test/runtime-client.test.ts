// The runtime child through RuntimeClient: runs equal onnxruntime-node in this process and the
// conformance suite's reference outputs; external data is found beside the model; ORT's
// refusals come back as OrtError with ORT's words; a killed or closed child fails every open
// request with RuntimeCrashError and never hangs.
import assert from 'node:assert/strict';
import { readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { float16ToNumber } from '../src/onnx/float-formats';
import { RuntimeClient } from '../src/runtime/client';
import { OrtError, RuntimeCrashError, RuntimeRequestError } from '../src/runtime/errors';
import type { FeedTensor } from '../src/runtime/types';
import { CORPUS_DIR, SUITE_DIR } from './helpers/corpus';
import { bytesOf, graph, model, node, tensorType, valueInfo } from './helpers/models';
import { externalDataMatMul, externalDataModel, numpyFigures, pbTensor, python, RESNET18, RUNTIME_WORKER, tempDir } from './helpers/runtime';

const CLS = join(CORPUS_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
let client: RuntimeClient;

before(async () => {
  client = await RuntimeClient.start({ workerScript: RUNTIME_WORKER });
});
after(async () => {
  await client.close();
});

const floats = (dims: number[], f = 0.37): FeedTensor => ({ dtype: 1, dims, data: Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i * f)) });

test('a run in the child equals onnxruntime-node in this process (same options), and its metadata is ORT\'s', async () => {
  const s = await client.open(CLS, { threads: 1, optimization: 'all' });
  assert.deepEqual(s.inputNames, ['x']);
  assert.deepEqual(s.outputNames, ['softmax_0.tmp_0']);
  assert.deepEqual(s.inputs[0]!.dims, ['p2o.DynamicDimension.0', 3, 'p2o.DynamicDimension.1', 'p2o.DynamicDimension.2']);
  const x = floats([1, 3, 48, 192]);
  const got = await s.run({ x });
  const ref = await ort.InferenceSession.create(CLS, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' });
  const want = (await ref.run({ x: new ort.Tensor('float32', x.data as Float32Array, x.dims) }))['softmax_0.tmp_0']!;
  assert.equal(got['softmax_0.tmp_0']!.dtype, 1);
  assert.deepEqual(got['softmax_0.tmp_0']!.dims, [1, 2]);
  assert.deepEqual([...got['softmax_0.tmp_0']!.data as Float32Array], [...(want.data as Float32Array)]);
  await ref.release();
  await s.release();
  await assert.rejects(s.run({ x }), RuntimeRequestError);
});

test('conformance suite models run in the child match their reference outputs', async () => {
  const cases = ['test_conv_with_strides_padding', 'test_gemm_default_matrix_bias', 'test_lstm_with_initial_bias', 'test_gru_seq_length', 'test_if', 'test_range_float_type_positive_delta_expanded', 'test_softmax_axis_0', 'test_cast_FLOAT_to_FLOAT16'];
  for (const name of cases) {
    const dir = join(SUITE_DIR, 'node', name);
    const ds = join(dir, 'test_data_set_0');
    const files = readdirSync(ds);
    const s = await client.open(join(dir, 'model.onnx'));
    const feeds = Object.fromEntries(s.inputNames.map((n, i) => [n, pbTensor(join(ds, `input_${i}.pb`))]));
    const out = await s.run(feeds);
    s.outputNames.forEach((n, i) => {
      assert.ok(files.includes(`output_${i}.pb`), name);
      const want = pbTensor(join(ds, `output_${i}.pb`));
      const got = out[n]!;
      assert.equal(got.dtype, want.dtype, `${name} ${n} dtype`);
      assert.deepEqual(got.dims, want.dims, `${name} ${n} dims`);
      const a = got.dtype === 10 ? [...(got.data as Uint16Array)].map(float16ToNumber) : [...got.data].map(Number);
      const b = [...want.data].map(Number);
      a.forEach((v, k) => assert.ok(Math.abs(v - b[k]!) <= 1e-4 * Math.max(1, Math.abs(b[k]!)), `${name} ${n}[${k}]: ${v} vs ${b[k]}`));
    });
    await s.release();
  }
});

test('external data is read beside the model whatever the working directory', async () => {
  const model = externalDataModel(tempDir(), 64, 'weights.bin');
  assert.notEqual(process.cwd(), dirname(model));
  const s = await client.open(model);
  const x = floats([2, 64]);
  const z = (await s.run({ x })).z!.data as Float32Array;
  externalDataMatMul(x.data as Float32Array, 64).forEach((v, i) => assert.ok(Math.abs(z[i]! - Math.max(v, 0)) < 1e-4, `z[${i}]`));
  await s.release();
});

test("a model ORT refuses gives ORT's message as an OrtError, without a stack trace in the message", async () => {
  const dir = tempDir();
  const bad = join(dir, 'bad.onnx');
  writeFileSync(bad, bytesOf(model(graph({ node: [node('NoSuchOperator', ['x'], ['y'], [], 'mystery')], input: [valueInfo('x', tensorType(1, [2]))], output: [valueInfo('y', tensorType(1, [2]))] }))));
  const e = await client.open(bad).then(() => undefined, (x: unknown) => x);
  assert.ok(e instanceof OrtError, String(e));
  assert.match(e.message, /NoSuchOperator/);
  assert.doesNotMatch(e.message, /\n\s+at /);
  const notModel = join(dir, 'text.onnx');
  writeFileSync(notModel, 'hello, not a model\n');
  await assert.rejects(client.open(notModel), (x: unknown) => x instanceof OrtError && /protobuf|parsing|Load model/i.test(x.message));
  await assert.rejects(client.open(join(dir, 'missing.onnx')), OrtError);
});

test('a failed run (wrong input shape) is an OrtError and the child keeps serving', async () => {
  const s = await client.open(CLS);
  await assert.rejects(s.run({ x: floats([1, 4, 48, 192]) }), (e: unknown) => e instanceof OrtError && /channels|dimension|Got invalid dimensions|shape/i.test(e.message));
  await assert.rejects(s.run({ x: { dtype: 1, dims: [1, 3, 2, 2], data: new Float32Array(5) } }), RuntimeRequestError);
  assert.deepEqual((await s.run({ x: floats([1, 3, 48, 192]) }))['softmax_0.tmp_0']!.dims, [1, 2]);
  await s.release();
});

test('latency: warm-up then N timed runs, median and p90 from those runs', async () => {
  const s = await client.open(CLS, { threads: 1 });
  const r = await s.latency({ x: floats([1, 3, 48, 192]) }, { warmup: 2, runs: 7 });
  assert.equal(r.timesMs.length, 7);
  const sorted = [...r.timesMs].sort((a, b) => a - b);
  assert.equal(r.median, sorted[3]);
  assert.equal(r.p90, sorted[6]);
  assert.ok(r.timesMs.every((t) => t > 0));
  await s.release();
});

test('comparing a float32 model with a float16 one whose IO types changed: the same float32 samples feed both', async () => {
  const dir = tempDir();
  python(
    `
import sys, onnx
from onnx import helper, TensorProto
for name, t in (('f32', TensorProto.FLOAT), ('f16', TensorProto.FLOAT16)):
    g = helper.make_graph([helper.make_node('Relu', ['x'], ['y'], name='relu')], 'g', [helper.make_tensor_value_info('x', t, [1, 64])], [helper.make_tensor_value_info('y', t, [1, 64])])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)]); m.ir_version = 8
    onnx.save(m, f'{sys.argv[1]}/{name}.onnx')
`,
    [dir],
  );
  const x = floats([1, 64], 0.91);
  const [acc] = await client.compareOutputs(join(dir, 'f32.onnx'), join(dir, 'f16.onnx'), [{ id: 'a', feeds: { x } }]);
  const ref = Float32Array.from(x.data as Float32Array, (v) => Math.max(v, 0));
  const cand = new Float32Array(JSON.parse(python(`import sys, json, numpy as np; x = np.array(json.loads(sys.argv[1]), dtype=np.float32); print(json.dumps(np.maximum(x.astype(np.float16), 0).astype(np.float32).tolist()))`, [JSON.stringify([...(x.data as Float32Array)])])) as number[]);
  const np = numpyFigures(ref, cand);
  assert.equal(acc!.maxAbsError, np.maxAbsError);
  assert.ok(Math.abs(acc!.cosine - np.cosine) < 1e-12 && Math.abs(acc!.snrDb - np.snrDb) < 1e-9, JSON.stringify(acc));
  const lat = await client.latency(join(dir, 'f16.onnx'), { x: { dtype: 10, dims: [1, 64], data: new Uint16Array(64) } }, { threads: 1 }, { warmup: 1, runs: 3 });
  assert.equal(lat.timesMs.length, 3);
});

test('killing the child mid-request fails the request with RuntimeCrashError, and later requests at once', async () => {
  const c = await RuntimeClient.start({ workerScript: RUNTIME_WORKER });
  const x = { dtype: 1, dims: [1, 3, 224, 224], data: new Float32Array(3 * 224 * 224).fill(0.5) };
  const names = ['/conv1/Conv_output_0', '/relu/Relu_output_0', '/maxpool/MaxPool_output_0', '/layer1/layer1.0/conv1/Conv_output_0'];
  let killed = false;
  const running = c.intermediates(RESNET18, names, [{ id: 's', feeds: { input: x } }], {
    job: { kind: 'collectStats' },
    perPass: 1,
    onProgress: () => {
      if (!killed) process.kill(c.pid!, 'SIGKILL');
      killed = true;
    },
  });
  const e = await running.then(() => undefined, (x: unknown) => x);
  assert.ok(killed, 'a pass finished before the kill');
  assert.ok(e instanceof RuntimeCrashError, String(e));
  assert.equal(e.signal, 'SIGKILL');
  assert.match(e.message, /killed/);
  await assert.rejects(c.open(CLS), RuntimeCrashError);
  await c.close();
});

test('close() ends the child with requests open: they fail, nothing hangs', async () => {
  const c = await RuntimeClient.start({ workerScript: RUNTIME_WORKER });
  const s = await c.open(CLS);
  const pending = s.latency({ x: floats([1, 3, 48, 192]) }, { warmup: 0, runs: 100_000 });
  await c.close();
  await assert.rejects(pending, RuntimeCrashError);
  await assert.rejects(c.open(CLS), /closed/);
});

test('a worker script that cannot start is a RuntimeCrashError with the reason', async () => {
  const e = await RuntimeClient.start({ workerScript: join(tempDir(), 'no-such-worker.js') }).then(() => undefined, (x: unknown) => x);
  assert.ok(e instanceof RuntimeCrashError);
  assert.match(e.message, /Cannot find module/);
});
