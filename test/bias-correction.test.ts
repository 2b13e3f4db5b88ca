// Bias correction against numpy: for plain, grouped and depthwise Convs, with and without a bias,
// the bias written equals b − Σ (Wq − W)·μ, where Wq is the int8 weight the output model
// dequantizes, W the float weight, and μ the per-channel mean of the Conv's input computed by
// numpy from the activations onnxruntime computes for the calibration samples.
//
// Bias correction on a real model: PP-OCRv4 recognition with int8 weights and every activation
// float (the accuracy-aware fallback's weights-only stage), against the float model in
// onnxruntime on its calibration images. Its stem's depthwise 3×3 kernels sum to almost zero
// and read inputs with a large mean: uncorrected, the rounding of each kernel's sum shifts the
// output; the correction must bring the weights-only model closer to the float one.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { upgradeOpset } from '../src/onnx/edit/opset-upgrade';
import { ModelEdit } from '../src/onnx/edit/model-edit';
import { buildModel } from '../src/onnx/model/build';
import { preprocess } from '../src/optimize/preprocess/preprocess';
import { opsetNeeded } from '../src/optimize/static/qdq-opset';
import { modelInputSpecs, openInputFolder } from '../src/runtime/input-files';
import { CORPUS_DIR, ROOT } from './helpers/corpus';
import { DiskModelFiles } from '../src/onnx/io/model-files';
import { writeModel } from '../src/onnx/io/write-model';
import { decodeModelProto } from '../src/onnx/open';
import { calibrate } from '../src/optimize/flow/calibration';
import { rangeOptionsFor, type StaticOptions } from '../src/optimize/static/presets';
import { quantizeStatic, valuesToAverage, valuesToCalibrate } from '../src/optimize/static/static-qdq';
import { RuntimeClient } from '../src/runtime/client';
import type { Sample } from '../src/runtime/types';
import { RUNTIME_WORKER, python } from './helpers/runtime';
import { intermediates, npySamples } from './helpers/static-calibration';

const dir = mkdtempSync(join(tmpdir(), 'bias-correction-'));
let client: RuntimeClient;
before(async () => {
  client = await RuntimeClient.start({ workerScript: RUNTIME_WORKER });
});
after(async () => {
  await client.close();
});

// X [1,4,8,8] (channel means far from 0) → Relu → R; plain Conv (bias) and depthwise Conv (no
// bias) read R, a grouped Conv (bias) reads X (the graph input).
const MAKE_MODEL = `
import sys, numpy as np, onnx
from onnx import helper as h, numpy_helper as nh, TensorProto as T
d = sys.argv[1]
rng = np.random.default_rng(7)
def init(name, a): return nh.from_array(a.astype(np.float32), name)
w1 = rng.normal(0, 0.3, (3, 4, 3, 3)); b1 = rng.normal(0, 0.1, 3)
w2 = rng.normal(0, 0.3, (4, 1, 3, 3)); w2 -= w2.mean(axis=(2, 3), keepdims=True)  # edge detectors: kernels sum to 0
w3 = rng.normal(0, 0.3, (4, 2, 3, 3)); b3 = rng.normal(0, 0.1, 4)
nodes = [
  h.make_node('Relu', ['X'], ['R'], name='relu'),
  h.make_node('Conv', ['R', 'W1', 'B1'], ['Y1'], name='plain', pads=[1, 1, 1, 1]),
  h.make_node('Conv', ['R', 'W2'], ['Y2'], name='depthwise', group=4, pads=[1, 1, 1, 1]),
  h.make_node('Conv', ['X', 'W3', 'B3'], ['Y3'], name='grouped', group=2),
]
g = h.make_graph(nodes, 'g', [h.make_tensor_value_info('X', T.FLOAT, [1, 4, 8, 8])],
  [h.make_tensor_value_info('Y1', T.FLOAT, [1, 3, 8, 8]), h.make_tensor_value_info('Y2', T.FLOAT, [1, 4, 8, 8]), h.make_tensor_value_info('Y3', T.FLOAT, [1, 4, 6, 6])],
  [init('W1', w1), init('B1', b1), init('W2', w2), init('W3', w3), init('B3', b3)])
m = h.make_model(g, opset_imports=[h.make_opsetid('', 13)]); m.ir_version = 7
onnx.checker.check_model(m); onnx.save(m, d + '/float.onnx')
for i in range(6):
  x = rng.normal(0, 1, (1, 4, 8, 8)) + np.array([3.0, -1.0, 0.5, 6.0]).reshape(1, 4, 1, 1)
  np.save(d + '/sample%d.npy' % i, x.astype(np.float32))
`;

