// The Entropy threshold search (src/optimize/static/ranges.ts entropyThreshold, KL from running
// sums) on the histograms where its shortcuts matter: support narrower than the quantized bins
// (every candidate's KL is exactly 0: the first must win, as in the plain definition), sparse
// bins, a last bin that only the outliers fill, counts of 1 (the largest smoothing share).
// Expected: scripts/python/static_quant_reference.py's entropy_bins (numpy, the plain definition).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { entropyThreshold } from '../src/optimize/static/ranges';
import { numpyHistogram } from './helpers/numpy-histogram';

const HALF = 512;

/** Values at bin centres (stride 1), `counts[k]` of them in bin k, so numpy bins exactly these counts. */
function valuesOf(counts: number[]): Float32Array {
  const out = new Float32Array(counts.reduce((s, c) => s + c, 0));
  let n = 0;
  counts.forEach((c, k) => out.fill(k + 0.5, n, (n += c)));
  return out;
}

function bins(fill: (k: number) => number): number[] {
  return Array.from({ length: HALF }, (_, k) => Math.max(0, Math.round(fill(k))));
}

let seed = 11;
const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;

const CASES: [string, number[]][] = [
  ['support inside the first 100 bins', bins((k) => (k < 100 ? 2000 * Math.exp(-k / 30) : 0))],
  ['every 9th bin, above the quantized bins too', bins((k) => (k % 9 === 0 ? 300 + 50 * Math.sin(k) : 0))],
  ['outliers alone in the last bin', bins((k) => (k < 140 ? 1000 - 6 * k : k === HALF - 1 ? 7 : 0))],
  ['one bin of 1 among many empty ones', bins((k) => (k === 3 ? 1 : k === 1 ? 70000 : k === 400 ? 5 : 0))],
  ['sparse random counts of 1 to 3', bins(() => (random() < 0.05 ? 1 + Math.floor(random() * 3) : 0))],
  ['dense with a long tail', bins((k) => 5000 * Math.exp(-k / 60) + (random() < 0.3 ? 2 : 0))],
];

for (const [what, counts] of CASES) {
  test(`Entropy threshold equals numpy's plain KL search: ${what}`, () => {
    const ref = numpyHistogram([valuesOf(counts)], 1, HALF);
    const abs = ref.positive.map((p, k) => p + ref.negative[k]!);
    assert.deepEqual(abs, counts, 'the histogram numpy read');
    assert.equal(entropyThreshold(Float64Array.from(counts), 128), ref.entropyBins);
  });
}
