import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActivationStats } from '../src/runtime/activation-stats';
import { ENTROPY_MIN_VALUES, selectRange } from '../src/optimize/static/ranges';

/** Laplace-distributed values (a long tail, as activations have), seeded. */
function heavyTailed(n: number, seed: number): Float32Array {
  let s = seed;
  const next = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) + 1) / (2 ** 31 + 1);
  return Float32Array.from({ length: n }, () => (next() < 0.5 ? -1 : 1) * -Math.log(next()));
}

test('Entropy takes the full range of a value seen fewer than ENTROPY_MIN_VALUES times, and clips a well-sampled one', () => {
  const few = new ActivationStats();
  few.add('logits', heavyTailed(154, 1));
  const h = few.get('logits')!;
  assert.ok(h.count < ENTROPY_MIN_VALUES);
  assert.deepEqual(selectRange(h, { method: 'entropy', symmetric: true }), { min: -h.absMax, max: h.absMax });
  const many = new ActivationStats();
  many.add('features', heavyTailed(4 * ENTROPY_MIN_VALUES, 2));
  const g = many.get('features')!;
  const r = selectRange(g, { method: 'entropy', symmetric: true });
  assert.ok(r.max < 0.9 * g.absMax, `entropy clips the long tail: ${r.max} of ${g.absMax}`);
});