// The expected bias of each Conv from the float and quantized models and the activations; and the bias found.
const EXPECTED = `
import sys, json, numpy as np, onnx
from onnx import numpy_helper as nh
d, quantized = sys.argv[1], sys.argv[2]
fm, qm = onnx.load(d + '/float.onnx'), onnx.load(quantized)
finit = {t.name: nh.to_array(t).astype(np.float64) for t in fm.graph.initializer}
qinit = {t.name: nh.to_array(t) for t in qm.graph.initializer}
producer = {o: n for n in qm.graph.node for o in n.output}
def value(name):
  if name in qinit: return qinit[name].astype(np.float64)
  n = producer[name]; assert n.op_type == 'DequantizeLinear', n.op_type
  q, s = qinit[n.input[0]].astype(np.float64), qinit[n.input[1]].astype(np.float32)
  axis = next((a.i for a in n.attribute if a.name == 'axis'), 1)
  shape = [1] * q.ndim
  if s.ndim: shape[axis] = -1
  return q * s.astype(np.float64).reshape(shape) if s.ndim else q * float(s)
acts = {k: np.fromfile(d + '/' + k + '.bin', dtype=np.float32).reshape(6, 1, 4, 8, 8) for k in ['X', 'R']}
out = {}
for fn in fm.graph.node:
  if fn.op_type != 'Conv': continue
  qn = next(n for n in qm.graph.node if n.name == fn.name)
  w = finit[fn.input[1]]; wq = value(qn.input[1])
  group = next((a.i for a in fn.attribute if a.name == 'group'), 1)
  mu = acts[fn.input[0]].mean(axis=(1, 3, 4))  # per sample, per channel
  mu = mu.mean(axis=0)
  O, Cg = w.shape[0], w.shape[1]
  err = np.array([((wq[o] - w[o]).sum(axis=(1, 2)) * mu[(o // (O // group)) * Cg:(o // (O // group) + 1) * Cg]).sum() for o in range(O)])
  b = finit[fn.input[2]] if len(fn.input) > 2 and fn.input[2] else np.zeros(O)
  out[fn.name] = {'expected': (b - err).tolist(), 'uncorrected': b.tolist(), 'found': value(qn.input[2]).tolist() if len(qn.input) > 2 and qn.input[2] else None}
print(json.dumps(out))
`;

