/**
 * The smallest k in 1..count for which `attempt(k)` meets a target, assuming that more
 * (a longer prefix of a ranked list) tends to help: k = 1, 2, 4, … until met, then bisection
 * between the last miss and the first hit. Every k returned was measured; when none meets
 * the target, the k with the best score (0 = nothing, also measured by the caller) is returned.
 */
export interface Attempt {
  met: boolean;
  /** Higher is better (how far past the target). */
  score: number;
}

export async function smallestMeetingPrefix(count: number, baseline: Attempt, attempt: (k: number) => Promise<Attempt>): Promise<{ k: number; met: boolean; tried: number; score: number }> {
  let best = { k: 0, ...baseline };
  let tried = 0;
  const run = async (k: number): Promise<Attempt> => {
    const a = await attempt(k);
    tried++;
    if (a.score > best.score) best = { k, ...a };
    return a;
  };
  if (baseline.met || count === 0) return { k: 0, met: baseline.met, tried, score: baseline.score };
  let miss = 0;
  let hit = { k: -1, score: -Infinity };
  for (let k = 1; ; k = Math.min(count, 2 * k)) {
    const a = await run(k);
    if (a.met) {
      hit = { k, score: a.score };
      break;
    }
    miss = k;
    if (k === count) return { k: best.k, met: false, tried, score: best.score };
  }
  while (hit.k - miss > 1) {
    const mid = Math.floor((miss + hit.k) / 2);
    const a = await run(mid);
    if (a.met) hit = { k: mid, score: a.score };
    else miss = mid;
  }
  return { k: hit.k, met: true, tried, score: hit.score };
}

/**
 * Brings nodes of a fallback set back to int8 while the target stays met: chunks of half the
 * set, then a quarter, … down to single nodes, the least ranked (the set's end) first; each
 * removal is kept only when `stillMeets` measured it. At most `maxTries` measurements.
 * A ranking is a guess: the shortest prefix also takes in nodes that did not matter.
 */
export async function pruneFallback(set: readonly string[], maxTries: number, stillMeets: (set: string[]) => Promise<boolean>): Promise<{ set: string[]; tried: number }> {
  let kept = [...set];
  let tried = 0;
  for (let size = Math.ceil(kept.length / 2); size >= 1 && tried < maxTries; size = size === 1 ? 0 : Math.ceil(size / 2)) {
    // From the end: removing [start, end) leaves the indices before `start` unchanged.
    for (let end = kept.length; end > 0 && tried < maxTries; end -= size) {
      const start = Math.max(0, end - size);
      const without = [...kept.slice(0, start), ...kept.slice(end)];
      tried++;
      if (await stillMeets(without)) kept = without;
    }
  }
  return { set: kept, tried };
}

/**
 * Sample indices in two interleaved halves (0, 2, 4, … and 1, 3, 5, …): pruning decides on
 * `search` and its result is checked on `check`, samples none of its decisions saw. Each removal
 * pruning keeps met the target on the worst sample, and of many removals tried some meet it by
 * chance (measured on the PP-OCR direction classifier: pruning on all 96 calibration samples met
 * 0.992 there and 0.964 held out). Halves, as the worst sample is what is judged: a smaller check
 * share is less likely to hold the few samples near the decision boundary. Under two samples
 * both are every sample.
 */
export function interleavedHalves(count: number): { search: number[]; check: number[] } {
  const all = Array.from({ length: count }, (_, k) => k);
  if (count < 2) return { search: all, check: all };
  return { search: all.filter((k) => k % 2 === 0), check: all.filter((k) => k % 2 === 1) };
}

/**
 * `pruneFallback` deciding on the `search` samples, then its result checked once on the `check`
 * samples: when that misses, pruning is undone (the set comes back whole).
 */
export async function prunedAndChecked(
  set: readonly string[],
  maxTries: number,
  halves: { search: readonly number[]; check: readonly number[] },
  meets: (set: string[], samples: readonly number[]) => Promise<boolean>,
): Promise<{ set: string[]; tried: number; undone: boolean }> {
  const pruned = await pruneFallback(set, maxTries, (s) => meets(s, halves.search));
  if (pruned.set.length === set.length) return { ...pruned, undone: false };
  if (await meets(pruned.set, halves.check)) return { ...pruned, tried: pruned.tried + 1, undone: false };
  return { set: [...set], tried: pruned.tried + 1, undone: true };
}
