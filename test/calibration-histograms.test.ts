// Calibration histograms binned in the runtime child (Entropy, asymmetric Percentile): one fused
// pass per batch the bins already cover or whose extremes onnxruntime computed beside it, two
// passes otherwise (first batch, a wider batch, NaN or ±Inf), magnitudes only unless an
// asymmetric Percentile reads the sign. Every count, extreme
// and chosen range must equal numpy's one-shot histogram of the same values
// (scripts/python/static_quant_reference.py), on streamed chunks and on real activations.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { constantTensor } from '../src/onnx/edit/computed-tensor';
import { entropyThreshold, selectRange } from '../src/optimize/static/ranges';
import { ActivationStats, TensorHistogram } from '../src/runtime/activation-stats';
import { RuntimeClient } from '../src/runtime/client';
import type { Sample } from '../src/runtime/types';
import { attr, bytesOf, graph, model, node, tensorType, valueInfo } from './helpers/models';
import { RESNET18, RUNTIME_WORKER } from './helpers/runtime';
import { numpyHistogram } from './helpers/numpy-histogram';
import { intermediates, normals, npySamples } from './helpers/static-calibration';

const dir = mkdtempSync(join(tmpdir(), 'calibration-histograms-'));
// Binned on the child's binning thread and inline (the choice a machine's core count makes otherwise).
const clients: [string, RuntimeClient][] = [];

before(async () => {
  for (const [how, flag] of [['binning thread', '1'], ['inline', '0']]) {
    process.env.ONNX_STUDIO_BINNING_THREAD = flag;
    clients.push([how!, await RuntimeClient.start({ workerScript: RUNTIME_WORKER })]);
  }
  delete process.env.ONNX_STUDIO_BINNING_THREAD;
});
after(async () => {
  for (const [, client] of clients) await client.close();
});

const nonFinite = (chunks: Float32Array[]): number => chunks.reduce((a, c) => a + c.filter((v) => !Number.isFinite(v)).length, 0);

/** Counts, extremes and the ranges read from them equal numpy's: signed bins when `h.signed`, |x| bins otherwise. */
function assertEqualsNumpy(h: TensorHistogram, chunks: Float32Array[], what: string): void {
  const ref = numpyHistogram(chunks, h.stride, h.half);
  assert.deepEqual([h.min, h.max, h.count, h.nonFinite], [ref.min, ref.max, ref.count, nonFinite(chunks)], `${what}: extremes and counts`);
  if (h.signed) {
    assert.deepEqual(Array.from(h.positive), ref.positive, `${what}: x >= 0 bins`);
    assert.deepEqual(Array.from(h.negative), ref.negative, `${what}: x < 0 bins`);
    assert.deepEqual(Object.values(selectRange(h, { method: 'percentile', symmetric: false, percentile: 99.9 })), ref.percentileAsymmetric, `${what}: asymmetric Percentile`);
  } else {
    assert.deepEqual(Array.from(h.absoluteCounts()), ref.positive.map((p, k) => p + ref.negative[k]!), `${what}: |x| bins`);
    assert.ok(h.negative.every((c) => c === 0), `${what}: magnitudes only`);
  }
  // The KL search itself (selectRange takes the full range below ENTROPY_MIN_VALUES values).
  assert.equal(entropyThreshold(h.absoluteCounts(), 128), ref.entropyBins, `${what}: Entropy`);
}

