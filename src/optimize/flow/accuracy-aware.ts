import { join } from 'node:path';
import { DiskModelFiles } from '../../onnx/io/model-files';
import { writeModel } from '../../onnx/io/write-model';
import { buildModel } from '../../onnx/model/build';
import type { Model } from '../../onnx/model/graph';
import { decodeModelProto } from '../../onnx/open';
import type { RuntimeClient } from '../../runtime/client';
import type { ValueAccuracy } from '../../runtime/protocol';
import type { Sample, SessionSettings } from '../../runtime/types';
import { cosineJudged } from '../../runtime/compare';
import type { OutputAccuracy } from '../report';
import type { StaticOptions } from '../static/presets';
import type { Range } from '../static/ranges';
import { quantizeStatic, StaticQuantizeError, type StaticResult } from '../static/static-qdq';
import { FloatReference } from './float-reference';
import { smallestMeetingPrefix } from './prefix-search';
import { measureDirectEffects, mergeRankings, type DirectEffect } from './direct-effect';
import { weightValues } from './weight-cost';

export interface AccuracyTarget {
  cosine?: number;
  top1?: number;
}

export interface AccuracyAwareResult {
  result: StaticResult;
  /** node id → SNR dB of its output in the fully quantized model against the float model (the overlay). */
  nodeSnrDb: Record<string, number>;
  /** Figures on the calibration inputs after the last step, and whether the target was met there. */
  calibrationFigures: OutputAccuracy[];
  met: boolean;
  steps: { node: string; step: 'activations' | 'weights'; cosine: number; top1?: number }[];
  /** Closes the files the result's weights are read from (after it was written). */
  close: () => void;
}

/** Nodes with an int8 weight, whose fallback can stop at their activations. */
const WEIGHTED_OPS = new Set(['Conv', 'ConvTranspose', 'MatMul', 'Gemm']);
/**
 * Calibration samples the fallback loop measures on (the report's held-out figure is measured
 * separately): all of a usual calibration set, as the worst sample of a few dozen overfits
 * (PP-OCRv4 rec: 32 samples met 0.98, held-out 0.955).
 */
const LOOP_SAMPLES = 128;
/**
 * The loop aims this share of the gap (1 − target) past the target: the worst calibration
 * sample overstates the held-out worst (with the target itself: PP-OCRv4 det 0.982 on
 * calibration, 0.955 held out; rec 0.981 and 0.971).
 */
const HELD_OUT_SHARE = 0.25;
/**
 * Float weights the weight stage may bring back, as a share of the first INT8 file's bytes
 * (each float weight costs 3 bytes more per value): the file must stay small (≤ 0.3× the FP32 file).
 * It gives way when no activation is quantized (see the weight stage).
 */
const WEIGHT_FALLBACK_SHARE = 0.05;
/**
 * The weight stage aims at this share of the cosine gap (1 − target) and of the top-1 gap:
 * activations are quantized again afterwards and take their own share of the error.
 */
const WEIGHT_STAGE_GAP = 0.5;

type Step = AccuracyAwareResult['steps'][number];

