import { join } from 'node:path';
import { ModelEdit } from '../../onnx/edit/model-edit';
import type { ModelFiles } from '../../onnx/io/model-files';
import type { ProtectedFile } from '../../onnx/io/write-file';
import { writeModel } from '../../onnx/io/write-model';
import type { ModelProto } from '../../onnx/proto/types';
import type { RuntimeClient } from '../../runtime/client';
import { cosineJudged } from '../../runtime/compare';
import type { Sample, SessionSettings } from '../../runtime/types';
import { TiedWeightsError, TransformRefusedError } from '../errors';
import { FloatReference } from '../flow/float-reference';
import { nodeIds } from '../flow/node-ids';
import type { OutputAccuracy } from '../report';
import { countParameters } from './parameters';
import { fallbackRatios, greedySteps, longestMeeting, type Level } from './ratio-choice';
import type { PruneOptions, Pruner, PruneUnit, SensitivityScan } from './types';

/** The ratios each unit is pruned alone at, up to the request's ratio (2:4 has only its own, 0.5). Higher ones are left: past them most layers lose too much. */
export const SCAN_RATIOS: readonly number[] = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8];
/** Calibration samples each unit's variants are measured on: the scan runs units × ratios variants. */
export const SCAN_SAMPLES = 16;
/**
 * Calibration samples the combined choices are checked on (a few checks only): the worst of a
 * few samples overstates what holds out (PP-OCR cls, unstructured at 0.95 checked on 8 samples:
 * 0.963 there, 0.61 on its 60 eval samples).
 */
export const CHECK_SAMPLES = 128;
/**
 * The scan aims this share of the gap (1 − target) past the target: the calibration samples
 * overstate the worst held-out sample. Measured on PP-OCR cls, unstructured, target 0.95: a
 * quarter of the gap chose 25.9 % sparsity (0.971 on 96 calibration samples, 0.873 on its 60
 * eval samples); half chose 14.1 % (0.965, eval 0.997), where the best uniform ratio is 0.1.
 */
const HELD_OUT_SHARE = 0.5;

export interface SensitivityInput {
  pruner: Pruner;
  options: PruneOptions;
  /** A fresh decode of the float model: every variant prunes its own copy. */
  fresh: () => ModelProto;
  files: ModelFiles | undefined;
  /** The float model on disk (the reference). */
  floatPath: string;
  client: RuntimeClient;
  settings: SessionSettings;
  samples: Sample[];
  tempFolder: string;
  targetCosine: number;
  /** Files a variant must never replace. */
  protect: readonly ProtectedFile[];
  progress: (line: string) => void;
  cancelled?: () => boolean;
}

export interface SensitivityResult {
  scan: SensitivityScan;
  /** unit id → ratio (0: left), for PruneOptions.unitRatios. */
  unitRatios: Record<string, number>;
  /** Whether the chosen ratios meet the target on the scan's samples. */
  met: boolean;
  /** Variants measured (units × ratios tried, plus the combined checks). */
  variants: number;
}

/**
 * The sensitivity scan (issue 11, point 4): each unit pruned alone at SCAN_RATIOS (a unit's
 * higher ratios are left once one misses the target: the cosine falls with the ratio), the
 * worst output cosine against the float model on SCAN_SAMPLES calibration samples; then per-unit
 * ratios by greedy choice (most weights removed per cosine lost, the losses taken as
 * additive), and the longest prefix of those choices whose combined model meets the target
 * (checked on CHECK_SAMPLES, starting where the additive estimate stops, then bisected), unless
 * one ratio for every unit removes more and meets it too. All variants run in
 * the one runtime child against float outputs computed once.
 */
