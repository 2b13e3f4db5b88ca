import { dataType, rawByteLength } from '../../onnx/dtypes';
import { inferModel } from '../../onnx/infer/infer';
import type { ModelFiles } from '../../onnx/io/model-files';
import { buildModel } from '../../onnx/model/build';
import type { ModelProto } from '../../onnx/proto/types';
import { ActivationStats } from '../../runtime/activation-stats';
import type { RuntimeClient } from '../../runtime/client';
import type { Sample, SessionSettings } from '../../runtime/types';
import { selectRanges, type CalibrationMethod, type Range } from '../static/ranges';

/** Bytes of intermediate values one calibration pass may hold per sample (names are batched under it). */
const PASS_BUDGET_BYTES = 1 << 30;

/**
 * Activation ranges from onnxruntime runs over the calibration samples (in the runtime child:
 * only the statistics come back), chosen by `method`.
 */
export async function calibrate(
  client: RuntimeClient,
  modelPath: string,
  names: string[],
  samples: Sample[],
  options: { method: CalibrationMethod; symmetric: boolean; percentile?: number; settings: SessionSettings; bytesPerValue: (name: string) => number | undefined },
  progress: (line: string) => void,
): Promise<{ ranges: Map<string, Range>; unavailable: { name: string; why: string }[]; passes: number }> {
  const perPass = namesPerPass(names, options.bytesPerValue);
  progress(`calibrating ${names.length} activation(s) on ${samples.length} sample(s), ${options.method}`);
  const r = await client.intermediates(modelPath, names, samples, {
    job: { kind: 'collectStats', options: { histograms: options.method !== 'minmax' } },
    settings: options.settings,
    perPass,
    onProgress: (p) => progress(`calibration: ${p.what} ${p.done}/${p.total}`),
  });
  const stats = ActivationStats.fromJSON(r.result as ReturnType<ActivationStats['toJSON']>);
  return { ranges: selectRanges(stats, { method: options.method, symmetric: options.symmetric, percentile: options.percentile }), unavailable: r.unavailable, passes: r.passes.length };
}

/**
 * As many names per session as fit the budget: one pass over the samples when the model's
 * activations fit (calibration then costs about one inference per sample), more when not.
 * Values of unknown size count as 64 MB.
 */
function namesPerPass(names: string[], bytesOf: (name: string) => number | undefined): number {
  let total = 0;
  for (const n of names) total += bytesOf(n) ?? 64 << 20;
  const passes = Math.max(1, Math.ceil(total / PASS_BUDGET_BYTES));
  return Math.max(1, Math.ceil(names.length / passes));
}

/** Bytes of each value for the samples' input shapes (inference resolves symbolic dims from them). */
export function valueSizes(proto: ModelProto, files: ModelFiles, feeds: Record<string, { dims: number[] }> | undefined): (name: string) => number | undefined {
  const model = buildModel(proto, files);
  const inputShapes = feeds ? Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.dims])) : undefined;
  const types = inferModel(model, { inputShapes });
  return (name) => {
    const v = model.graph.values.get(name);
    const t = v && types.typeOf(v);
    if (!t || t.kind !== 'tensor' || !t.shape || t.shape.some((d) => typeof d !== 'number')) return undefined;
    const info = dataType(t.elemType);
    return info ? rawByteLength(info, (t.shape as number[]).reduce((a, b) => a * b, 1)) : undefined;
  };
}
