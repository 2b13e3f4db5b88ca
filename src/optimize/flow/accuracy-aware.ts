import { join } from 'node:path';
import { DiskModelFiles } from '../../onnx/io/model-files';
import { writeModel } from '../../onnx/io/write-model';
import { buildModel } from '../../onnx/model/build';
import type { Model } from '../../onnx/model/graph';
import { decodeModelProto } from '../../onnx/open';
import type { RuntimeClient } from '../../runtime/client';
import type { ValueAccuracy } from '../../runtime/protocol';
import type { Sample, SessionSettings } from '../../runtime/types';
import type { OutputAccuracy } from '../report';
import type { StaticOptions } from '../static/presets';
import type { Range } from '../static/ranges';
import { quantizeStatic, type StaticResult } from '../static/static-qdq';

export interface AccuracyTarget {
  cosine?: number;
  top1?: number;
}

export interface AccuracyAwareResult {
  result: StaticResult;
  /** node id → SNR dB of its output in the final model against the float model (the overlay). */
  nodeSnrDb: Record<string, number>;
  /** Figures on the calibration inputs after the last step, and whether the target was met there. */
  calibrationFigures: OutputAccuracy[];
  met: boolean;
  steps: { node: string; step: 'activations' | 'weights'; cosine: number; top1?: number }[];
  /** Closes the files the result's weights are read from (after it was written). */
  close: () => void;
}

/** Fallback steps tried at most, whatever the model's size (each re-runs both models on the samples). */
const MAX_STEPS = 40;
/** Steps after which the nodes per step double (1, 2, 4, …). */
const BATCH_DOUBLING_STEPS = 8;
/** Nodes with an int8 weight, whose fallback can stop at their activations. */
const WEIGHTED_OPS = new Set(['Conv', 'ConvTranspose', 'MatMul', 'Gemm']);
/** Calibration samples the fallback loop measures on (the report's held-out figure is measured separately). */
const LOOP_SAMPLES = 32;

/**
 * Accuracy-aware static quantization (issue 8, point 6). Measures each quantized node's
 * output against the float model on calibration samples (SNR), then, while the target is not
 * met, falls back to float for the node that loses the most signal itself (its output SNR
 * below the worst of its inputs'), one at a time: first its activation Q/DQ (int8 weights
 * kept), on a second visit its weights too. Each step re-quantizes the pre-processed float
 * model at `floatPath` and measures the outputs again.
 */
export async function accuracyAware(
  client: RuntimeClient,
  floatPath: string,
  tempFolder: string,
  ranges: ReadonlyMap<string, Range>,
  options: StaticOptions,
  target: AccuracyTarget,
  samples: Sample[],
  settings: SessionSettings,
  progress: (line: string) => void,
): Promise<AccuracyAwareResult> {
  const loopSamples = samples.slice(0, LOOP_SAMPLES);
  const candidatePath = join(tempFolder, 'candidate.onnx');
  const weightOnly = new Set(options.weightOnlyNodes ?? []);
  const excluded = new Set(options.excludeNodes ?? []);
  // The last result's weights are read from floatPath when the flow writes it: its files stay open until `close`.
  let files: DiskModelFiles | undefined;
  const quantizeOnce = (): StaticResult => {
    files?.close();
    files = new DiskModelFiles(floatPath);
    const result = quantizeStatic(decodeModelProto(files.model), ranges, { ...options, weightOnlyNodes: [...weightOnly], excludeNodes: [...excluded] }, files);
    writeModel(result.model, files, candidatePath, { protect: [floatPath] });
    return result;
  };
  const measure = async (): Promise<{ figures: OutputAccuracy[]; met: boolean }> => {
    const figures = await client.compareOutputs(floatPath, candidatePath, loopSamples, settings);
    return { figures, met: meetsTarget(figures, target) };
  };

  let result = quantizeOnce();
  const floatModel = openModelOnly(floatPath);
  const outputsOf = nodeOutputs(floatModel, result.quantizedNodes);
  progress(`accuracy-aware: measuring ${outputsOf.size} quantized node output(s)`);
  const perValue = await nodeErrors(client, floatPath, candidatePath, [...outputsOf.values()], loopSamples, settings);
  const nodeSnrDb: Record<string, number> = {};
  for (const [id, value] of outputsOf) if (perValue[value]) nodeSnrDb[id] = perValue[value]!.meanSnrDb;
  const order = rankByOwnLoss(floatModel, outputsOf, nodeSnrDb);
  const weighted = new Set(floatModel.graph.nodes.filter((n) => WEIGHTED_OPS.has(n.opType)).map((n) => n.id));
  let { figures, met } = await measure();
  let best = margin(figures, target);
  let current = true;
  const steps: AccuracyAwareResult['steps'] = [];
  for (let k = 0; !met && k < MAX_STEPS && order.length; k++) {
    // One node per step at first; then more per step, as a target far off needs many nodes.
    const batch = order.splice(0, 2 ** Math.floor(k / BATCH_DOUBLING_STEPS));
    const before = { weightOnly: new Set(weightOnly), excluded: new Set(excluded) };
    const tried: AccuracyAwareResult['steps'] = [];
    const live = [...result.quantizedNodes, ...result.weightOnlyNodes];
    for (const id of batch) {
      // A weighted node first loses its activation Q/DQ only (int8 weights kept), and comes back for its weights.
      const step = weightOnly.has(id) || !weighted.has(id) ? 'weights' : 'activations';
      // Unreachable target: the last quantized node stays int8; the model is written and the report says the target was missed.
      if (step === 'weights' && live.every((n) => n === id || excluded.has(n))) continue;
      if (step === 'activations') {
        weightOnly.add(id);
        order.push(id);
      } else {
        weightOnly.delete(id);
        excluded.add(id);
      }
      tried.push({ node: id, step, cosine: NaN });
    }
    if (tried.length === 0) break;
    result = quantizeOnce();
    const now = await measure();
    const worst = Math.min(...now.figures.map((f) => f.cosine));
    const score = margin(now.figures, target);
    // A fallback is kept only when it helps: errors can cancel, and a float node can make things worse.
    current = score > best;
    if (current) {
      ({ figures, met } = now);
      best = score;
      for (const t of tried) steps.push({ ...t, cosine: worst, top1: classifierTop1(now.figures) });
    } else {
      weightOnly.clear();
      excluded.clear();
      for (const id of before.weightOnly) weightOnly.add(id);
      for (const id of before.excluded) excluded.add(id);
    }
    progress(`accuracy-aware: ${batch.join(', ')} → float; worst cosine ${worst.toFixed(5)}${current ? '' : ' (no better: kept quantized)'}`);
  }
  if (!current) result = quantizeOnce();
  floatModel.close();
  for (const s of steps) {
    const why = `accuracy-aware fallback: output SNR ${nodeSnrDb[s.node]?.toFixed(1) ?? '?'} dB on the calibration data`;
    if (!result.keptFloat.includes(s.node)) result.keptFloat.push(s.node);
    result.keptFloatWhy[s.node] = s.step === 'weights' ? `${why}; activations and weights in float` : `${why}; activations in float, weights int8`;
  }
  return { result, nodeSnrDb, calibrationFigures: figures, met, steps, close: () => files?.close() };
}

