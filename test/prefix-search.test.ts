import assert from 'node:assert/strict';
import { test } from 'node:test';
import { smallestMeetingPrefix } from '../src/optimize/flow/prefix-search';

/** A monotone figure: prefix k scores k, the target is met from `from` on. */
const monotone = (from: number) => {
  const tried: number[] = [];
  const attempt = async (k: number) => {
    tried.push(k);
    return { met: k >= from, score: k - from };
  };
  return { tried, attempt };
};

test('the fallback search returns the shortest ranked prefix that meets the target, as one node at a time would', async () => {
  for (const count of [1, 2, 7, 100, 300]) {
    for (let from = 1; from <= count; from += Math.max(1, Math.floor(count / 13))) {
      const m = monotone(from);
      const r = await smallestMeetingPrefix(count, { met: false, score: -from }, m.attempt);
      assert.deepEqual({ k: r.k, met: r.met }, { k: from, met: true }, `count ${count}, target from ${from}`);
      // Every k returned was measured, and the search costs about 2·log2(count) tries, not `from`.
      assert.ok(m.tried.includes(r.k));
      assert.ok(r.tried <= 2 * Math.ceil(Math.log2(count)) + 1, `${r.tried} tries for ${count}`);
    }
  }
});

test('the fallback search changes nothing when the target is met, and keeps the best try when it never is', async () => {
  const m = monotone(1);
  assert.deepEqual(await smallestMeetingPrefix(10, { met: true, score: 0.01 }, m.attempt), { k: 0, met: true, tried: 0, score: 0.01 });
  // Never met; the best score is at k = 4 (falling back more makes it worse again).
  const tried: number[] = [];
  const r = await smallestMeetingPrefix(10, { met: false, score: -0.5 }, async (k) => {
    tried.push(k);
    return { met: false, score: 0 - Math.abs(k - 4) / 10 + 0 };
  });
  assert.deepEqual(r, { k: 4, met: false, tried: tried.length, score: 0 });
  assert.deepEqual(tried, [1, 2, 4, 8, 10]);
  // Nothing helps: no fallback at all.
  assert.equal((await smallestMeetingPrefix(5, { met: false, score: 0 }, async () => ({ met: false, score: -1 }))).k, 0);
});
