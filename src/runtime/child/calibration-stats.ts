import type { ModelFiles } from '../../onnx/io/model-files';
import type { ModelProto } from '../../onnx/proto/types';
import { ActivationStats, TensorHistogram, type ActivationStatsJSON } from '../activation-stats';
import type { PassLimits } from '../batches';
import { RuntimeRequestError } from '../errors';
import type { CalibrationStatsSpec, IntermediatesResult, Progress } from '../protocol';
import type { Sample, SessionSettings } from '../types';
import { adaptFeeds } from './adapt-feeds';
import { binningJob } from './binning-worker';
import { runIntermediates } from './intermediates';
import { editedModelBuffer } from './model-source';
import { asFloat32, feedsToOrt } from './ort-tensors';
import { createSession, releaseSession, runSession } from './sessions';
import { addMeanNodes, addSummaryNodes, takenNames, type SummaryOutputs } from './stats-graph';
import { valueTypes } from './value-sizes';

export interface CalibrationStatsRequest {
  modelPath: string;
  names: string[];
  samples: Sample[];
  settings: SessionSettings;
  limits: PassLimits;
  spec: CalibrationStatsSpec;
}

const FLOAT = 1;

/**
 * Calibration statistics with as little as possible leaving onnxruntime. MinMax and symmetric
 * Percentile need only each value's extremes and, for Percentile, its largest magnitudes: one
 * session whose graph computes those (ReduceMin/ReduceMax/TopK) runs the samples once, the
 * activations never become outputs. The histogram built from them equals a full one wherever a
 * symmetric Percentile range can fall (TensorHistogram.addTopMagnitudes). Entropy, asymmetric
 * Percentile, values that are graph inputs, not float32, inside subgraphs, of unknown size, or
 * whose extremes or sum come back non-finite (an infinity, a NaN, which the extremes may miss)
 * go through the full path: exposed as outputs, binned here, non-finite values counted apart.
 */
export async function calibrationStats(r: CalibrationStatsRequest, progress: (p: Progress) => void): Promise<IntermediatesResult<ActivationStatsJSON>> {
  if (r.samples.length === 0) throw new RuntimeRequestError('no samples to run');
  const { method, symmetric } = r.spec;
  const histograms = method !== 'minmax';
  // Only an asymmetric Percentile reads the sign of binned values; the others read magnitudes.
  const signed = method === 'percentile' && !symmetric;
  const options = { histograms, signed, binsPerSide: r.spec.binsPerSide };
  const stats = new ActivationStats(options);
  const full = async (names: string[]): Promise<IntermediatesResult> => {
    // Histograms binned on a worker thread while onnxruntime runs the next sample, where cores are spare; the feeds stay the samples'.
    const consumer = histograms ? binningJob(options, new Set(r.samples.flatMap((s) => Object.values(s.feeds).map((f) => (f.data as Float32Array).buffer)))) : undefined;
    try {
      // extremes: onnxruntime's min/max beside each value, so the binning pass tracks none.
      return await runIntermediates({ modelPath: r.modelPath, names, samples: r.samples, settings: r.settings, limits: r.limits, job: { kind: 'collectStats', options }, consumer, extremes: histograms }, progress);
    } finally {
      await consumer?.close();
    }
  };
  const binsEverything = method === 'entropy' || (method === 'percentile' && !symmetric);
  const wantsMeans = (r.spec.means ?? []).length > 0;
  if (binsEverything && !wantsMeans) return full(r.names) as Promise<IntermediatesResult<ActivationStatsJSON>>;

  let summaries = new Map<string, SummaryOutputs>();
  let means = new Map<string, string>();
  const model = editedModelBuffer(r.modelPath, (m, files) => {
    const taken = takenNames(m, files);
    // Entropy and asymmetric Percentile bin every value in the full path: the graph computes only the means then.
    const toAverage = wantsMeans ? averageable(m, files, r) : [];
    if (!binsEverything) summaries = addSummaryNodes(m, summarizable(m, files, r), taken);
    means = addMeanNodes(m, toAverage, taken);
  });
  const fallback = new Set(r.names.filter((n) => !summaries.has(n)));
  const meanSums = new ChannelMeanSums();
  if (summaries.size > 0 || means.size > 0) {
    const tops = new Map<string, { values: number[]; uncounted: number }>();
    const fetches = [...[...summaries.values()].flatMap((s) => [s.min, s.max, s.size, s.sum, ...(s.top ? [s.top] : [])]), ...means.values()];
    const session = await createSession(model, r.settings);
    try {
      for (const [i, sample] of r.samples.entries()) {
        const out = await runSession(session, feedsToOrt(adaptFeeds(session, sample.feeds)), fetches);
        for (const [name, output] of means) meanSums.add(name, asFloat32(out[output]!));
        for (const [name, s] of summaries) {
          if (fallback.has(name)) continue;
          const lo = Number(out[s.min]!.data[0]);
          const hi = Number(out[s.max]!.data[0]);
          const n = Number(out[s.size]!.data[0]);
          // A finite sum also rules out the NaNs ReduceMin/ReduceMax may skip (a float32 sum that overflows only costs the full path).
          if (!Number.isFinite(lo) || !Number.isFinite(hi) || !Number.isFinite(Number(out[s.sum]!.data[0]))) {
            fallback.add(name);
            continue;
          }
          let h = stats.get(name);
          if (!h) stats.tensors.set(name, (h = new TensorHistogram(stats.binsPerSide, histograms, signed)));
          if (!h.addRange(lo, hi, n) || !s.top) continue;
          const t = tops.get(name) ?? { values: [], uncounted: 0 };
          const k = out[s.top]!.data.length;
          t.values = largest(t.values, asFloat32(out[s.top]!)!, k);
          t.uncounted += n;
          tops.set(name, t);
        }
        progress({ done: i + 1, total: r.samples.length, what: 'calibration statistics' });
      }
    } finally {
      await releaseSession(session);
    }
    for (const name of fallback) stats.tensors.delete(name);
    for (const [name, t] of tops) if (!fallback.has(name)) stats.get(name)!.addTopMagnitudes(t.values, t.uncounted);
  }
  const inGraph = [...summaries.keys()].filter((n) => !fallback.has(n));
  const channelMeans = meanSums.means();
  if (fallback.size === 0) return { result: { ...stats.toJSON(), channelMeans }, unavailable: [], passes: [inGraph] };
  const rest = await full([...fallback]);
  stats.merge(ActivationStats.fromJSON(rest.result as ActivationStatsJSON));
  return { result: { ...stats.toJSON(), channelMeans }, unavailable: rest.unavailable, passes: inGraph.length ? [inGraph, ...rest.passes] : rest.passes };
}

