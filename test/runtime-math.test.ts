// The runtime's figures against numpy: comparison (cosine, SNR, max abs error, top-1),
// latency percentiles, float16 rounding of synthesized inputs, and the batching of names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planPasses } from '../src/runtime/batches';
import { errorFigures, OutputAccuracyAccumulator } from '../src/runtime/compare';
import { numberToFloat16 } from '../src/onnx/float-formats';
import { latencyFigures } from '../src/runtime/latency';
import { numpyFigures, python, wave } from './helpers/runtime';

const close = (a: number, b: number, tol = 1e-9): void => {
  if (!Number.isFinite(b)) return assert.equal(a, b);
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs numpy ${b}`);
};

test('cosine, SNR and max abs error equal numpy in float64', () => {
  const ref = wave(100_003);
  const cases: [string, Float32Array][] = [
    ['small noise', Float32Array.from(ref, (v, i) => v + 1e-3 * Math.cos(i * 1.7))],
    ['scaled', Float32Array.from(ref, (v) => v * 0.5)],
    ['identical', ref.slice()],
    ['unrelated', wave(100_003, 0.011, 1)],
  ];
  for (const [what, cand] of cases) {
    const mine = errorFigures(ref, cand);
    const np = numpyFigures(ref, cand);
    close(mine.cosine, np.cosine);
    close(mine.snrDb, np.snrDb);
    close(mine.maxAbsError, np.maxAbsError);
    assert.ok(what !== 'identical' || mine.snrDb === Infinity);
  }
});

test('zero tensors: cosine 1 when both are zero, 0 when one is; SNR -Infinity for a zero reference with error', () => {
  const z = new Float32Array(8);
  assert.deepEqual(errorFigures(z, z), { cosine: 1, snrDb: Infinity, maxAbsError: 0, referenceRms: 0, candidateRms: 0 });
  const one = new Float32Array(8).fill(1);
  assert.equal(errorFigures(z, one).cosine, 0);
  assert.equal(errorFigures(z, one).snrDb, -Infinity);
  assert.equal(errorFigures(one, z).cosine, 0);
  assert.throws(() => errorFigures(z, new Float32Array(3)), RangeError);
});

test('a NaN in the candidate is not hidden: the worst figures become NaN', () => {
  const acc = new OutputAccuracyAccumulator('y');
  acc.add(wave(16), wave(16), [16]);
  const bad = wave(16);
  bad[3] = NaN;
  acc.add(wave(16), bad, [16]);
  const r = acc.result();
  assert.ok(Number.isNaN(r.cosine) && Number.isNaN(r.maxAbsError));
});

test('a sample whose reference output is flat (a detector finding nothing) leaves cosine and SNR but not max abs error', () => {
  // Four samples with signal and one whose reference is 1e-6 of theirs: its cosine against a
  // candidate of pure rounding noise is about 0, which says nothing about the transform.
  const refs = [wave(64, 0.9), wave(64, 0.7, 1), wave(64, 1.3, 2), wave(64, 1.1, 3), Float32Array.from(wave(64, 0.5, 4), (v) => v * 1e-6)];
  const cands = refs.map((r, k) => Float32Array.from(r, (v, i) => (k === 4 ? 1e-4 * Math.cos(i * 3.1) : v + 0.01 * Math.cos(i))));
  const acc = new OutputAccuracyAccumulator('map');
  refs.forEach((r, k) => acc.add(r, cands[k]!, [64]));
  const got = acc.result();
  const np = refs.map((r, k) => numpyFigures(r, cands[k]!));
  assert.ok(np[4]!.cosine < 0.5, `the flat sample's own cosine ${np[4]!.cosine}`);
  assert.equal(got.flatSamples, 1);
  close(got.cosine, Math.min(...np.slice(0, 4).map((f) => f.cosine)));
  close(got.meanCosine, np.slice(0, 4).reduce((a, f) => a + f.cosine, 0) / 4);
  close(got.snrDb, Math.min(...np.slice(0, 4).map((f) => f.snrDb)));
  close(got.maxAbsError, Math.max(...np.map((f) => f.maxAbsError)));
  // All samples flat alike (all zeros): nothing is left out.
  const zeros = new OutputAccuracyAccumulator('z');
  zeros.add(new Float32Array(4), new Float32Array(4), [4]);
  assert.equal(zeros.result().flatSamples, undefined);
  assert.equal(zeros.result().cosine, 1);
});

test('a flat reference with a candidate that has signal (text found in an empty image) is an error: it stays in cosine and SNR', () => {
  const refs = [wave(64, 0.9), wave(64, 0.7, 1), wave(64, 1.3, 2), Float32Array.from(wave(64, 0.5, 4), (v) => v * 1e-6)];
  const cands = refs.map((r, k) => (k === 3 ? wave(64, 0.8, 5) : Float32Array.from(r, (v, i) => v + 0.01 * Math.cos(i))));
  const acc = new OutputAccuracyAccumulator('map');
  refs.forEach((r, k) => acc.add(r, cands[k]!, [64]));
  const got = acc.result();
  const np = refs.map((r, k) => numpyFigures(r, cands[k]!));
  assert.equal(got.flatSamples, undefined);
  close(got.cosine, Math.min(...np.map((f) => f.cosine)));
  close(got.snrDb, Math.min(...np.map((f) => f.snrDb)));
});

