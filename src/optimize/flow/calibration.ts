import { ActivationStats } from '../../runtime/activation-stats';
import type { RuntimeClient } from '../../runtime/client';
import type { Sample, SessionSettings } from '../../runtime/types';
import type { ChannelMeanSpec } from '../static/bias-correction';
import { DEFAULT_PERCENTILE, selectRanges, type Range, type RangeOptions } from '../static/ranges';

/**
 * Bytes of intermediate values one calibration pass may hold per sample: as many values per
 * session as fit, so that a model's activations are usually collected in one pass (calibration
 * then costs about one inference per sample).
 */
const PASS_BUDGET_BYTES = 1 << 30;

/**
 * Activation ranges from onnxruntime runs over the calibration samples (in the runtime child:
 * only the statistics come back), chosen by `method`. MinMax and symmetric Percentile are
 * summarized by onnxruntime inside the graph (one run per sample, about the cost of plain
 * inference); Entropy and asymmetric Percentile bin every value in the child. The per-channel
 * means of `options.means` (bias correction's input) come from the same graph run.
 */
export async function calibrate(
  client: RuntimeClient,
  modelPath: string,
  names: string[],
  samples: Sample[],
  options: RangeOptions & { settings: SessionSettings; means?: ChannelMeanSpec[] },
  progress: (line: string) => void,
): Promise<{ ranges: Map<string, Range>; channelMeans: Map<string, number[]>; unavailable: { name: string; why: string }[]; passes: number }> {
  // A model whose quantized nodes all sit in subgraphs (Silero VAD) has no main-graph activation to calibrate.
  if (names.length === 0) return { ranges: new Map(), channelMeans: new Map(), unavailable: [], passes: 0 };
  progress(`calibrating ${names.length} activation(s) on ${samples.length} sample(s), ${options.method}`);
  const spec = { method: options.method, symmetric: options.symmetric, percentile: options.percentile ?? DEFAULT_PERCENTILE, means: options.means };
  const r = await client.calibrationStats(modelPath, names, samples, spec, {
    settings: options.settings,
    perPass: names.length,
    maxBytesPerPass: PASS_BUDGET_BYTES,
    onProgress: (p) => progress(`calibration: ${p.what} ${p.done}/${p.total}`),
  });
  const stats = ActivationStats.fromJSON(r.result);
  return { ranges: selectRanges(stats, options), channelMeans: new Map(Object.entries(r.result.channelMeans ?? {})), unavailable: r.unavailable, passes: r.passes.length };
}
