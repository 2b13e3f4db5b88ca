import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSnr } from '../webview/report/format';

// JSON turns Infinity, -Infinity and NaN alike into null: only an output with no error at all is identical.
test('a null SNR reads as identical only when the max abs error is 0, not for a broken (NaN) or zero-reference output', () => {
  const json = (v: number): number | null => JSON.parse(JSON.stringify(v)) as number | null;
  assert.equal(formatSnr(json(Infinity), json(0)), '∞ (identical)');
  assert.notEqual(formatSnr(json(NaN), json(NaN)), '∞ (identical)');
  assert.notEqual(formatSnr(json(-Infinity), json(0.5)), '∞ (identical)');
  assert.equal(formatSnr(12.3456, 0.1), '12.35 dB');
});