test('streamed batches (zeros first, covered, wider, NaN and ±Inf, after growth) bin as numpy\'s one-shot histogram, signed and magnitudes only', () => {
  const withBad = normals(30000, 5, 1.2);
  withBad[7] = NaN;
  withBad[20000] = -Infinity;
  const lateInf = normals(30000, 6, 0.8);
  lateInf[29999] = Infinity;
  const chunks = [
    new Float32Array(300), // no stride yet: pending zeros
    normals(50000, 1, 1),
    normals(50000, 2, 0.9, 0.1), // covered: the one-pass path
    withBad, // NaN at once: two passes
    normals(50000, 3, 6), // wider: the bins grow past 2× and merge
    lateInf, // covered until its last value
    normals(50000, 4, 2, -0.5),
    Float32Array.of(-0, 0, 1e-30, -1e-30),
  ];
  // Extremes given beside the batch as onnxruntime's ReduceMin/ReduceMax may give them: NaNs skipped (the binning pass must notice them).
  const extremes = (c: Float32Array) => {
    const finiteOrInf = c.filter((v) => !Number.isNaN(v));
    return { min: Math.min(...finiteOrInf), max: Math.max(...finiteOrInf) };
  };
  for (const signed of [true, false]) {
    for (const given of [false, true]) {
      const h = new TensorHistogram(256, true, signed);
      for (const c of chunks) h.add(c, given ? extremes(c) : undefined);
      assert.ok(h.half > 256, 'the bins grew');
      assertEqualsNumpy(h, chunks, `${signed ? 'signed' : 'magnitudes'}${given ? ', extremes given' : ''}`);
    }
  }
});

test('batches whose length is no multiple of 4 (the binning loop takes four values at a time, the rest one by one) bin as numpy, signed and magnitudes only', () => {
  // The first batch sets the bins; the others fit inside them, so each is binned in the one covered pass.
  const chunks = [normals(40001, 21, 3), normals(1, 22, 0.5), normals(2, 23, 0.5, -0.4), normals(3, 24, 0.7), normals(5, 25, 0.6, -1), normals(20007, 26, 0.8), Float32Array.of(-0, -1.25, 1.25)];
  for (const signed of [true, false]) {
    for (const given of [false, true]) {
      const h = new TensorHistogram(256, true, signed);
      for (const c of chunks) h.add(c, given ? { min: Math.min(...c), max: Math.max(...c) } : undefined);
      assertEqualsNumpy(h, chunks, `${signed ? 'signed' : 'magnitudes'}${given ? ', extremes given' : ''}`);
    }
  }
});

test('merging a magnitudes-only histogram makes the result magnitudes-only; an asymmetric Percentile refuses one', () => {
  const a = new ActivationStats({ binsPerSide: 64 });
  const b = new ActivationStats({ binsPerSide: 64, signed: false });
  a.add('x', normals(2000, 1, 1));
  b.add('x', normals(2000, 2, 1));
  a.merge(b);
  const back = ActivationStats.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
  assert.equal(back.signed, false);
  assert.equal(back.get('x')!.signed, false);
  assert.throws(() => selectRange(back.get('x')!, { method: 'percentile', symmetric: false }), /signed histogram/);
});

const NAMES = ['/relu/Relu_output_0', '/layer1/layer1.0/conv1/Conv_output_0', '/layer4/layer4.1/Add_output_0'];
const SETTINGS = { threads: 1, optimization: 'disabled' as const };

test('ResNet-18 on photos: Entropy (|x| bins) and asymmetric Percentile (signed bins) equal numpy on the activations onnxruntime computes', async () => {
  const files = npySamples('.cache/data/imagenet224/calib', 4);
  const samples = files.map((p): Sample => ({ id: p.name, feeds: { input: { dtype: 1, dims: p.tensor.dims.map(Number), data: p.tensor.data as Float32Array } } }));
  const values = await intermediates(new Uint8Array(readFileSync(RESNET18)), NAMES, 'input', files.map((p) => p.tensor));
  for (const [how, client] of clients) {
    for (const spec of [{ method: 'entropy', symmetric: true, percentile: 99.9 }, { method: 'percentile', symmetric: false, percentile: 99.9 }] as const) {
      const r = await client.calibrationStats(RESNET18, NAMES, samples, spec, { settings: SETTINGS });
      const stats = ActivationStats.fromJSON(r.result);
      assert.equal(stats.signed, spec.method === 'percentile');
      for (const n of NAMES) assertEqualsNumpy(stats.get(n)!, values.map((v) => v[n]!), `${how}: ${spec.method} ${n}`);
    }
  }
});

