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
