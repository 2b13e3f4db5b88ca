import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { float16ToNumber } from '../src/onnx/float-formats';
import { countFloat16Range, float32ToFloat16, FLOAT16_MAX } from '../src/optimize/fp16/to-float16';

// float32 → float16 rounding against numpy's astype(float16), bit for bit.

/** Deterministic float32 values covering every exponent, the rounding ties and the special cases. */
function sampleValues(): Float32Array {
  const bits = new Uint32Array(400_000);
  let s = 12345;
  const rand = (): number => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s);
  for (let i = 0; i < bits.length; i++) bits[i] = rand();
  const values = new Float32Array(bits.buffer);
  const special = [
    0, -0, Infinity, -Infinity, NaN, 65504, -65504, 65519.99, 65520, -65520, 65505, 65536, 1e10, -1e10,
    2 ** -24, -(2 ** -24), 2 ** -25, 2 ** -25 * 1.0001, 2 ** -26, 2 ** -14, 2 ** -14 * (1 - 2 ** -11), 6.1e-5, 5.96e-8, 1e-7, 1e-45, -1e-45,
    1e4, 10000.0009765625, -10000.0009765625, 9999.9990234375, 1.0000000116860974e-7, 1.0000001537946446e-7, 9.99999905104687e-8,
    1 + 2 ** -11, 1 + 3 * 2 ** -11, 1 + 2 ** -11 + 2 ** -20, 2048 + 1, 2048 + 3, 0.1, 1 / 3, Math.PI, 3.4028234663852886e38,
  ];
  const extra = new Float32Array(special.length + 2 * 2048);
  extra.set(special);
  // Every float16 subnormal and its midpoints to the next one.
  for (let k = 0; k < 2048; k++) {
    extra[special.length + 2 * k] = k * 2 ** -24;
    extra[special.length + 2 * k + 1] = (k + 0.5) * 2 ** -24;
  }
  const all = new Float32Array(values.length + extra.length);
  all.set(values);
  all.set(extra, values.length);
  return all;
}

test('float32ToFloat16 rounds exactly as numpy astype(float16): normals, ties, subnormals, ±inf, NaN, overflow', () => {
  const values = sampleValues();
  const dir = mkdtempSync(join(tmpdir(), 'fp16-round-'));
  try {
    writeFileSync(join(dir, 'in.f32'), new Uint8Array(values.buffer));
    const script = 'import numpy as np, sys\nx = np.fromfile(sys.argv[1], dtype=np.float32)\nwith np.errstate(over="ignore"):\n    x.astype(np.float16).tofile(sys.argv[2])';
    const r = spawnSync('/usr/bin/python3', ['-c', script, join(dir, 'in.f32'), join(dir, 'out.f16')], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const b = readFileSync(join(dir, 'out.f16'));
    const expected = new Uint16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
    const got = new Uint16Array(values.length);
    // No clamping: the bare rounding is what numpy does.
    float32ToFloat16(values, got, { maxFinite: Infinity, minPositive: 0 });
    let mismatches = 0;
    let first = '';
    for (let i = 0; i < values.length; i++) {
      const same = Number.isNaN(values[i]) ? Number.isNaN(float16ToNumber(got[i]!)) && Number.isNaN(float16ToNumber(expected[i]!)) : got[i] === expected[i];
      if (!same && mismatches++ === 0) first = `${values[i]}: got 0x${got[i]!.toString(16)}, numpy 0x${expected[i]!.toString(16)}`;
    }
    assert.equal(mismatches, 0, `first mismatch ${first}`);
    // The planning pass counts without converting: the same counts, under both range rules.
    for (const range of [{ maxFinite: FLOAT16_MAX, minPositive: 0 }, { maxFinite: 1e4, minPositive: 1e-7 }]) {
      assert.deepEqual(countFloat16Range(values, range), float32ToFloat16(values, got, range));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the range rules: beyond ±65504 clamped and counted, ±inf kept, tiny values flushed (counted) or raised to minPositive', () => {
  const src = Float32Array.from([65504, 65504.5, -70000, 1e30, Infinity, -Infinity, NaN, 1e-9, -1e-9, 2 ** -24, 0, -0, 1]);
  const out = new Uint16Array(src.length);
  const c = float32ToFloat16(src, out, { maxFinite: FLOAT16_MAX, minPositive: 0 });
  assert.deepEqual(c, { clamped: 3, raised: 0, flushed: 2 });
  assert.deepEqual([...out].map((h) => float16ToNumber(h)).slice(0, 6), [65504, 65504, -65504, 65504, Infinity, -Infinity]);
  assert.ok(Number.isNaN(float16ToNumber(out[6]!)));
  assert.deepEqual([...out.slice(7)].map((h) => h.toString(16)), ['0', '8000', '1', '0', '8000', '3c00']);

  // onnxconverter-common's rules: max_finite_val 1e4, min_positive_val 1e-7.
  const c2 = float32ToFloat16(src, out, { maxFinite: 1e4, minPositive: 1e-7 });
  assert.deepEqual(c2, { clamped: 4, raised: 3, flushed: 0 });
  assert.equal(float16ToNumber(out[0]!), 10000);
  // 1e-9, -1e-9 and 2^-24 become ±(1e-7 in float16) = ±2 × 2^-24.
  assert.deepEqual([out[7], out[8], out[9]].map((h) => float16ToNumber(h!)), [2 * 2 ** -24, -2 * 2 ** -24, 2 * 2 ** -24]);
});