test('per-output accuracy: worst and mean over samples, top-1 agreement over rows, as numpy computes them', () => {
  // Three samples of a [2, 5] classifier output; the third sample flips one row's arg-max.
  const refs = [wave(10, 0.9), wave(10, 0.7, 1), wave(10, 1.3, 2)];
  const cands = refs.map((r, k) => Float32Array.from(r, (v, i) => v + (k + 1) * 0.01 * Math.cos(i)));
  cands[2]![Array.from(refs[2]!.slice(0, 5)).indexOf(Math.min(...refs[2]!.slice(0, 5)))] = 5;
  const acc = new OutputAccuracyAccumulator('scores', true);
  refs.forEach((r, k) => acc.add(r, cands[k]!, [2, 5]));
  const got = acc.result();
  const np = refs.map((r, k) => numpyFigures(r, cands[k]!));
  close(got.cosine, Math.min(...np.map((f) => f.cosine)));
  close(got.meanCosine, np.reduce((a, f) => a + f.cosine, 0) / 3);
  close(got.snrDb, Math.min(...np.map((f) => f.snrDb)));
  close(got.meanSnrDb, np.reduce((a, f) => a + f.snrDb, 0) / 3);
  close(got.maxAbsError, Math.max(...np.map((f) => f.maxAbsError)));
  const agree = python(
    `
import sys, json, numpy as np
r = np.array(json.loads(sys.argv[1])).reshape(-1, 5); c = np.array(json.loads(sys.argv[2])).reshape(-1, 5)
print(float(np.mean(np.argmax(r, 1) == np.argmax(c, 1))))
`,
    [JSON.stringify(refs.flatMap((r) => [...r])), JSON.stringify(cands.flatMap((c) => [...c]))],
  );
  close(got.top1Agreement!, Number(agree));
  assert.ok(got.top1Agreement! < 1);
});

test('top-1 agreement only for outputs declared classifier-like', () => {
  const acc = new OutputAccuracyAccumulator('state');
  acc.add(wave(10), wave(10), [2, 5]);
  assert.equal(acc.result().top1Agreement, undefined);
});

test('latency median and p90 equal numpy (median; percentile 90, inverted_cdf)', () => {
  for (const n of [1, 2, 5, 10, 11, 20, 37]) {
    const times = Array.from({ length: n }, (_, i) => 1 + Math.abs(Math.sin(i * 2.3)) * 10);
    const np = JSON.parse(python(`import sys, json, numpy as np; x = np.array(json.loads(sys.argv[1])); print(json.dumps([float(np.median(x)), float(np.percentile(x, 90, method='inverted_cdf'))]))`, [JSON.stringify(times)])) as number[];
    const got = latencyFigures(times);
    close(got.median, np[0]!);
    close(got.p90, np[1]!);
  }
  assert.throws(() => latencyFigures([]), RangeError);
});

test('float16 bits of synthesized inputs equal numpy float16 (rounding to even, subnormals, overflow)', () => {
  const values = [0, -0, 1, -1, 0.1, 65504, 65520, 70000, -70000, 1e-5, 6e-8, 3e-8, 2.9e-8, 1e-9, 1 + 2 ** -11, 1 + 3 * 2 ** -11, Infinity, -Infinity, NaN, ...wave(200).map((v) => v * 1000)];
  const asText = values.map((v) => (Object.is(v, -0) ? '-0.0' : String(v)));
  const np = JSON.parse(python(`import sys, json, numpy as np; print(json.dumps(np.array([float(s) for s in json.loads(sys.argv[1])], dtype=np.float32).astype(np.float16).view(np.uint16).tolist()))`, [JSON.stringify(asText)])) as number[];
  values.forEach((v, i) => {
    const mine = numberToFloat16(v);
    if (Number.isNaN(v)) assert.ok((mine & 0x7c00) === 0x7c00 && (mine & 0x3ff) !== 0, 'NaN stays NaN');
    else assert.equal(mine, np[i], `float16 of ${v}`);
  });
});

test('names are split into passes of at most maxNames, duplicates once, order kept', () => {
  const names = Array.from({ length: 10 }, (_, i) => `v${i}`);
  assert.deepEqual(planPasses([...names, 'v3'], { maxNames: 3 }), [['v0', 'v1', 'v2'], ['v3', 'v4', 'v5'], ['v6', 'v7', 'v8'], ['v9']]);
  assert.deepEqual(planPasses(names, { maxNames: 100 }), [names]);
  assert.deepEqual(planPasses([], { maxNames: 4 }), []);
  assert.throws(() => planPasses(names, { maxNames: 0 }), RangeError);
  assert.throws(() => planPasses(names, { maxNames: 1.5 }), RangeError);
  assert.throws(() => planPasses(names, { maxBytes: 0 }), RangeError);
});

test('passes stay within maxBytes where sizes are known; a value over the limit gets its own pass; unknown sizes count as names only', () => {
  const size: Record<string, number | undefined> = { a: 40, b: 50, c: 20, big: 500, d: undefined, e: 100, f: 1 };
  const passes = planPasses(Object.keys(size), { maxBytes: 100, maxNames: 3 }, (n) => size[n]);
  assert.deepEqual(passes, [['a', 'b'], ['c'], ['big'], ['d', 'e'], ['f']]);
  for (const p of passes) assert.ok(p.length === 1 || p.reduce((s, n) => s + (size[n] ?? 0), 0) <= 100);
});
