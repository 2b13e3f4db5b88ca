import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interleavedHalves, pruneFallback, prunedAndChecked, smallestMeetingPrefix } from '../src/optimize/flow/prefix-search';

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

test('pruning brings back to int8 the fallen-back nodes the target does not need, within its measurement budget', async () => {
  const set = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
  // The target needs c and h in float, nothing else.
  const needs = (s: string[]): boolean => s.includes('c') && s.includes('h');
  const full = await pruneFallback(set, 100, async (s) => needs(s));
  assert.deepEqual(full.set, ['c', 'h']);
  // Every set tried was measured; a small budget stops early with a set that still meets it.
  // Halves (f-j, a-e: both hold a needed node), then thirds from the end (h-j: no; e-g: yes).
  const short = await pruneFallback(set, 4, async (s) => needs(s));
  assert.deepEqual(short, { set: ['a', 'b', 'c', 'd', 'h', 'i', 'j'], tried: 4 });
  // Nothing can go: the set is kept whole.
  assert.deepEqual((await pruneFallback(set, 100, async (s) => s.length === set.length)).set, set);
});

test('the held-out check splits the samples in two interleaved halves that cover them once each', () => {
  assert.deepEqual(interleavedHalves(7), { search: [0, 2, 4, 6], check: [1, 3, 5] });
  assert.deepEqual(interleavedHalves(2), { search: [0], check: [1] });
  // One sample cannot be split: it is both.
  assert.deepEqual(interleavedHalves(1), { search: [0], check: [0] });
  assert.deepEqual(interleavedHalves(0), { search: [], check: [] });
});

test('pruning decides on the search half only, and is undone when its result misses on the check half', async () => {
  const set = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
  const halves = interleavedHalves(6);
  // On the search half only c must stay float; the check half also needs f (a removal that met the target by chance).
  const seen: number[][] = [];
  const meets = (needOnCheck: string[]) => async (s: string[], samples: readonly number[]) => {
    seen.push([...samples]);
    const check = samples.includes(1);
    return s.includes('c') && (!check || needOnCheck.every((x) => s.includes(x)));
  };
  const undone = await prunedAndChecked(set, 100, halves, meets(['f']));
  assert.deepEqual({ set: undone.set, undone: undone.undone }, { set, undone: true });
  // Every decision but the last saw the search half; the last one, the check half.
  assert.deepEqual(seen.at(-1), [1, 3, 5]);
  assert.ok(seen.slice(0, -1).every((s) => s.join() === '0,2,4'));
  assert.equal(undone.tried, seen.length);
  // The check half agrees: the pruned set stands.
  const kept = await prunedAndChecked(set, 100, halves, meets([]));
  assert.deepEqual({ set: kept.set, undone: kept.undone }, { set: ['c'], undone: false });
  // Nothing pruned: nothing to check.
  seen.length = 0;
  const whole = await prunedAndChecked(set, 100, halves, async (s, samples) => (seen.push([...samples]), s.length === set.length));
  assert.deepEqual({ set: whole.set, undone: whole.undone }, { set, undone: false });
  assert.ok(seen.every((s) => s.join() === '0,2,4'));
});
