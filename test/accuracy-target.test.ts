import assert from 'node:assert/strict';
import { test } from 'node:test';
import { meetsTarget } from '../src/optimize/flow/accuracy-aware';
import type { OutputAccuracy } from '../src/optimize/report';

const figure = (cosine: number, top1Agreement?: number): OutputAccuracy => ({ name: 'y', cosine, meanCosine: cosine, snrDb: 20, meanSnrDb: 20, maxAbsError: 0.1, top1Agreement });

test('the accuracy-aware loop stops only on figures that reach the target: NaN (a broken quantized output) never does', () => {
  assert.equal(meetsTarget([figure(0.995)], { cosine: 0.99 }), true);
  assert.equal(meetsTarget([figure(0.98)], { cosine: 0.99 }), false);
  assert.equal(meetsTarget([figure(NaN)], { cosine: 0.99 }), false);
  assert.equal(meetsTarget([figure(0.995, 0.9)], { top1: 0.95 }), false);
  assert.equal(meetsTarget([figure(0.995, NaN)], { top1: 0.95 }), false);
});