test('bias correction of plain, grouped and depthwise Convs, with and without a bias, equals numpy b − Σ(Wq − W)·μ (tensorrt: float bias; cpu: int32 bias within half a step)', async () => {
  python(MAKE_MODEL, [dir]);
  const floatPath = join(dir, 'float.onnx');
  const npy = npySamples(dir);
  const samples: Sample[] = npy.map((s) => ({ id: s.name, feeds: { X: { dtype: 1, dims: [...s.tensor.dims], data: s.tensor.data as Float32Array } } }));
  // The activations numpy averages, from onnxruntime (X is the input itself).
  const acts = await intermediates(readFileSync(floatPath), ['R'], 'X', npy.map((s) => s.tensor));
  const concat = (parts: Float32Array[]) => Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength)));
  writeFileSync(join(dir, 'R.bin'), concat(acts.map((a) => a.R!)));
  writeFileSync(join(dir, 'X.bin'), concat(npy.map((s) => s.tensor.data as Float32Array)));
  for (const preset of ['tensorrt', 'cpu'] as const) {
    const options: StaticOptions = { preset, biasCorrection: true };
    const files = new DiskModelFiles(floatPath);
    const proto = decodeModelProto(files.model);
    const means = valuesToAverage(proto, options, files);
    assert.deepEqual(means.map((m) => m.name).sort(), ['R', 'X']);
    const { ranges, channelMeans } = await calibrate(client, floatPath, valuesToCalibrate(proto, options, files), samples, { ...rangeOptionsFor(options), settings: {}, means }, () => {});
    const result = quantizeStatic(proto, ranges, { ...options, channelMeans }, files);
    assert.equal(result.details.biasesCorrected, 3);
    const out = join(dir, `${preset}.onnx`);
    writeModel(result.model, files, out, { protect: [] });
    python('import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]))', [out]);
    const figures = JSON.parse(python(EXPECTED, [dir, out])) as Record<string, { expected: number[]; uncorrected: number[]; found: number[] | null }>;
    assert.deepEqual(Object.keys(figures).sort(), ['depthwise', 'grouped', 'plain']);
    for (const [name, f] of Object.entries(figures)) {
      assert.ok(f.found, `${preset} ${name}: a bias`);
      const step = preset === 'cpu' ? 1e-3 : 0;
      f.expected.forEach((e, o) => {
        const tolerance = 1e-5 * Math.max(1, Math.abs(e)) + Math.max(step, 0);
        assert.ok(Math.abs(f.found![o]! - e) <= tolerance, `${preset} ${name}[${o}]: ${f.found![o]} vs numpy ${e}`);
      });
      // The correction is not nothing: somewhere it moves the bias by more than the tolerance.
      assert.ok(f.expected.some((e, o) => Math.abs(e - f.uncorrected[o]!) > 1e-4), `${name}: ${JSON.stringify(f)}`);
    }
  }
  // Turned off (and by default): no mean asked for, no bias changed.
  const files = new DiskModelFiles(floatPath);
  const channelMeans = new Map([['R', [1, 1, 1, 1]]]);
  for (const biasCorrection of [false, undefined]) {
    assert.deepEqual(valuesToAverage(decodeModelProto(files.model), { preset: 'tensorrt', biasCorrection }, files), []);
    const off = quantizeStatic(decodeModelProto(files.model), new Map(), { preset: 'tensorrt', biasCorrection, channelMeans }, files);
    assert.equal(off.details.biasesCorrected, 0);
  }
});

test('bias correction: PP-OCRv4 recognition with int8 weights only comes closer to the float model (worst-sample cosine on the calibration images)', async () => {
  const input = join(CORPUS_DIR, 'ch_PP-OCRv4_rec_infer.onnx');
  const files = new DiskModelFiles(input);
  const options: StaticOptions = { preset: 'tensorrt', biasCorrection: true };
  let proto = decodeModelProto(files.model);
  proto = upgradeOpset(proto, opsetNeeded(options)).model;
  preprocess(new ModelEdit(proto), files);
  const floatPath = join(dir, 'float.onnx');
  writeModel(proto, files, floatPath, { protect: [] });
  const samples = [...openInputFolder(join(ROOT, '.cache', 'data', 'ocr-rec', 'calib'), modelInputSpecs(buildModel(proto, files))).samples()];
  const means = valuesToAverage(proto, options, files);
  assert.ok(means.length > 30, `means asked for ${means.length} values`);
  const { ranges, channelMeans } = await calibrate(client, floatPath, valuesToCalibrate(proto, options, files), samples, { ...rangeOptionsFor(options), settings: {}, means }, () => {});
  assert.equal(channelMeans.size, means.length, 'every asked-for mean comes back finite');
  const weightsOnly = (biasCorrection: boolean) => {
    const pre = new DiskModelFiles(floatPath);
    const all = quantizeStatic(decodeModelProto(pre.model), ranges, options, pre).quantizedNodes;
    const r = quantizeStatic(decodeModelProto(pre.model), ranges, { ...options, weightOnlyNodes: all, biasCorrection, channelMeans }, pre);
    const path = join(dir, `weights-only-${biasCorrection}.onnx`);
    writeModel(r.model, pre, path, { protect: [] });
    return { path, corrected: Number(r.details.biasesCorrected) };
  };
  const plain = weightsOnly(false);
  const corrected = weightsOnly(true);
  assert.equal(plain.corrected, 0);
  assert.ok(corrected.corrected > 30, `${corrected.corrected} biases corrected`);
  const [before] = await client.compareOutputs(floatPath, plain.path, samples);
  const [afterCorrection] = await client.compareOutputs(floatPath, corrected.path, samples);
  console.log(`weights only: worst cosine ${before!.cosine} → ${afterCorrection!.cosine}, mean ${before!.meanCosine} → ${afterCorrection!.meanCosine}`);
  assert.ok(afterCorrection!.cosine > before!.cosine, `${before!.cosine} → ${afterCorrection!.cosine}`);
});