/** The asked-for means of main-graph float32 values (graph inputs included: ReduceMean reads them as well). */
function averageable(m: ModelProto, files: ModelFiles, r: CalibrationStatsRequest): { name: string; axes: number[] }[] {
  const typeOf = valueTypes(m, files, r.samples[0]!.feeds);
  const floatInputs = new Set(m.graph!.input.filter((i) => i.type?.tensor_type?.elem_type === FLOAT).map((i) => i.name));
  return (r.spec.means ?? []).filter((spec) => {
    const t = typeOf(spec.name);
    return floatInputs.has(spec.name) || (t?.inMainGraph && t.elemType === FLOAT);
  });
}

/** Per-channel means summed over samples; a value whose mean was ever non-finite or changed length is dropped. */
class ChannelMeanSums {
  private readonly sums = new Map<string, { sum: Float64Array; samples: number }>();
  private readonly dropped = new Set<string>();

  add(name: string, mean: Float32Array | undefined): void {
    if (this.dropped.has(name)) return;
    const s = this.sums.get(name) ?? { sum: new Float64Array(mean?.length ?? 0), samples: 0 };
    if (!mean || mean.length !== s.sum.length || !mean.every(Number.isFinite)) {
      this.dropped.add(name);
      this.sums.delete(name);
      return;
    }
    for (let c = 0; c < mean.length; c++) s.sum[c]! += mean[c]!;
    s.samples++;
    this.sums.set(name, s);
  }

  means(): Record<string, number[]> {
    const out: Record<string, number[]> = {};
    for (const [name, s] of this.sums) out[name] = Array.from(s.sum, (v) => v / s.samples);
    return out;
  }
}

/**
 * The values the graph can summarize, each with the number of largest magnitudes its Percentile
 * needs (undefined for MinMax: extremes only): main-graph float32 values that are not graph
 * inputs and, for Percentile, whose size is known for every sample and at least that number
 * (TopK's k cannot exceed the axis). Types come from shape inference, once per distinct feed shape.
 */
function summarizable(m: ModelProto, files: ModelFiles, r: CalibrationStatsRequest): Map<string, number | undefined> {
  const inputs = new Set(r.samples.flatMap((s) => Object.keys(s.feeds)));
  const typesPerShape = new Map<string, ReturnType<typeof valueTypes>>();
  const typesOf = (s: Sample) => {
    const key = JSON.stringify(Object.entries(s.feeds).map(([k, t]) => [k, t.dims]));
    let t = typesPerShape.get(key);
    if (!t) typesPerShape.set(key, (t = valueTypes(m, files, s.feeds)));
    return t;
  };
  const wanted = new Map<string, number | undefined>();
  for (const name of new Set(r.names)) {
    if (inputs.has(name)) continue;
    const perSample = r.samples.map((s) => typesOf(s)(name));
    if (!perSample.every((t) => t?.inMainGraph && t.elemType === FLOAT)) continue;
    if (r.spec.method === 'minmax') {
      wanted.set(name, undefined);
      continue;
    }
    const sizes = perSample.map((t) => t!.elements);
    if (!sizes.every((n): n is number => n !== undefined && n > 0)) continue;
    const k = topCount(sizes.reduce((a, b) => a + b, 0), r.spec.percentile);
    if (k <= Math.min(...sizes)) wanted.set(name, k);
  }
  return wanted;
}

/**
 * How many of the largest magnitudes a symmetric Percentile needs over `total` values: more
 * than the (100 - p) % above the chosen bin (one more for rounding of p·total).
 */
export function topCount(total: number, percentile: number): number {
  return Math.floor(total - (percentile / 100) * total) + 2;
}

/** The k largest of two descending lists (TopK returns them sorted). */
function largest(a: number[], b: Float32Array, k: number): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (out.length < k && (i < a.length || j < b.length)) {
    if (j >= b.length || (i < a.length && a[i]! >= b[j]!)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}