/**
 * Accuracy-aware static quantization (issue 8, point 6). Measures each quantized node's
 * output against the float model on calibration samples (SNR: the overlay), then, while the
 * target is not met, falls back to float one more node at a time along a ranking: the result
 * is the shortest prefix of the ranking that meets the target, found by doubling then
 * bisection (each try re-quantizes the pre-processed float model at `floatPath` and measures
 * the outputs), which is where adding one node at a time would stop, in ~2·log2(n) tries.
 *
 * Two stages, because int8 weights alone can miss the target (PP-OCRv4 rec: 0.957 worst
 * cosine with every activation float; one depthwise 3×3 convolution's float weights make it
 * 0.986):
 * 1. weights: with every activation float, the weighted nodes ranked by their own output SNR
 *    loss in that int8-weights-only model; nodes inside If/Loop/Scan bodies and weight-only
 *    recurrent nodes, whose outputs cannot be exposed, join that ranking by their direct effect
 *    (direct-effect.ts: the model with only their weights float, one evaluation each); a prefix
 *    is made float (weights and activations), within a byte budget, until that model is halfway
 *    from the target to exact (all the way to the loop's target when no activation is quantized);
 * 2. activations: the other nodes in graph order (measured: on PP-OCRv4 rec the shortest
 *    prefix by own SNR loss held 333 of 334 nodes, in graph order 265; on the direction
 *    classifier held-out worst cosine 0.913 against 0.988); a prefix loses its activation
 *    Q/DQ and keeps its int8 weights.
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
  const loopTarget = tighter(target, HELD_OUT_SHARE);
  const candidatePath = join(tempFolder, 'candidate.onnx');
  const userWeightOnly = options.weightOnlyNodes ?? [];
  const userExcluded = options.excludeNodes ?? [];
  // The last result's weights are read from floatPath when the flow writes it: its files stay open until `close`.
  let files: DiskModelFiles | undefined;
  let bytes = 0;
  const quantizeWith = (weightOnly: readonly string[], excluded: readonly string[]): StaticResult => {
    files?.close();
    files = new DiskModelFiles(floatPath);
    const result = quantizeStatic(decodeModelProto(files.model), ranges, { ...options, weightOnlyNodes: [...userWeightOnly, ...weightOnly], excludeNodes: [...userExcluded, ...excluded] }, files);
    bytes = writeModel(result.model, files, candidatePath, { protect: [floatPath] }).bytes;
    return result;
  };
  // The float model's outputs, computed once when the loop starts: each try then runs only the candidate.
  let reference: FloatReference | undefined;
  const measure = async (t: AccuracyTarget): Promise<{ figures: OutputAccuracy[]; met: boolean; score: number }> => {
    const figures = reference ? await reference.compare(candidatePath) : await client.compareOutputs(floatPath, candidatePath, loopSamples, settings);
    return { figures, met: meetsTarget(figures, t), score: margin(figures, t) };
  };
  const snrOf = async (ids: readonly string[]): Promise<Record<string, number>> => {
    const outputsOf = nodeOutputs(floatModel, ids);
    const perValue = await nodeErrors(client, floatPath, candidatePath, [...outputsOf.values()], loopSamples, settings);
    const snr: Record<string, number> = {};
    for (const [id, value] of outputsOf) if (perValue[value]) snr[id] = perValue[value]!.meanSnrDb;
    return snr;
  };

  let result = quantizeWith([], []);
  const floatModel = openModelOnly(floatPath);
  const firstBytes = bytes;
  const firstWarnings = [...result.warnings];
  const quantized = [...result.quantizedNodes];
  progress(`accuracy-aware: measuring ${quantized.length} quantized node output(s)`);
  const nodeSnrDb = await snrOf(quantized);
  let now = await measure(loopTarget);
  if (!now.met) reference = await FloatReference.create(client, floatPath, loopSamples, settings, new Set(now.figures.filter((f) => f.top1Agreement !== undefined).map((f) => f.name)));
  const steps: Step[] = [];
  const why: Record<string, string> = {};
  const weightedIds = new Set(floatModel.graph.nodes.filter((n) => WEIGHTED_OPS.has(n.opType)).map((n) => n.id));
  let floatWeights: string[] = [];
  const directWhy: Record<string, DirectEffect> = {};
  const budgetWarnings: string[] = [];

  if (!now.met) {
    // Stage 1: int8 weights only; is that alone far enough from the target?
    // With no activation quantized (every quantized node in a subgraph: Silero VAD) there is no stage 2 to share the gap with.
    const activationStage = result.quantizedNodes.length > 0;
    const weightTarget = activationStage ? tighter(target, WEIGHT_STAGE_GAP) : loopTarget;
    const live = [...result.quantizedNodes, ...result.weightOnlyNodes];
    const weighted = live.filter((id) => weightedIds.has(id));
    // Nodes in subgraphs and weight-only recurrent nodes: no exposed output to rank them by.
    const direct = live.filter((id) => !weightedIds.has(id) && !result.quantizedNodes.includes(id));
    quantizeWith(live, []);
    const weightsOnly = await measure(weightTarget);
    progress(`accuracy-aware: int8 weights alone, worst cosine ${worstCosine(weightsOnly.figures).toFixed(5)}`);
    if (!weightsOnly.met && weighted.length + direct.length > 1) {
      // By own SNR loss, not graph order: measured on PP-OCRv4 rec, held-out worst cosine 0.9715 against 0.9687; on the classifier 0.988 against 0.941.
      const ownLoss = weighted.length ? rankByOwnLoss(floatModel, nodeOutputs(floatModel, weighted), await snrOf(weighted)) : [];
      if (direct.length) progress(`accuracy-aware: measuring ${direct.length} node(s) in subgraphs or weight-only one at a time`);
      const effects = await measureDirectEffects(direct, weightsOnly.figures, async (id) => {
        try {
          quantizeWith(live, [id]);
        } catch (e) {
          // Its only quantized node float: nothing left to quantize, so it stays int8.
          if (e instanceof StaticQuantizeError) return undefined;
          throw e;
        }
        return (await measure(weightTarget)).figures;
      });
      for (const e of effects) directWhy[e.id] = e;
      const top = [...effects].sort((a, b) => b.gainDb - a.gainDb).slice(0, 3);
      if (top.length) progress(`accuracy-aware: largest direct effects: ${top.map((e) => `${e.id} ${e.cosine.toFixed(5)} (+${e.gainDb.toFixed(1)} dB)`).join(', ')}`);
      const ranked = mergeRankings(ownLoss, effects);
      // One QDQ-weighted node stays int8 (a model with nothing quantized is no INT8 model), and float weights stay within the byte budget.
      const ranking = withoutLastQdq(floatModel, ranked, [...weighted, ...direct]);
      const budget = WEIGHT_FALLBACK_SHARE * firstBytes;
      const searchPrefix = async (list: string[]): Promise<{ ids: string[]; met: boolean }> => {
        const found = await smallestMeetingPrefix(list.length, weightsOnly, async (k) => {
          quantizeWith(live, list.slice(0, k));
          const m = await measure(weightTarget);
          progress(`accuracy-aware: weights of ${k} node(s) → float; worst cosine ${worstCosine(m.figures).toFixed(5)}`);
          return m;
        });
        return { ids: list.slice(0, found.k), met: found.met };
      };
      const affordable = withinBudget(floatModel, ranking, budget);
      let search = await searchPrefix(affordable);
      // The budget gives way only where nothing else is left to try: no activation to fall back in stage 2 (Silero VAD v4:
      // its STFT basis, 66k values in an If branch, takes 198 kB as float weights against a 26 kB budget; with it float the worst
      // calibration cosine goes 0.934 → 0.998, and no set of nodes within the budget passes 0.937).
      if (!search.met && !activationStage && affordable.length < ranking.length) {
        search = await searchPrefix(ranking);
        const spent = 3 * search.ids.reduce((sum, id) => sum + weightValues(floatModel.node(id)), 0);
        if (spent > budget) budgetWarnings.push(`accuracy-aware: float weights take ${spent} bytes more, past the weight stage's budget of ${Math.round(budget)} (${WEIGHT_FALLBACK_SHARE * 100} % of the INT8 file): no activation is quantized in the main graph, so nothing cheaper could close the gap`);
      }
      floatWeights = search.ids;
      floatWeights.forEach((id, i) => {
        const d = directWhy[id];
        const by = d ? `its direct effect (in a subgraph or weight-only: with only its weights float, worst cosine ${d.cosine.toFixed(4)}, +${d.gainDb.toFixed(1)} dB)` : 'own output SNR loss';
        why[id] = `accuracy-aware fallback, stage 1 (weights): rank ${i + 1} by ${by} with int8 weights only; activations and weights in float`;
      });
    }
    // Stage 2: activations quantized again, ranked by the loss they add.
    result = quantizeWith([], floatWeights);
    now = await measure(loopTarget);
    if (!now.met) {
      const candidates = result.quantizedNodes;
      // Graph order: error that enters early is carried and amplified by every later layer.
      const ranked = inGraphOrder(floatModel, candidates);
      const found = await smallestMeetingPrefix(ranked.length, now, async (k) => {
        quantizeWith(ranked.slice(0, k), floatWeights);
        const m = await measure(loopTarget);
        progress(`accuracy-aware: activations of ${k} node(s) → float; worst cosine ${worstCosine(m.figures).toFixed(5)}`);
        return m;
      });
      // No pruning afterwards (bringing nodes of the prefix back to int8 one by one while the target
      // stays met): of the many sets it tries, it keeps those whose worst calibration sample met the
      // target by chance. Measured on the PP-OCR direction classifier, calibrating on either folder
      // and judging on the other: pruned 63 and 40 nodes, held out 0.964 and 0.946, logit error
      // (rms, 58 undecided samples) 0.21 and 0.40; unpruned 73 and 72 nodes, 0.990 and 0.993, error
      // 0.19 and 0.20. Float activations cost no bytes (int8 weights stay): PP-OCRv4 det unpruned
      // 0.2760× and 0.9940 held out, pruned 0.2763× and 0.9940.
      const fallen = ranked.slice(0, found.k);
      for (const id of fallen) {
        const weights = weightedIds.has(id) ? 'activations in float, weights int8' : 'activations in float';
        why[id] = `accuracy-aware fallback, stage 2 (activations): node ${ranked.indexOf(id) + 1} of ${ranked.length} in graph order; ${weights}`;
      }
      result = quantizeWith(fallen, floatWeights);
      now = await measure(loopTarget);
    }
  }
  // Met or not is said against the target asked for; the loop aimed past it.
  now = { ...now, met: meetsTarget(now.figures, target) };
  floatModel.close();
  // A neighbour of a float node may ask for a value calibration did not collect: it stays float, as the fallback wants.
  result.warnings = [...result.warnings.filter((w) => !w.startsWith('no calibration range for ') || firstWarnings.includes(w)), ...budgetWarnings];
  const worst = worstCosine(now.figures);
  for (const id of Object.keys(why)) {
    const snr = nodeSnrDb[id] !== undefined ? ` (output SNR ${nodeSnrDb[id]!.toFixed(1)} dB fully quantized)` : '';
    steps.push({ node: id, step: floatWeights.includes(id) ? 'weights' : 'activations', cosine: worst, top1: classifierTop1(now.figures) });
    if (!result.keptFloat.includes(id)) result.keptFloat.push(id);
    result.keptFloatWhy[id] = `${why[id]}${snr}; worst cosine ${worst.toFixed(4)} on ${loopSamples.length} calibration samples after`;
  }
  progress(`accuracy-aware: ${steps.length} node(s) in float (${floatWeights.length} with float weights), worst cosine ${worst.toFixed(5)}${now.met ? '' : ' (target not met)'}`);
  return { result, nodeSnrDb, calibrationFigures: now.figures, met: now.met, steps, close: () => files?.close() };
}

function inGraphOrder(model: Model, ids: readonly string[]): string[] {
  const set = new Set(ids);
  return model.graph.nodes.filter((n) => set.has(n.id)).map((n) => n.id);
}

/** The target moved `share` of the way from itself towards exact (cosine 1, top-1 1). */
function tighter(target: AccuracyTarget, share: number): AccuracyTarget {
  const t = (x: number | undefined): number | undefined => (x === undefined ? undefined : x + (1 - x) * share);
  return { cosine: t(target.cosine), top1: t(target.top1) };
}

