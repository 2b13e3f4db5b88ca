import { join } from 'node:path';
import { ModelEdit } from '../../onnx/edit/model-edit';
import type { ModelFiles } from '../../onnx/io/model-files';
import { writeFileAtomic } from '../../onnx/io/write-file';
import { writeModel } from '../../onnx/io/write-model';
import type { ModelProto } from '../../onnx/proto/types';
import { preprocess } from '../preprocess/preprocess';
import type { TransformReport } from '../report';
import { rangeOptionsFor, type StaticOptions, type StaticPreset } from '../static/presets';
import type { CalibrationMethod } from '../static/ranges';
import { quantizeStatic, valuesToAverage, valuesToCalibrate } from '../static/static-qdq';
import { trtCalibrationCache } from '../static/trt-calib-cache';
import { accuracyAware } from './accuracy-aware';
import { calibrate } from './calibration';
import type { FlowContext } from '../transform-flow';

/** What a user asks of static quantization (CLI flags, editor quick picks). */
export interface StaticRequest {
  method?: CalibrationMethod;
  preset?: StaticPreset;
  perChannel?: boolean;
  /** Op types to quantize instead of the preset's (static) or MatMul/Conv/Gemm (dynamic). */
  includeOps?: string[];
  excludeOps?: string[];
  excludeNodes?: string[];
  /** Accuracy-aware mode: fall back to float, worst node first, until this worst-sample cosine is met. */
  targetCosine?: number;
  targetTop1?: number;
  /** Also write the ranges as a TensorRT calibration cache here. */
  trtCache?: string;
  /** Bias correction on or off (default: BIAS_CORRECTION_DEFAULT in presets.ts). */
  biasCorrection?: boolean;
}

/**
 * Bias correction is on by default in the accuracy-aware mode, where it lets int8 weights stay
 * (held out, --target-cosine 0.98: PP-OCRv4 det 0.974 → 0.994, rec 0.971 → 0.980; the direction
 * classifier 0.991 at 0.365× without, 0.990 at 0.330× with, and calibrated on its eval folder and
 * judged on its calib folder 0.964 without, 0.993 with: its int8 weights alone go from 0.971 to
 * 0.995 worst cosine on the calibration data), and off for a plain run, where it loses a little on
 * det and rec (0.898 → 0.885, 0.824 → 0.805). See BIAS_CORRECTION_DEFAULT.
 */
function accuracyAwareDefault(q: StaticRequest): boolean | undefined {
  return q.targetCosine !== undefined || q.targetTop1 !== undefined ? true : undefined;
}

/** The quantizer's options for a request (the preset's defaults where the request is silent). */
export function staticOptions(q: StaticRequest): StaticOptions {
  return { preset: q.preset ?? 'tensorrt', method: q.method, perChannel: q.perChannel, includeOps: q.includeOps, excludeOps: q.excludeOps, excludeNodes: q.excludeNodes, biasCorrection: q.biasCorrection ?? accuracyAwareDefault(q) };
}

/**
 * Static QDQ quantization with calibration: pre-process (as ORT's quant_pre_process), write
 * that model to a temp file for the runtime child, collect the ranges of the activations the
 * QDQ placement asks for, then quantize. The ranges can also go out as a TensorRT cache.
 */
export async function quantizeStaticCalibrated(q: StaticRequest & { preprocess?: boolean }, proto: ModelProto, files: ModelFiles, ctx: FlowContext, progress: (line: string) => void) {
  const edit = new ModelEdit(proto);
  const details: TransformReport['details'] = {};
  if (q.preprocess !== false) {
    const pre = preprocess(edit, files);
    Object.assign(details, { identitiesRemoved: pre.identitiesRemoved, batchNormsFolded: pre.batchNormsFolded });
  }
  let options = staticOptions(q);
  const names = valuesToCalibrate(proto, options, files);
  const means = valuesToAverage(proto, options, files);
  const prePath = join(ctx.tempFolder, 'preprocessed.onnx');
  writeModel(proto, files, prePath, { protect: [] });
  const calibration = ctx.data.calibration();
  const client = await ctx.startClient();
  const { ranges, channelMeans, unavailable, passes } = await calibrate(client, prePath, names, calibration.samples, { ...rangeOptionsFor(options), settings: ctx.settings, means }, progress);
  // The means travel in the options, so every re-quantization (accuracy-aware fallback) corrects the same way.
  options = { ...options, channelMeans };
  for (const u of unavailable) ctx.warnings.push(`no range for '${u.name}': ${u.why}`);
  let result;
  const extra: Partial<TransformReport> = {};
  if (q.targetCosine !== undefined || q.targetTop1 !== undefined) {
    const aware = await accuracyAware(client, prePath, ctx.tempFolder, ranges, options, { cosine: q.targetCosine, top1: q.targetTop1 }, calibration.samples, ctx.settings, progress);
    ctx.cleanups.push(aware.close);
    result = aware.result;
    extra.nodeSnrDb = aware.nodeSnrDb;
    const worst = Math.min(...aware.calibrationFigures.map((f) => f.cosine));
    Object.assign(details, { accuracyAware: true, fallbackSteps: aware.steps.length, calibrationCosine: worst, targetMetOnCalibration: aware.met });
    const top1 = aware.calibrationFigures.find((f) => f.top1Agreement !== undefined)?.top1Agreement;
    if (top1 !== undefined) details.calibrationTop1 = top1;
  } else {
    result = quantizeStatic(proto, ranges, options, files);
  }
  if (q.trtCache) writeFileAtomic(q.trtCache, (sink) => sink.write(new TextEncoder().encode(trtCalibrationCache(ranges))), { protect: ctx.protect });
  return {
    model: result.model,
    nodesAdded: result.nodesAdded,
    nodesChanged: result.nodesChanged,
    keptFloat: result.keptFloat,
    keptFloatWhy: result.keptFloatWhy,
    details: { ...details, ...result.details, calibrationSamples: calibration.samples.length, calibrationPasses: passes, calibrationData: calibration.note },
    warnings: result.warnings,
    extra,
  };
}

