import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cosineDb, mergeRankings } from '../src/optimize/flow/direct-effect';
import type { OutputAccuracy } from '../src/optimize/report';

const figures = (...cosines: number[]): OutputAccuracy[] => cosines.map((cosine, i) => ({ name: `o${i}`, cosine, meanCosine: cosine, snrDb: 0, meanSnrDb: 0, maxAbsError: 0 }));

test('cosineDb is −10·log10(1 − worst cosine) over the outputs; a NaN output is the worst there is', () => {
  assert.ok(Math.abs(cosineDb(figures(0.99, 0.9)) - 10) < 1e-9);
  assert.ok(Math.abs(cosineDb(figures(0.999)) - 30) < 1e-9);
  assert.equal(cosineDb(figures(0.99, NaN)), -Infinity);
});

test('one ranking, largest dB first: main-graph own losses and direct gains interleave; a direct candidate that gains nothing is left out; main graph alone keeps its order', () => {
  const own: [string, number][] = [
    ['m1', 12],
    ['m2', 3],
  ];
  const direct = [
    { id: 's1', cosine: 0.99, gainDb: 5 },
    { id: 's2', cosine: 0.9, gainDb: 0 },
    { id: 's3', cosine: 0.89, gainDb: -0.1 },
    { id: 's4', cosine: 0.999, gainDb: 20 },
  ];
  assert.deepEqual(mergeRankings(own, direct), ['s4', 'm1', 's1', 'm2']);
  assert.deepEqual(mergeRankings(own, []), ['m1', 'm2']);
  assert.deepEqual(mergeRankings([], direct), ['s4', 's1']);
});
