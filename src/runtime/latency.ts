import type { LatencyFigures } from './types';

export interface LatencyOptions {
  /** Runs discarded first (allocations, kernel caches); default 3. */
  warmup?: number;
  /** Timed runs; default 20. */
  runs?: number;
}

export const DEFAULT_WARMUP = 3;
export const DEFAULT_RUNS = 20;

/**
 * Median (mean of the middle two for an even count) and p90 (nearest rank: the smallest time
 * that at least 90 % of runs do not exceed) of run times in milliseconds.
 */
export function latencyFigures(timesMs: readonly number[]): LatencyFigures {
  if (timesMs.length === 0) throw new RangeError('no timed runs');
  const s = [...timesMs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  const p90 = s[Math.ceil(0.9 * s.length) - 1]!;
  return { median, p90 };
}
