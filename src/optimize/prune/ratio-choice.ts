import type { PruneUnit } from './types';

/**
 * Choosing per-unit ratios from the sensitivity scan's measurements (sensitivity.ts): the greedy
 * order of ratio steps, the longest prefix that meets a target, the fallback when none does.
 */

/** One measured level of a unit: its ratio, the worst output cosine with it alone pruned, and the weights that removes or zeroes. */
export interface Level {
  ratio: number;
  cosine: number;
  saved: number;
}

export interface GreedyStep {
  unit: string;
  ratio: number;
  /** The estimated loss (1 − cosine, summed over the units) once this step is taken. */
  loss: number;
  saved: number;
}

/**
 * Per-unit ratio increases, most weights saved per cosine lost first: each unit's next step is
 * the level (among those that meet `aim` alone) with the best saving per loss from where the
 * unit stands; losses add up across units. Exported for its unit test.
 */
export function greedySteps(units: readonly PruneUnit[], levels: ReadonlyMap<string, readonly Level[]>, aim: number): GreedyStep[] {
  const state = new Map(units.map((u) => [u.id, { ratio: 0, cosine: 1, saved: 0 }]));
  const steps: GreedyStep[] = [];
  let loss = 0;
  for (;;) {
    let best: { unit: string; level: Level; efficiency: number } | undefined;
    for (const u of units) {
      const at = state.get(u.id)!;
      for (const level of levels.get(u.id) ?? []) {
        if (level.ratio <= at.ratio || !(level.cosine >= aim) || level.saved <= at.saved) continue;
        const lost = Math.max(1e-12, at.cosine - level.cosine);
        const efficiency = (level.saved - at.saved) / lost;
        if (!best || efficiency > best.efficiency) best = { unit: u.id, level, efficiency };
      }
    }
    if (!best) return steps;
    const at = state.get(best.unit)!;
    loss += Math.max(0, at.cosine - best.level.cosine);
    state.set(best.unit, best.level);
    steps.push({ unit: best.unit, ratio: best.level.ratio, loss, saved: best.level.saved });
  }
}

/**
 * The largest k in [0, n] for which `meets(k)` holds, taking it as monotone (more pruning, lower
 * cosine): checks `start`, then doubles up or bisects down. `meets(0)` is taken as true (nothing pruned).
 */
export async function longestMeeting(n: number, start: number, meets: (k: number) => Promise<boolean>): Promise<number> {
  let lo = 0;
  let hi = n + 1;
  let probe = Math.max(1, Math.min(start, n));
  if (await meets(probe)) {
    lo = probe;
    // Upwards: the additive estimate is often pessimistic.
    for (let step = 1; lo < n; step *= 2) {
      probe = Math.min(n, lo + step);
      if (await meets(probe)) lo = probe;
      else {
        hi = probe;
        break;
      }
    }
  } else hi = probe;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (await meets(mid)) lo = mid;
    else hi = mid;
  }
  return lo;
}

/** No unit meets the target alone: the unit whose smallest ratio loses least, at that ratio. */
export function fallbackRatios(units: readonly PruneUnit[], levels: ReadonlyMap<string, readonly Level[]>): Record<string, number> {
  let best: { unit: string; level: Level } | undefined;
  for (const u of units) {
    const first = levels.get(u.id)?.find((l) => l.saved > 0);
    if (first && (!best || first.cosine > best.level.cosine)) best = { unit: u.id, level: first };
  }
  return Object.fromEntries(units.map((u) => [u.id, u.id === best?.unit ? best.level.ratio : 0]));
}
