// Calibration statistics summarized inside onnxruntime's graph (MinMax, symmetric Percentile):
// the ranges must equal numpy's one-shot histogram of the same activations (exposed as outputs
// and run by onnxruntime-node in this process), and a histogram built from the largest
// magnitudes alone must choose the same symmetric Percentile range as numpy's full histogram.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { constantTensor } from '../src/onnx/edit/computed-tensor';
import { selectRange } from '../src/optimize/static/ranges';
import { ActivationStats, TensorHistogram, type ActivationStatsJSON } from '../src/runtime/activation-stats';
import { topCount } from '../src/runtime/child/calibration-stats';
import { RuntimeClient } from '../src/runtime/client';
import type { Sample } from '../src/runtime/types';
import { CORPUS_DIR } from './helpers/corpus';
import { bytesOf, graph, model, node, tensorType, valueInfo } from './helpers/models';
import { RESNET18, RUNTIME_WORKER } from './helpers/runtime';
import { numpyHistogram } from './helpers/numpy-histogram';
import { intermediates, normals, npySamples } from './helpers/static-calibration';

const dir = mkdtempSync(join(tmpdir(), 'calibration-stats-'));
let client: RuntimeClient;

before(async () => {
  client = await RuntimeClient.start({ workerScript: RUNTIME_WORKER });
});
after(async () => {
  await client.close();
});

