import { ModelEdit } from '../../onnx/edit/model-edit';
import type { ModelFiles } from '../../onnx/io/model-files';
import { decodeModelProto } from '../../onnx/open';
import type { ModelProto } from '../../onnx/proto/types';
import { TransformRefusedError } from '../errors';
import { nodeIds } from '../flow/node-ids';
import type { TransformReport } from '../report';
import type { FlowContext, TransformResult } from '../transform-flow';
import { countParameters } from './parameters';
import { prunerFor } from './pruners';
import { CHECK_SAMPLES, sensitivityScan, SCAN_SAMPLES } from './sensitivity';
import { TWO_FOUR_NOTE } from './two-four';
import { UNSTRUCTURED_NOTE } from './unstructured';
import type { PruneMethod, PruneOptions, Pruner, PruneReportPart, PruneResult } from './types';

/** What a user asks of pruning (CLI flags, editor quick picks): the pruners' options and, for the sensitivity scan, a target cosine. */
export interface PruneRequest extends PruneOptions {
  /** Run the sensitivity scan and choose per-unit ratios that keep the worst output cosine at or above this. */
  targetCosine?: number;
  /** The pruner to run instead of the method's own (a caller's own pruner; the flow's tests). */
  pruner?: Pruner;
}

/** A pruning request that cannot be carried out as given (bad ratio, option for another method): no output. */
export class PruneRequestError extends TransformRefusedError {
  override name = 'PruneRequestError';
}

/** What each method gains in dense onnxruntime, said plainly in the report (issue 11, points 1 and 2). */
export const PRUNE_NOTES: Record<PruneMethod, string> = {
  unstructured: UNSTRUCTURED_NOTE,
  '2:4': `${TWO_FOUR_NOTE} Fine-tune with the zeros kept to recover accuracy.`,
  channels: 'Channels were removed: the model is smaller and needs fewer operations in any runtime. Fine-tune to recover accuracy (the recipe lists the kept channels).',
};

/** Refuses what no pruner can do as asked: a ratio outside (0, 1), a 2:4 ratio other than 0.5, a scope for another method. */
export function checkPruneRequest(r: PruneRequest): void {
  const inside = (x: number): boolean => x > 0 && x < 1;
  if (!inside(r.ratio)) throw new PruneRequestError(`the ratio must lie strictly between 0 and 1, not ${r.ratio}`);
  if (r.method === '2:4' && r.ratio !== 0.5) throw new PruneRequestError(`2:4 sparsity zeroes 2 of every 4 weights: its ratio is 0.5, not ${r.ratio}`);
  if (r.scope !== undefined && r.method !== 'unstructured') throw new PruneRequestError(`a scope (${r.scope}) is for unstructured pruning only`);
  for (const [unit, ratio] of Object.entries(r.unitRatios ?? {})) if (!(ratio === 0 || inside(ratio))) throw new PruneRequestError(`the ratio of unit '${unit}' must be 0 or lie strictly between 0 and 1, not ${ratio}`);
  if (r.targetCosine !== undefined && !(r.targetCosine > -1 && r.targetCosine <= 1)) throw new PruneRequestError(`the target cosine must lie in (-1, 1], not ${r.targetCosine}`);
  if (r.targetCosine !== undefined && r.scope === 'global') throw new PruneRequestError('the sensitivity scan (a target cosine) chooses a ratio per layer: a global scope does not go with it');
}

export interface PrunedModel {
  result: PruneResult;
  parametersBefore: number;
  parametersAfter: number;
}

/** Prunes `proto` in place with `pruner` (the graph sorted again afterwards) and counts parameters before and after. */
export function pruneModel(pruner: Pruner, proto: ModelProto, files: ModelFiles | undefined, options: PruneOptions): PrunedModel {
  const parametersBefore = countParameters(proto, files);
  const edit = new ModelEdit(proto);
  const result = pruner.prune(edit, files, options, nodeIds(proto, files));
  edit.sortTopologically();
  return { result, parametersBefore, parametersAfter: countParameters(proto, files) };
}

/** The report's prune part and top-level figures for a pruned model. */
export function pruneReport(method: PruneMethod, pruned: PrunedModel): Partial<TransformReport> {
  const part: PruneReportPart = { method, prunedLayers: pruned.result.layers, skippedLayers: pruned.result.skipped, note: PRUNE_NOTES[method] };
  return { parametersBefore: pruned.parametersBefore, parametersAfter: pruned.parametersAfter, sparsity: pruned.result.sparsity, prune: part };
}

/**
 * The 'prune' transform (issue 11): check the request, with a target cosine run the
 * sensitivity scan to choose per-unit ratios, prune, and return the report's parts. The
 * recipe (channels) goes back to the flow, which writes it beside the output after the model.
 */
export async function pruneTransform(request: PruneRequest, proto: ModelProto, files: ModelFiles, ctx: FlowContext, progress: (line: string) => void): Promise<TransformResult> {
  checkPruneRequest(request);
  const { targetCosine, pruner: own, ...options } = request;
  const pruner = own ?? prunerFor(request.method);
  // With a target the ratio only caps what the scan tries: the units' own ratios are in prune.sensitivity.
  const details: TransformReport['details'] = request.targetCosine === undefined ? { method: request.method, ratio: request.ratio } : { method: request.method, largestRatioTried: request.ratio };
  if (request.method === 'unstructured') details.scope = request.scope ?? 'layer';
  let scan;
  if (targetCosine !== undefined) {
    const calibration = ctx.data.calibration();
    const n = calibration.samples.length;
    progress(`sensitivity scan: each unit alone on ${Math.min(SCAN_SAMPLES, n)} calibration sample(s), choices checked on ${Math.min(CHECK_SAMPLES, n)} (${calibration.note})`);
    scan = await sensitivityScan({
      pruner,
      options,
      fresh: () => decodeModelProto(files.model),
      files,
      floatPath: ctx.input,
      client: await ctx.startClient(),
      settings: ctx.settings,
      samples: calibration.samples,
      tempFolder: ctx.tempFolder,
      targetCosine,
      protect: ctx.protect,
      progress,
      cancelled: ctx.cancelled,
    });
    options.unitRatios = { ...scan.unitRatios, ...options.unitRatios };
    Object.assign(details, { sensitivityVariants: scan.variants, calibrationCosine: scan.scan.cosineChosen, targetMetOnCalibration: scan.met, calibrationData: calibration.note });
  }
  progress(`pruning (${request.method})`);
  const pruned = pruneModel(pruner, proto, files, options);
  const extra = pruneReport(request.method, pruned);
  if (scan) {
    extra.prune!.sensitivity = scan.scan;
    // Without validation this is the only figure: a missed target still exits 1.
    extra.targets = [{ name: 'cosine', wanted: targetCosine!, got: scan.scan.cosineChosen, met: scan.met }];
  }
  const r = pruned.result;
  Object.assign(details, { prunedLayers: r.layers.length, skippedLayers: r.skipped.length });
  progress(`pruned ${r.layers.length} layer(s), parameters ${pruned.parametersBefore.toLocaleString('en-US')} → ${pruned.parametersAfter.toLocaleString('en-US')}, sparsity ${(r.sparsity * 100).toFixed(2)} %`);
  return { model: proto, nodesAdded: 0, nodesChanged: r.nodesChanged, keptFloat: [], details, warnings: r.warnings, extra, recipe: r.recipe };
}