export async function sensitivityScan(input: SensitivityInput): Promise<SensitivityResult> {
  const { pruner, options } = input;
  const samples = input.samples.slice(0, CHECK_SAMPLES);
  const aim = input.targetCosine + (1 - input.targetCosine) * HELD_OUT_SHARE;
  const units = unitsOf(input);
  if (units.length === 0) throw new TransformRefusedError('the sensitivity scan found no unit to prune');
  // The request's ratio caps those tried (2:4 has only its own).
  const ratios = options.method === '2:4' ? [0.5] : SCAN_RATIOS.filter((r) => r <= options.ratio + 1e-9);
  if (ratios.length === 0) ratios.push(options.ratio);
  const measure = await measurer(input, samples);
  const before = countParameters(input.fresh(), input.files);
  const variantPath = join(input.tempFolder, 'prune-variant.onnx');
  let variants = 0;
  const variant = async (unitRatios: Record<string, number>, sampleCount: number): Promise<Measured> => {
    if (input.cancelled?.()) throw new Error('cancelled');
    variants++;
    const proto = input.fresh();
    const edit = new ModelEdit(proto);
    let result;
    try {
      result = pruner.prune(edit, input.files, { ...options, unitRatios }, nodeIds(proto, input.files));
    } catch (e) {
      // Units that read one tied weight pruned together would break the tie: a combination the final pruning refuses, so it never meets the target.
      if (e instanceof TiedWeightsError) return { cosine: -Infinity, saved: 0, refused: 'breaks a weight tie' };
      // A ratio that rounds to nothing pruned: the unit alone changes nothing.
      if (e instanceof TransformRefusedError) return { cosine: 1, saved: 0 };
      throw e;
    }
    edit.sortTopologically();
    // Zeros once per pruned tensor: layers that share a weight have one row each.
    const zeros = new Map(result.layers.map((l) => [l.weight, l.zeros]));
    const saved = before - countParameters(proto, input.files) + (options.method === 'channels' ? 0 : [...zeros.values()].reduce((a, b) => a + b, 0));
    writeModel(proto, input.files, variantPath, { protect: input.protect });
    return { cosine: worstCosine(await measure(variantPath, sampleCount)), saved };
  };
  const alone = (u: PruneUnit, ratio: number): Record<string, number> => Object.fromEntries(units.map((v) => [v.id, v === u ? ratio : 0]));

  const levels = new Map<string, Level[]>();
  for (const [k, u] of units.entries()) {
    const measured: Level[] = [];
    for (const ratio of ratios) {
      const { cosine, saved } = await variant(alone(u, ratio), SCAN_SAMPLES);
      measured.push({ ratio, cosine, saved });
      if (!(cosine >= aim)) break;
    }
    levels.set(u.id, measured);
    input.progress(`sensitivity: unit ${k + 1} of ${units.length} (${u.id}): ${measured.map((l) => `${l.ratio} → ${l.cosine.toFixed(4)}`).join(', ')}`);
  }

  // Combined choices are checked on CHECK_SAMPLES: each configuration once.
  const checked = new Map<string, Measured>();
  const check = async (config: Record<string, number>, what: string): Promise<Measured> => {
    const key = JSON.stringify(config);
    if (!checked.has(key)) {
      const c = await variant(config, CHECK_SAMPLES);
      checked.set(key, c);
      input.progress(`sensitivity: ${what} → ${c.refused ?? `worst cosine ${c.cosine.toFixed(4)}`}`);
    }
    return checked.get(key)!;
  };
  const unitRatios = await chooseRatios(units, levels, ratios, aim, check);
  const cosineChosen = (await check(unitRatios, 'the least damaging choice')).cosine;
  const scan: SensitivityScan = {
    targetCosine: input.targetCosine,
    ratios,
    units: units.map((u) => ({ id: u.id, nodes: u.nodes, parameters: u.parameters, cosine: levels.get(u.id)!.map((l) => l.cosine), chosen: unitRatios[u.id] ?? 0 })),
    cosineChosen,
  };
  return { scan, unitRatios, met: cosineChosen >= input.targetCosine, variants };
}

interface Measured {
  cosine: number;
  /** Weights removed (channels) or zeroed (the others). */
  saved: number;
  /** Why the pruning refused the combination (it counts as missing the target). */
  refused?: string;
}

/**
 * Per-unit ratios from the units' levels: the longest prefix of the greedy choices whose
 * combined model meets `aim` (checked from where the additive estimate stops), or one ratio for
 * every unit when that removes more; when nothing meets it, the least damaging first step.
 */
async function chooseRatios(units: readonly PruneUnit[], levels: ReadonlyMap<string, Level[]>, ratios: readonly number[], aim: number, check: (config: Record<string, number>, what: string) => Promise<Measured>): Promise<Record<string, number>> {
  const steps = greedySteps(units, levels, aim);
  const configAt = (k: number): Record<string, number> => {
    const r: Record<string, number> = Object.fromEntries(units.map((u) => [u.id, 0]));
    for (const s of steps.slice(0, k)) r[s.unit] = s.ratio;
    return r;
  };
  // The longest prefix of the greedy choices that meets the aim, from where the additive estimate stops.
  const estimate = Math.max(1, steps.filter((s) => s.loss <= 1 - aim).length);
  const k = steps.length ? await longestMeeting(steps.length, Math.min(estimate, steps.length), async (n) => (await check(configAt(n), `${n} of ${steps.length} choice(s) combined`)).cosine >= aim) : 0;
  // One ratio for every unit is a choice too: the greedy one must beat the best of those (its per-unit losses are noisy).
  const uniformAt = (i: number): Record<string, number> => Object.fromEntries(units.map((u) => [u.id, ratios[i - 1]!]));
  const u = await longestMeeting(ratios.length, 1, async (i) => (await check(uniformAt(i), `every unit at ${ratios[i - 1]}`)).cosine >= aim);
  const candidates = [...(k > 0 ? [configAt(k)] : []), ...(u > 0 ? [uniformAt(u)] : [])];
  let unitRatios: Record<string, number> | undefined;
  let best: Measured | undefined;
  for (const c of candidates) {
    const m = await check(c, '');
    if (!best || m.saved > best.saved) [unitRatios, best] = [c, m];
  }
  // Nothing meets the target: the least damaging first step, reported as missing it (exit 1), rather than no model.
  return unitRatios ?? (steps.length ? configAt(1) : fallbackRatios(units, levels));
}

function unitsOf(input: SensitivityInput): PruneUnit[] {
  const proto = input.fresh();
  return input.pruner.units(new ModelEdit(proto), input.files, input.options, nodeIds(proto, input.files)).units;
}

/** Measures a variant against the float model: float outputs computed once, or both models run when an output is not float32. */
async function measurer(input: SensitivityInput, samples: Sample[]): Promise<(path: string, count: number) => Promise<OutputAccuracy[]>> {
  // Cosine is all the scan judges by: no output needs a top-1 figure.
  const reference = await FloatReference.create(input.client, input.floatPath, samples, input.settings, new Set());
  return (path, count) => (reference ? reference.compare(path, count) : input.client.compareOutputs(input.floatPath, path, samples.slice(0, count), input.settings));
}

const worstCosine = (figures: readonly OutputAccuracy[]): number => {
  let m = Infinity;
  for (const f of cosineJudged(figures)) if (Number.isNaN(f.cosine) || f.cosine < m) m = f.cosine;
  return m;
};
