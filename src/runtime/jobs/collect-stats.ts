import { MinMaxStats } from '../min-max-stats';
import type { IntermediateJob } from './registry';

/** Value ranges for calibration. Uses the min/max stand-in until ActivationStats lands (then: `new ActivationStats(options)`). */
export function collectStatsJob(_options?: Record<string, unknown>): IntermediateJob {
  const stats = new MinMaxStats();
  return {
    consume: (_sample, name, values) => stats.add(name, values),
    result: () => stats.toJSON(),
  };
}