/** Whether figures reach the target; exported for its unit test. */
/** How far the figures are past the target (negative: short of it); the worst of the targets given. */
function margin(figures: OutputAccuracy[], target: AccuracyTarget): number {
  const worst = Math.min(...figures.map((f) => f.cosine));
  const top1 = classifierTop1(figures);
  const margins = [target.cosine !== undefined ? worst - target.cosine : Infinity, target.top1 !== undefined && top1 !== undefined ? top1 - target.top1 : Infinity];
  const m = Math.min(...margins);
  return Number.isNaN(m) ? -Infinity : m === Infinity ? worst : m;
}

export function meetsTarget(figures: OutputAccuracy[], target: AccuracyTarget): boolean {
  // Written as !(x >= target) so that a NaN figure (a broken output) does not count as met.
  if (target.cosine !== undefined && figures.some((f) => !(f.cosine >= target.cosine!))) return false;
  const top1 = classifierTop1(figures);
  if (target.top1 !== undefined && top1 !== undefined && !(top1 >= target.top1)) return false;
  return true;
}

/** Top-1 agreement of the first classifier-like output (the one a top-1 target is about). */
function classifierTop1(figures: OutputAccuracy[]): number | undefined {
  return figures.find((f) => f.top1Agreement !== undefined)?.top1Agreement;
}

function openModelOnly(path: string): Model {
  const files = new DiskModelFiles(path);
  try {
    return buildModel(decodeModelProto(files.model), files);
  } catch (e) {
    files.close();
    throw e;
  }
}

/** node id → its first output's name, for the quantized nodes of the main graph. */
function nodeOutputs(model: Model, ids: readonly string[]): Map<string, string> {
  const wanted = new Set(ids);
  const out = new Map<string, string>();
  for (const n of model.graph.nodes) if (wanted.has(n.id) && n.outputs[0]) out.set(n.id, n.outputs[0]);
  return out;
}

async function nodeErrors(client: RuntimeClient, floatPath: string, candidatePath: string, names: string[], samples: Sample[], settings: SessionSettings): Promise<Record<string, ValueAccuracy>> {
  if (names.length === 0) return {};
  const r = await client.intermediates<Record<string, ValueAccuracy>>(floatPath, names, samples, { job: { kind: 'compareWith', candidateModel: candidatePath }, settings, perPass: names.length });
  return r.result;
}

/**
 * Nodes by the signal they lose themselves, worst first: the SNR of their worst input minus
 * the SNR of their output. A value no quantized node writes takes the worst SNR of what its
 * producer reads (a Reshape passes its input's error on), graph inputs and weights are exact.
 */
function rankByOwnLoss(model: Model, outputsOf: Map<string, string>, snr: Record<string, number>): string[] {
  const valueSnr = new Map<string, number>();
  const measured = new Map<string, number>();
  for (const [id, value] of outputsOf) if (snr[id] !== undefined) measured.set(value, snr[id]!);
  const inputSnr = (n: Model['graph']['nodes'][number]): number => Math.min(200, ...n.inputs.map((i) => valueSnr.get(i) ?? 200));
  const loss = new Map<string, number>();
  for (const n of model.graph.nodes) {
    const before = inputSnr(n);
    for (const o of n.outputs) valueSnr.set(o, measured.get(o) ?? before);
    const own = snr[n.id];
    if (own !== undefined) loss.set(n.id, before - own);
  }
  return [...loss].sort((a, b) => b[1] - a[1]).map(([id]) => id);
}
