import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { quantizeWeights } from '../src/optimize/static/quant-params';

/**
 * Depthwise 3×3 kernels whose taps almost cancel (edge detectors): rounding each tap alone moves
 * the window's sum, its response to a constant input, by several steps.
 */
function cancellingKernels(channels: number): Float32Array {
  const w = new Float32Array(channels * 9);
  for (let c = 0; c < channels; c++) {
    for (let j = 0; j < 9; j++) w[c * 9 + j] = 0.01 * Math.sin(1.7 * j + c) + (j === 4 ? 0.3 + 0.01 * c : 0) - (j === 3 ? 0.29 : 0);
  }
  return w;
}

test('per-channel int8 weights keep each kernel window sum within half a step, as the numpy reference rounds them', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kernel-sums-'));
  const dims = [16, 1, 3, 3];
  const w = cancellingKernels(16);
  writeFileSync(join(dir, 'w.bin'), new Uint8Array(w.buffer));
  for (const axis of [0, -1]) {
    writeFileSync(join(dir, 'job.json'), JSON.stringify({ kind: 'weights', file: join(dir, 'w.bin'), dims, axis }));
    const ref = JSON.parse(execFileSync('/usr/bin/python3', ['scripts/python/static_quant_reference.py', join(dir, 'job.json')]).toString()) as { q: number[]; scales: number[] };
    const mine = quantizeWeights(w, dims, axis);
    assert.deepEqual(Array.from(mine.scales), ref.scales, `axis ${axis}: scales`);
    assert.deepEqual(Array.from(mine.q), ref.q, `axis ${axis}: int8 values`);
    let moved = 0;
    for (let c = 0; c < 16; c++) {
      const s = mine.scales[axis < 0 ? 0 : c]!;
      let exact = 0;
      let sum = 0;
      let plain = 0;
      for (let j = 0; j < 9; j++) {
        const x = w[c * 9 + j]! / s;
        exact += x;
        sum += mine.q[c * 9 + j]!;
        plain += Math.max(-127, Math.min(127, Math.round(x)));
        assert.ok(Math.abs(mine.q[c * 9 + j]! - x) < 1, 'each tap within one step');
      }
      assert.ok(Math.abs(sum - exact) <= 0.5, `channel ${c}: window sum ${sum} against exact ${exact}`);
      if (Math.abs(plain - exact) > 0.5) moved++;
    }
    assert.ok(moved > 0, `axis ${axis}: some windows' sums were off by a step or more when each tap is rounded alone`);
  }
});
