import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ActivationStats } from '../src/runtime/activation-stats';
import { ENTROPY_MIN_VALUES, selectRange } from '../src/optimize/static/ranges';

/** A heavy-tailed sample: most values near 0, a few large ones (as logits and activations are). */
function heavyTailed(n: number, seed: number): Float32Array {
  let s = seed;
  const next = (): number => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  return Float32Array.from({ length: n }, () => {
    const u = next();
    return (next() < 0.5 ? -1 : 1) * (u < 0.999 ? u : 40 * u);
  });
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
  assert.ok(r.max < g.absMax / 2, `entropy clips the long tail: ${r.max} of ${g.absMax}`);
});
