import { ActivationStats, type ActivationStatsOptions } from '../activation-stats';
import type { IntermediateJob } from './registry';

/** Value ranges for calibration: min/max, and histograms unless `histograms: false` (MinMax needs none). */
export function collectStatsJob(options: ActivationStatsOptions = {}): IntermediateJob {
  const stats = new ActivationStats(options);
  return {
    consume: (_sample, name, values, _candidate, extremes) => stats.add(name, values, extremes),
    result: () => stats.toJSON(),
  };
}