const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${what}: ${a} vs numpy ${b}`);

test('a histogram from the largest magnitudes only chooses the symmetric Percentile range of numpy\'s full histogram', () => {
  // All zeros first (no stride yet), then widening batches: the bins grow and merge as when streamed.
  const chunks = [new Float32Array(500), normals(40000, 1, 0.5), normals(40000, 2, 1.5, 0.3), normals(40000, 3, 4), Float32Array.of(-90, 70)];
  const total = chunks.reduce((a, c) => a + c.length, 0);
  for (const percentile of [99, 99.9, 99.99, 99.999]) {
    const h = new TensorHistogram(512);
    const tops: number[] = [];
    let uncounted = 0;
    for (const c of chunks) {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of c) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (!h.addRange(lo, hi, c.length)) continue;
      uncounted += c.length;
      tops.push(...Array.from(c, Math.abs));
    }
    const k = topCount(total, percentile);
    h.addTopMagnitudes(tops.sort((a, b) => b - a).slice(0, k), uncounted);
    const streamed = new TensorHistogram(512);
    for (const c of chunks) streamed.add(c);
    assert.equal(h.stride, streamed.stride, 'the bins grow as when every value is binned');
    assert.equal(h.half, streamed.half);
    const ref = numpyHistogram(chunks, h.stride, h.half, percentile);
    assert.equal(h.count, ref.count);
    close(selectRange(h, { method: 'percentile', symmetric: true, percentile }).max, ref.percentileSymmetric, `p${percentile} (${k} magnitudes kept)`);
  }
});

/** Each value's min, max, count and symmetric Percentile range equal numpy's one-shot histogram of the same values (onnxruntime's outputs). */
function assertPercentileEqualsNumpy(stats: ActivationStats, names: string[], values: Record<string, Float32Array>[], percentile: number): void {
  for (const n of names) {
    const h = stats.get(n)!;
    const ref = numpyHistogram(values.map((v) => v[n]!), h.stride, h.half, percentile);
    assert.deepEqual([h.min, h.max, h.count], [ref.min, ref.max, ref.count], n);
    close(selectRange(h, { method: 'percentile', symmetric: true, percentile }).max, ref.percentileSymmetric, n);
  }
}

const NAMES = ['/relu/Relu_output_0', '/layer1/layer1.0/conv1/Conv_output_0', '/layer4/layer4.1/Add_output_0'];
const SETTINGS = { threads: 1, optimization: 'disabled' as const };

/** The samples of a one-input model and, per sample, the named values onnxruntime computes for them (the reference's input). */
async function realCase(model: string, input: string, data: string, names: string[]): Promise<{ samples: Sample[]; values: Record<string, Float32Array>[] }> {
  const files = npySamples(data, 4);
  const samples = files.map((p): Sample => ({ id: p.name, feeds: { [input]: { dtype: 1, dims: p.tensor.dims.map(Number), data: p.tensor.data as Float32Array } } }));
  const values = await intermediates(new Uint8Array(readFileSync(model)), names, input, files.map((p) => p.tensor));
  return { samples, values };
}

const resnetCase = (): ReturnType<typeof realCase> => realCase(RESNET18, 'input', '.cache/data/imagenet224/calib', NAMES);

test('ResNet-18 on photos: in-graph symmetric Percentile and MinMax equal numpy on the same activations; inputs and unknown names take the full path', async () => {
  const { samples, values } = await resnetCase();
  const names = [...NAMES, 'input', 'no_such_value'];
  const percentile = 99.9;
  const p = await client.calibrationStats(RESNET18, names, samples, { method: 'percentile', symmetric: true, percentile }, { settings: SETTINGS });
  assert.deepEqual(p.passes[0], NAMES, 'the activations are summarized in the graph, in one session');
  assert.deepEqual(p.unavailable.map((u) => u.name), ['no_such_value']);
  const stats = ActivationStats.fromJSON(p.result);
  assertPercentileEqualsNumpy(stats, NAMES, values, percentile);
  // The graph input is binned from the feeds, as before: every value counted.
  const input = stats.get('input')!;
  const ref = numpyHistogram(samples.map((s) => s.feeds.input!.data as Float32Array), input.stride, input.half, percentile);
  close(selectRange(input, { method: 'percentile', symmetric: true, percentile }).max, ref.percentileSymmetric, 'input');

  const m = await client.calibrationStats(RESNET18, NAMES, samples, { method: 'minmax', symmetric: false, percentile }, { settings: SETTINGS });
  const mm: ActivationStatsJSON = m.result;
  assert.equal(mm.histograms, false);
  for (const n of NAMES) {
    const h = mm.tensors[n]!;
    const ref = numpyHistogram(values.map((v) => v[n]!), 1, 1, percentile);
    assert.deepEqual([h.min, h.max, h.count], [ref.min, ref.max, ref.count], n);
  }
});

test('ResNet-18: Entropy and asymmetric Percentile bin every value (the full path) and equal the in-graph path where both apply', async () => {
  const { samples } = await resnetCase();
  const spec = { method: 'percentile', symmetric: false, percentile: 99.9 } as const;
  const full = await client.calibrationStats(RESNET18, NAMES, samples, spec, { settings: SETTINGS });
  const viaJob = await client.intermediates<ActivationStatsJSON>(RESNET18, NAMES, samples, { job: { kind: 'collectStats', options: { histograms: true } }, settings: SETTINGS });
  assert.deepEqual(full.result, viaJob.result);
  const sym = ActivationStats.fromJSON((await client.calibrationStats(RESNET18, NAMES, samples, { ...spec, symmetric: true }, { settings: SETTINGS })).result);
  const all = ActivationStats.fromJSON(full.result);
  for (const n of NAMES) {
    const o = { method: 'percentile', symmetric: true, percentile: 99.9 } as const;
    assert.deepEqual(selectRange(sym.get(n)!, o), selectRange(all.get(n)!, o), n);
  }
});

test('PP-OCR direction classifier (opset 9: TopK takes k as an attribute) on text crops: in-graph Percentile equals numpy', async () => {
  const model = join(CORPUS_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
  const names = ['conv2d_53.tmp_0', 'p2o.Add.11', 'p2o.Clip.25', 'p2o.GlobalAveragePool.19'];
  const { samples, values } = await realCase(model, 'x', '.cache/data/ocr-cls/calib', names);
  const percentile = 99.99;
  const r = await client.calibrationStats(model, names, samples, { method: 'percentile', symmetric: true, percentile }, { settings: SETTINGS });
  assert.equal(r.passes.length, 1, 'no value fell back to the full path');
  assert.deepEqual([...r.passes[0]!].sort(), [...names].sort(), 'every value summarized in the graph (TopK-1, k an attribute)');
  assertPercentileEqualsNumpy(ActivationStats.fromJSON(r.result), names, values, percentile);
});

test('NaN activations (Sqrt of negatives): onnxruntime\'s ReduceMin/ReduceMax skip some NaNs, so such values take the full path and equal numpy on the finite values', async () => {
  // y = Sqrt(x) is NaN wherever x < 0; z = 3·y. ORT's ReduceMin/ReduceMax return NaN when the
  // first element is NaN but skip later NaNs wrongly (ReduceMax of [1, NaN, -3, 2, 0.5, 7, -8, 1]
  // is 1, not 7), so each sample here starts with a finite value.
  const g = graph({
    input: [valueInfo('x', tensorType(1, [2, 50]))],
    output: [valueInfo('z', tensorType(1, [2, 50]))],
    initializer: [constantTensor('three', 1, [], Float32Array.of(3))],
    node: [node('Sqrt', ['x'], ['y'], [], 'sqrt'), node('Mul', ['y', 'three'], ['z'], [], 'mul')],
  });
  const path = join(dir, 'nan.onnx');
  writeFileSync(path, bytesOf(model(g, 13)));
  const inputs = [1, 2, 3].map((seed) => Float32Array.of(1, ...normals(99, seed, 2, 0.5)));
  const samples = inputs.map((data, i): Sample => ({ id: `s${i}`, feeds: { x: { dtype: 1, dims: [2, 50], data } } }));
  const names = ['y', 'z'];
  const values = await intermediates(new Uint8Array(readFileSync(path)), names, 'x', inputs.map((d) => new ort.Tensor('float32', d, [2, 50])));
  for (const spec of [{ method: 'minmax', symmetric: false, percentile: 99 }, { method: 'percentile', symmetric: true, percentile: 99 }] as const) {
    const r = await client.calibrationStats(path, names, samples, spec, { settings: SETTINGS });
    const stats = ActivationStats.fromJSON(r.result);
    for (const n of names) {
      const h = stats.get(n)!;
      const chunks = values.map((v) => v[n]!);
      const ref = numpyHistogram(chunks, h.histogram ? h.stride : 1, h.histogram ? h.half : 1, spec.percentile);
      const nan = chunks.reduce((a, c) => a + c.filter(Number.isNaN).length, 0);
      assert.ok(nan > 0);
      assert.deepEqual([h.min, h.max, h.count, h.nonFinite], [ref.min, ref.max, ref.count, nan], `${spec.method} ${n}`);
      if (h.histogram) close(selectRange(h, spec).max, ref.percentileSymmetric, `${spec.method} ${n}`);
    }
  }
});
