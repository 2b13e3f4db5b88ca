import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ActivationStats, TensorHistogram } from '../src/runtime/activation-stats';
import { selectRange } from '../src/optimize/static/ranges';
import { activationParams, quantizeBias, quantizeWeights } from '../src/optimize/static/quant-params';
import { intermediates, normals, npySamples } from './helpers/static-calibration';

const dir = mkdtempSync(join(tmpdir(), 'static-ranges-'));
let jobs = 0;

/** Runs the numpy reference (scripts/python/static_quant_reference.py) on a job. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the reference answers JSON of several shapes
function reference(job: Record<string, unknown>): any {
  const path = join(dir, `job${jobs++}.json`);
  writeFileSync(path, JSON.stringify(job));
  return JSON.parse(execFileSync('/usr/bin/python3', ['scripts/python/static_quant_reference.py', path], { maxBuffer: 1 << 28 }).toString());
}

function writeChunks(chunks: Float32Array[]): string[] {
  return chunks.map((c) => {
    const p = join(dir, `chunk${jobs}-${Math.random().toString(36).slice(2)}.bin`);
    writeFileSync(p, new Uint8Array(c.buffer, c.byteOffset, c.byteLength));
    return p;
  });
}

function checkAgainstNumpy(label: string, chunks: Float32Array[], binsPerSide?: number): void {
  const h = new TensorHistogram(binsPerSide);
  for (const c of chunks) h.add(c);
  const ref = reference({ kind: 'histogram', files: writeChunks(chunks), stride: h.stride, half: h.half, percentile: 99.9, quantized_bins: 128 });
  assert.equal(h.count, ref.count, `${label}: count`);
  assert.equal(h.min, ref.min, `${label}: min`);
  assert.equal(h.max, ref.max, `${label}: max`);
  assert.deepEqual(Array.from(h.positive), ref.positive, `${label}: positive bins equal a one-shot numpy histogram of all values`);
  assert.deepEqual(Array.from(h.negative), ref.negative, `${label}: negative bins`);
  const close = (a: number, b: number, what: string): void => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${label}: ${what} ${a} vs numpy ${b}`);
  const ps = selectRange(h, { method: 'percentile', symmetric: true, percentile: 99.9 });
  close(ps.max, ref.percentileSymmetric, 'percentile (symmetric)');
  close(ps.min, -ref.percentileSymmetric, 'percentile (symmetric) min');
  const pa = selectRange(h, { method: 'percentile', symmetric: false, percentile: 99.9 });
  close(pa.min, ref.percentileAsymmetric[0], 'percentile (asymmetric) min');
  close(pa.max, ref.percentileAsymmetric[1], 'percentile (asymmetric) max');
  const es = selectRange(h, { method: 'entropy', symmetric: true });
  close(es.max, ref.entropySymmetric, 'entropy (symmetric)');
  const ea = selectRange(h, { method: 'entropy', symmetric: false });
  close(ea.min, ref.entropyAsymmetric[0], 'entropy (asymmetric) min');
  close(ea.max, ref.entropyAsymmetric[1], 'entropy (asymmetric) max');
  const mm = selectRange(h, { method: 'minmax', symmetric: false });
  assert.deepEqual(mm, { min: ref.min, max: ref.max });
  console.log(`# ${label}: ${h.count} values, ${h.half} bins/side, stride ${h.stride.toExponential(3)}; entropy amax ${es.max.toPrecision(4)} of ${h.absMax.toPrecision(4)}, p99.9 ${ps.max.toPrecision(4)}`);
}

test('streamed histogram with growing ranges equals numpy one-shot binning; percentile and entropy ranges equal numpy', () => {
  // Zeros first (no stride yet), then widening normals (extension), then a far outlier batch (pair merging);
  // over ENTROPY_MIN_VALUES values, so that Entropy searches (a sparser value takes its full range).
  const chunks = [new Float32Array(1000), normals(30000, 1, 0.5), normals(30000, 2, 1.5, 0.3), normals(30000, 3, 4), Float32Array.of(-300, 250, NaN, Infinity)];
  checkAgainstNumpy('synthetic', chunks, 512);
  checkAgainstNumpy('synthetic, default bins', chunks.slice(1, 4));
});

test('real ResNet-18 activations (photos through onnxruntime) bin and select ranges as numpy does', async () => {
  const bytes = new Uint8Array(readFileSync('.cache/models/resnet18.onnx'));
  const names = ['/relu/Relu_output_0', '/layer1/layer1.0/conv1/Conv_output_0', '/layer4/layer4.1/Add_output_0'];
  const samples = npySamples('.cache/data/imagenet224/calib', 4).map((s) => s.tensor);
  const values = await intermediates(bytes, names, 'input', samples);
  for (const n of names) checkAgainstNumpy(n, values.map((v) => v[n]!));
});

test('stats survive JSON (the IPC path) and merging two halves keeps counts, min and max', () => {
  const a = new ActivationStats({ binsPerSide: 256 });
  const b = new ActivationStats({ binsPerSide: 256 });
  const whole = new ActivationStats({ binsPerSide: 256 });
  const chunks = [normals(5000, 7, 1), normals(5000, 8, 2), normals(5000, 9, 0.1, 5)];
  chunks.forEach((c, i) => {
    (i < 2 ? a : b).add('x', c);
    whole.add('x', c);
  });
  const back = ActivationStats.fromJSON(JSON.parse(JSON.stringify(a.toJSON())));
  assert.deepEqual(back.toJSON(), a.toJSON());
  back.merge(b);
  const m = back.get('x')!;
  const w = whole.get('x')!;
  assert.equal(m.count, w.count);
  assert.equal(m.min, w.min);
  assert.equal(m.max, w.max);
  const sum = (h: TensorHistogram): number => h.absoluteCounts().reduce((s, v) => s + v, 0);
  assert.equal(sum(m), w.count);
  const pm = selectRange(m, { method: 'percentile', symmetric: true, percentile: 99 }).max;
  const pw = selectRange(w, { method: 'percentile', symmetric: true, percentile: 99 }).max;
  assert.ok(Math.abs(pm - pw) <= 2 * Math.max(m.stride, w.stride), `merged p99 ${pm} vs streamed ${pw}`);
});

test('per-channel int8 weights, int32 bias and activation scales equal numpy (ResNet-18 conv1 weights)', async () => {
  const { openModel } = await import('../src/onnx/open');
  const { Tensor } = await import('../src/onnx/tensor');
  const model = openModel('.cache/models/resnet18.onnx');
  const inits = model.graph.initializers.filter((t) => t.dtype === 1);
  const weight = inits.find((t) => t.dims.length === 4)!;
  const bias = inits.find((t) => t.dims.length === 1 && t.dims[0] === weight.dims[0])!;
  const w = new Tensor(weight.proto, model.files).read(weight.elementCount).values as Float32Array;
  const b = new Tensor(bias.proto, model.files).read(bias.elementCount).values as Float32Array;
  for (const axis of [0, 1, -1]) {
    const mine = quantizeWeights(w, weight.dims, axis);
    const [file] = writeChunks([w]);
    const ref = reference({ kind: 'weights', file, dims: weight.dims, axis, bias: axis === 0 ? Array.from(b) : undefined, inputScale: 0.0187 });
    assert.deepEqual(Array.from(mine.q), ref.q, `axis ${axis}: int8 values`);
    assert.deepEqual(Array.from(mine.scales), ref.scales, `axis ${axis}: scales`);
    if (axis === 0) {
      const qb = quantizeBias(b, 0.0187, mine.scales);
      assert.deepEqual(Array.from(qb.q), ref.biasQ, 'int32 bias');
      assert.deepEqual(Array.from(qb.scales), ref.biasScales, 'bias scales');
    }
  }
  model.close();
  const ranges: [number, number][] = [[-2.1, 2.6], [0, 6], [0.5, 3], [-4, -1], [0, 0], [-1e-3, 7.123]];
  const ref = reference({ kind: 'activation', ranges });
  ranges.forEach(([min, max], i) => {
    const u = activationParams({ min, max }, 'uint8', false);
    const s = activationParams({ min, max }, 'int8', true);
    assert.deepEqual([u.scale, u.zeroPoint], ref[i].uint8, `uint8 asymmetric [${min}, ${max}]`);
    assert.deepEqual([s.scale, s.zeroPoint], ref[i].int8, `int8 symmetric [${min}, ${max}]`);
  });
});

test('rounding ties to even and QuantizeLinear arithmetic equal numpy (rint, saturate) ', async () => {
  const { rint } = await import('../src/optimize/static/quant-params');
  const { quantizeWithParams } = await import('../src/optimize/static/quant-params');
  const xs = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.4999, -7.5, 126.5, 127.5, 1e-9, -0.0];
  const script = 'import json,sys,numpy as np; x=np.array(json.load(sys.stdin)["x"],dtype=np.float32); s=np.float32(0.0123); print(json.dumps({"rint":np.rint(x.astype(np.float64)).tolist(),"u8":np.clip(np.rint(x/s)+37,0,255).astype(int).tolist(),"i8":np.clip(np.rint(x/s),-128,127).astype(int).tolist()}))';
  const values = [...xs, ...normals(200, 11, 1)];
  const ref = JSON.parse(execFileSync('/usr/bin/python3', ['-c', script], { input: JSON.stringify({ x: values.map((v) => Math.fround(v)) }) }).toString());
  assert.deepEqual(values.map((v) => rint(Math.fround(v)) + 0), ref.rint.map((v: number) => v + 0), "-0 and 0 alike");
  const f = Float32Array.from(values);
  assert.deepEqual(Array.from(quantizeWithParams(f, { scale: Math.fround(0.0123), zeroPoint: 37, type: 'uint8' })), ref.u8);
  assert.deepEqual(Array.from(quantizeWithParams(f, { scale: Math.fround(0.0123), zeroPoint: 0, type: 'int8' })), ref.i8);
  const { quantizeBias } = await import('../src/optimize/static/quant-params');
  assert.equal(quantizeBias(Float32Array.of(1e6, 1e-3), 1e-6, Float32Array.of(1e-6)).clamped, 1, 'a bias beyond int32 is clamped and counted');
});