function worstCosine(figures: OutputAccuracy[]): number {
  return Math.min(...figures.map((f) => f.cosine));
}

/** `ranked` in order, less the nodes whose float weights would take the bytes spent past `budget` (3 more per value). */
function withinBudget(model: Model, ranked: string[], budget: number): string[] {
  let spent = 0;
  const out: string[] = [];
  for (const id of ranked) {
    const cost = 3 * weightValues(model.node(id));
    if (spent + cost > budget) continue;
    spent += cost;
    out.push(id);
  }
  return out;
}

/** Whether figures reach the target; exported for its unit test. */
/** How far the figures are past the target (negative: short of it); the worst of the targets given. */
function margin(figures: OutputAccuracy[], target: AccuracyTarget): number {
  const worst = Math.min(...cosineJudged(figures).map((f) => f.cosine));
  const top1 = classifierTop1(figures);
  const margins = [target.cosine !== undefined ? worst - target.cosine : Infinity, target.top1 !== undefined && top1 !== undefined ? top1 - target.top1 : Infinity];
  const m = Math.min(...margins);
  return Number.isNaN(m) ? -Infinity : m === Infinity ? worst : m;
}

export function meetsTarget(figures: OutputAccuracy[], target: AccuracyTarget): boolean {
  // Written as !(x >= target) so that a NaN figure (a broken output) does not count as met.
  if (target.cosine !== undefined && cosineJudged(figures).some((f) => !(f.cosine >= target.cosine!))) return false;
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
function rankByOwnLoss(model: Model, outputsOf: Map<string, string>, snr: Record<string, number>): [string, number][] {
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
  return [...loss].sort((a, b) => b[1] - a[1]);
}

/**
 * `ranked` less its last node with Q/DQ weights when it holds every candidate that has them, so
 * that one stays int8 (a model with nothing quantized is no INT8 model; weight-only recurrent
 * nodes do not count, the quantizer refuses a model with only those).
 */
function withoutLastQdq(model: Model, ranked: string[], candidates: readonly string[]): string[] {
  const qdq = (id: string): boolean => WEIGHTED_OPS.has(model.node(id)?.opType ?? '');
  const inRanking = new Set(ranked);
  if (candidates.some((id) => qdq(id) && !inRanking.has(id))) return ranked;
  for (let i = ranked.length - 1; i >= 0; i--) if (qdq(ranked[i]!)) return [...ranked.slice(0, i), ...ranked.slice(i + 1)];
  return ranked;
}
