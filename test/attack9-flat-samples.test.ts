// The comparison leaves a sample out of cosine and SNR when its float output is flat (a detector
// that finds nothing). A broken candidate must not hide there: one that outputs NaN, or a map of
// 0.5 where the float model sees nothing, keeps its cosine in the worst figure (attack9).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OutputAccuracyAccumulator } from '../src/runtime/compare';
import { numpyFigures, wave } from './helpers/runtime';

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${a} vs numpy ${b}`);

/** Four samples with signal and one whose float output is 1e-6 of theirs. */
const refs = (): Float32Array[] => [wave(64, 0.9), wave(64, 0.7, 1), wave(64, 1.3, 2), wave(64, 1.1, 3), Float32Array.from(wave(64, 0.5, 4), (v) => v * 1e-6)];

function accuracy(refs: Float32Array[], cands: Float32Array[]) {
  const acc = new OutputAccuracyAccumulator('map');
  refs.forEach((r, k) => acc.add(r, cands[k]!, [64]));
  return acc.result();
}

test('a candidate that outputs 0.5 everywhere where the float output is flat keeps that sample in the worst cosine', () => {
  const r = refs();
  const cands = r.map((x, k) => (k === 4 ? new Float32Array(64).fill(0.5) : Float32Array.from(x, (v, i) => v + 0.01 * Math.cos(i))));
  const got = accuracy(r, cands);
  const np = r.map((x, k) => numpyFigures(x, cands[k]!));
  assert.equal(got.flatSamples, undefined);
  close(got.cosine, Math.min(...np.map((f) => f.cosine)));
  assert.ok(got.cosine < 0.5, `worst cosine ${got.cosine}`);
});

test('a candidate with NaN where the float output is flat keeps that sample: the worst cosine is NaN', () => {
  const r = refs();
  const cands = r.map((x) => x.slice());
  cands[4]![7] = NaN;
  const got = accuracy(r, cands);
  assert.equal(got.flatSamples, undefined);
  assert.ok(Number.isNaN(got.cosine) && Number.isNaN(got.maxAbsError), JSON.stringify(got));
});

test('rounding noise around a flat float output is still left out', () => {
  const r = refs();
  const cands = r.map((x, k) => Float32Array.from(x, (v, i) => (k === 4 ? 1e-4 * Math.cos(i * 3.1) : v + 0.01 * Math.cos(i))));
  const got = accuracy(r, cands);
  const np = r.map((x, k) => numpyFigures(x, cands[k]!));
  assert.equal(got.flatSamples, 1);
  close(got.cosine, Math.min(...np.slice(0, 4).map((f) => f.cosine)));
});