test('Entropy on activations holding NaN and -Inf (Log of zeros and negatives): non-finite values counted apart, the rest equal numpy', async () => {
  const g = graph({
    input: [valueInfo('x', tensorType(1, [2, 500]))],
    output: [valueInfo('z', tensorType(1, [2, 500]))],
    initializer: [constantTensor('three', 1, [], Float32Array.of(3))],
    node: [node('Log', ['x'], ['y'], [], 'log'), node('Mul', ['y', 'three'], ['z'], [], 'mul')],
  });
  const path = join(dir, 'log.onnx');
  writeFileSync(path, bytesOf(model(g, 13)));
  const inputs = [1, 2, 3, 4].map((seed) => {
    const x = normals(1000, seed, 2, 1);
    x[seed * 10] = 0;
    return x;
  });
  const samples = inputs.map((data, i): Sample => ({ id: `s${i}`, feeds: { x: { dtype: 1, dims: [2, 500], data } } }));
  const values = await intermediates(new Uint8Array(readFileSync(path)), ['y', 'z'], 'x', inputs.map((d) => new ort.Tensor('float32', d, [2, 500])));
  for (const [how, client] of clients) {
    const r = await client.calibrationStats(path, ['y', 'z'], samples, { method: 'entropy', symmetric: true, percentile: 99.9 }, { settings: SETTINGS });
    const stats = ActivationStats.fromJSON(r.result);
    for (const n of ['y', 'z']) {
      const chunks = values.map((v) => v[n]!);
      assert.ok(chunks.some((c) => c.some(Number.isNaN)) && chunks.some((c) => c.includes(-Infinity)));
      assertEqualsNumpy(stats.get(n)!, chunks, `${how}: ${n}`);
    }
  }
});

test('Entropy of a value inside an If branch: only the samples that take the branch count, as numpy bins them', async () => {
  // then: t = 2·x (x from the outer graph); else: e = -x. The condition: sum(x) > 0.
  const branch = (name: string, op: string, inputs: string[], out: string) =>
    graph({ name, node: [node(op, inputs, [out], [], `${name}_node`)], output: [valueInfo(out, tensorType(1, [4, 300]))], initializer: op === 'Mul' ? [constantTensor('two', 1, [], Float32Array.of(2))] : [] });
  const g = graph({
    input: [valueInfo('x', tensorType(1, [4, 300]))],
    output: [valueInfo('out', tensorType(1, [4, 300]))],
    initializer: [constantTensor('zero', 1, [], Float32Array.of(0))],
    node: [
      node('ReduceSum', ['x'], ['s'], [attr('keepdims', 0, 'int')], 'sum'),
      node('Greater', ['s', 'zero'], ['c'], [], 'positive'),
      node('If', ['c'], ['out'], [attr('then_branch', branch('then', 'Mul', ['x', 'two'], 't')), attr('else_branch', branch('else', 'Neg', ['x'], 'e'))], 'branch'),
    ],
  });
  const path = join(dir, 'if.onnx');
  writeFileSync(path, bytesOf(model(g, 13)));
  const inputs = [1, 2, 3, 4, 5, 6].map((seed) => normals(1200, seed, 1.5, seed % 2 ? 0.4 : -0.4));
  const samples = inputs.map((data, i): Sample => ({ id: `s${i}`, feeds: { x: { dtype: 1, dims: [4, 300], data } } }));
  // 2·x is exact in float32.
  const taken = inputs.filter((x) => x.reduce((a, v) => a + v, 0) > 0).map((x) => x.map((v) => 2 * v));
  assert.ok(taken.length > 0 && taken.length < inputs.length, 'both branches taken');
  for (const [how, client] of clients) {
    const r = await client.calibrationStats(path, ['t'], samples, { method: 'entropy', symmetric: true, percentile: 99.9 }, { settings: SETTINGS });
    assert.deepEqual(r.unavailable, []);
    assertEqualsNumpy(ActivationStats.fromJSON(r.result).get('t')!, taken, `${how}: t`);
  }
});
