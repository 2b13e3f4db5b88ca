import { resolve } from 'node:path';
import { ModelEdit } from '../onnx/edit/model-edit';
import { WriteTargetError } from '../onnx/errors';
import { fileSizes } from '../onnx/io/file-sizes';
import { upgradeOpset } from '../onnx/edit/opset-upgrade';
import { DiskModelFiles, realPath, type ModelFiles } from '../onnx/io/model-files';
import { makeTempFolder } from '../onnx/io/temp-folder';
import { checkWritable, outputPath, removeFileQuietly, writeFileAtomic, type ProtectedFile } from '../onnx/io/write-file';
import { removeWrittenModel, writeModel, type WrittenModel } from '../onnx/io/write-model';
import { decodeModelProto } from '../onnx/open';
import type { ModelProto } from '../onnx/proto/types';
import { buildModel } from '../onnx/model/build';
import { modelAndDataFiles } from '../onnx/text/weights';
import { RuntimeClient } from '../runtime/client';
import { modelInputSpecs, openCalibrationData, openInputFolder, type ImageOptions, type InputSpec } from '../runtime/input-files';
import { synthesizeInputs } from '../runtime/synthesize';
import type { Sample, SessionSettings } from '../runtime/types';
import { cosineJudged } from '../runtime/compare';
import { refuseIfQuantized } from './already-quantized';
import { refuseDuplicateDefinitions } from './duplicate-definitions';
import { quantizeDynamicModel } from './dynamic/quantize-model';
import { opsetNeeded as staticOpsetNeeded } from './static/qdq-opset';
import { staticOptions } from './flow/static-flow';
import { convertToFloat16 } from './fp16/convert';
import type { Fp16Options } from './fp16/options';
import { defaultOutput, recipePath, reportPath, type TransformKind } from './flow/output-names';
import { pruneTransform, type PruneRequest } from './prune/prune-flow';
import type { PruneRecipe } from './prune/types';
import { unmatchedNodeNames } from './flow/unmatched-names';
import { nodeIds } from './flow/node-ids';
import { validate } from './flow/validation';
import type { OutputAccuracy, TransformReport } from './report';
import { quantizeStaticCalibrated, type StaticRequest } from './flow/static-flow';

export interface QuantizeRequestOptions extends StaticRequest {
  reduceRange?: boolean;
  preprocess?: boolean;
}

export interface TransformRequest {
  kind: TransformKind;
  input: string;
  /** Default: `MODEL.int8.onnx` / `MODEL.fp16.onnx` / `MODEL.pruned.onnx` beside the input. */
  output?: string;
  /** Measure accuracy and latency (the report's measured half) and save the report next to the output. */
  validate: boolean;
  /** Held-out inputs for the report; default: a fifth of the calibration files (static), else synthesized. */
  evalDir?: string;
  calibDir?: string;
  images?: ImageOptions;
  threads?: number;
  quantize?: QuantizeRequestOptions;
  fp16?: Partial<Fp16Options>;
  /** kind 'prune': the method, ratios and (sensitivity scan) target cosine. */
  prune?: PruneRequest;
  /** The runtime child's script (dist/runtime-worker.js). */
  workerScript: string;
  progress: (line: string) => void;
  cancelled?: () => boolean;
}

/**
 * One transform from input file to written output and report, for the CLI and (through the
 * CLI) the editor: open, refuse what must not be transformed, raise the opset if the new
 * operators need it, transform, write atomically beside the input, then measure with
 * onnxruntime in a child process.
 */
export async function runTransform(request: TransformRequest): Promise<TransformReport> {
  const input = resolve(request.input);
  const output = request.output ? outputPath(request.output) : defaultOutput(input, request.kind);
  const files = new DiskModelFiles(input);
  const temp = makeTempFolder('onnx-studio');
  let client: RuntimeClient | undefined;
  const cleanups: (() => void)[] = [];
  try {
    let proto = decodeModelProto(files.model);
    const protect: ProtectedFile[] = modelAndDataFiles(proto, input);
    // Counted now: the transform and the writer may leave no tensor referring to the data file.
    const sizeBefore = modelBytes(input, proto);
    checkWritable(output, protect);
    if (request.validate) checkWritable(reportPath(output), protect);
    if (writesRecipe(request)) checkWritable(recipePath(output), protect);
    checkTrtCache(request.quantize?.trtCache, output, request.validate, protect);
    const warnings: string[] = [];
    const details: TransformReport['details'] = {};
    const edit = new ModelEdit(proto);
    refuseDuplicateDefinitions(edit);
    if (request.kind === 'prune') refuseIfQuantized(edit, 'prune the float model, then quantize the pruned one');
    else if (request.kind !== 'fp16') refuseIfQuantized(edit);
    const have = Number(proto.opset_import.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0);
    const need = request.kind === 'quantize-static' ? Math.max(have, staticOpsetNeeded(staticOptions(request.quantize ?? {}))) : have;
    let opsetNodes = 0;
    if (need > have) {
      const up = upgradeOpset(proto, need);
      proto = up.model;
      opsetNodes = up.converted.length;
      details.opsetRaised = `${have} → ${need}`;
      details.nodesConvertedForOpset = up.converted.length;
      request.progress(`opset ${have} → ${need}: ${up.converted.length} node(s) converted`);
    }
    const startClient = async (): Promise<RuntimeClient> => (client ??= await RuntimeClient.start({ workerScript: request.workerScript }));
    const settings: SessionSettings = { threads: request.threads ?? 1 };
    const model = buildModel(proto, files);
    warnings.push(...unmatchedNodeNames(model, request.quantize?.excludeNodes ?? request.prune?.excludeNodes));
    const data = dataFor(request, modelInputSpecs(model), (w) => warnings.push(w));
    // The calibration and evaluation files are inputs too: no output may replace one.
    protect.push(...data.files.map((path) => ({ path, why: 'it is a calibration or evaluation file' })));
    checkWritable(output, protect);
    if (request.validate) checkWritable(reportPath(output), protect);
    if (writesRecipe(request)) checkWritable(recipePath(output), protect);
    checkTrtCache(request.quantize?.trtCache, output, request.validate, protect);
    const result = await transform(request, proto, files, { input, data, settings, startClient, tempFolder: temp.path, warnings, cleanups, protect: [...protect, { path: output, why: 'it is the output model' }], cancelled: request.cancelled });
    if (request.cancelled?.()) throw new Error('cancelled');
    request.progress(`writing ${output}`);
    const written = writeModel(result.model, files, output, { protect, cancelled: request.cancelled });
    const recipe = result.recipe ? writeRecipe(result.recipe, output, written, protect) : undefined;
    const report: TransformReport = {
      transform: request.kind,
      input,
      output,
      sizeBefore,
      sizeAfter: written.bytes,
      outputs: [],
      nodesAdded: result.nodesAdded,
      nodesChanged: result.nodesChanged + opsetNodes,
      keptFloat: result.keptFloat,
      keptFloatWhy: result.keptFloatWhy,
      details: { ...details, ...result.details },
      warnings: [...warnings, ...result.warnings],
      ...(result.extra ?? {}),
    };
    if (recipe && report.prune) report.prune.recipe = recipe;
    if (request.validate) await measure(request, report, data, startClient, settings, protect, () => [...warnings, ...result.warnings]).catch((e: unknown) => {
      // A failure exits 2, which promises no output file: the model just written goes too.
      removeWrittenModel(written);
      if (recipe) removeFileQuietly(recipe);
      throw e;
    });
    return report;
  } finally {
    for (const c of cleanups) c();
    await client?.close();
    temp.remove();
    files.close();
  }
}

/** The report's measured half (accuracy on held-out samples, latency), saved next to the output. */
async function measure(request: TransformRequest, report: TransformReport, data: InputSource, startClient: () => Promise<RuntimeClient>, settings: SessionSettings, protect: readonly ProtectedFile[], warnings: () => string[]): Promise<void> {
  const samples = data.evaluation();
  report.validationData = samples.kind;
  const measured = await validate(await startClient(), report.input, report.output, samples.samples, settings, request.progress);
  report.outputs = measured.outputs;
  report.latencyMs = measured.latencyMs;
  report.targets = targetsOf(request, report);
  report.warnings = [...warnings(), ...flatSampleWarnings(report.outputs, samples.samples.length)];
  writeFileAtomic(reportPath(report.output), (sink) => sink.write(new TextEncoder().encode(JSON.stringify(report, null, 2) + '\n')), { protect });
}

function flatSampleWarnings(outputs: readonly OutputAccuracy[], samples: number): string[] {
  return outputs.flatMap((o) => (o.flatSamples ? [`${o.name}: ${o.flatSamples} of ${samples} samples have a near-zero output in both models (RMS below 1/1000 of the median float sample's); cosine and SNR leave them out, max abs error counts them`] : []));
}

export interface TransformResult {
  model: ModelProto;
  nodesAdded: number;
  nodesChanged: number;
  keptFloat: string[];
  keptFloatWhy?: Record<string, string>;
  details: TransformReport['details'];
  warnings: string[];
  extra?: Partial<TransformReport>;
  /** Pruning (channels): written beside the output as MODEL.pruned.recipe.json. */
  recipe?: PruneRecipe;
}

export interface FlowContext {
  /** The input model (the float reference of a scan). */
  input: string;
  data: InputSource;
  settings: SessionSettings;
  startClient: () => Promise<RuntimeClient>;
  tempFolder: string;
  warnings: string[];
  /** Run when the flow ends (files a result still reads from). */
  cleanups: (() => void)[];
  /** Files a side output must not replace: the input, its data files and the output model. */
  protect: readonly ProtectedFile[];
  cancelled?: () => boolean;
}

/** Channel pruning writes its recipe beside the output: refused up front, like the report, when it would replace an input. */
const writesRecipe = (request: TransformRequest): boolean => request.kind === 'prune' && request.prune?.method === 'channels';

/** The recipe JSON beside the written model; removed again when the model goes. */
function writeRecipe(recipe: PruneRecipe, output: string, written: WrittenModel, protect: readonly ProtectedFile[]): string {
  const path = recipePath(output);
  try {
    writeFileAtomic(path, (sink) => sink.write(new TextEncoder().encode(JSON.stringify(recipe, null, 2) + '\n')), { protect: [...protect, { path: written.path, why: 'it is the output model' }] });
  } catch (e) {
    removeWrittenModel(written);
    throw e;
  }
  return path;
}

/** A TensorRT cache path is refused before any work when it would replace the input, its data, the output or the report. */
function checkTrtCache(path: string | undefined, output: string, validate: boolean, protect: readonly ProtectedFile[]): void {
  if (path === undefined) return;
  const trt = outputPath(path);
  // The output and report do not exist yet, so checkWritable's same-file test cannot see these clashes.
  if (trt === output || (validate && trt === reportPath(output))) throw new WriteTargetError(`refusing to write the TensorRT cache over ${trt}: it is the ${trt === output ? 'output model' : 'report'}`, trt);
  checkWritable(trt, [...protect, { path: output, why: 'it is the output model' }]);
}

async function transform(request: TransformRequest, proto: ModelProto, files: ModelFiles, ctx: FlowContext): Promise<TransformResult> {
  if (request.kind === 'fp16') {
    const r = convertToFloat16(new ModelEdit(proto), request.fp16 ?? {}, files);
    return { model: proto, ...r };
  }
  if (request.kind === 'prune') {
    if (!request.prune) throw new Error('a prune transform needs its request');
    return pruneTransform(request.prune, proto, files, ctx, request.progress);
  }
  if (request.kind === 'quantize-dynamic') {
    const q = request.quantize ?? {};
    const ids = nodeIds(proto, files);
    // Per channel by default: per tensor (ORT's default) loses much of a CNN whose BatchNormalization was folded.
    const r = quantizeDynamicModel(proto, files, { perChannel: q.perChannel ?? true, reduceRange: q.reduceRange, opTypes: q.includeOps, excludeOps: q.excludeOps, excludeNodes: q.excludeNodes, skipPreprocess: q.preprocess === false });
    r.edit.sortTopologically();
    const keptFloatWhy = Object.fromEntries(r.leftFloat.map((l) => [ids.get(l.node) ?? l.node.name ?? '', l.reason]));
    return { model: r.model, nodesAdded: r.nodesAdded, nodesChanged: r.nodesChanged + Number(r.details.nodesConverted ?? 0), keptFloat: Object.keys(keptFloatWhy), keptFloatWhy, details: r.details, warnings: r.warnings };
  }
  return quantizeStaticCalibrated(request.quantize ?? {}, proto, files, ctx, request.progress);
}

/** Where samples come from: calibration and evaluation folders, or synthesized inputs (said in the report). */
export interface InputSource {
  /** The data files read (calibration and evaluation). */
  files: string[];
  calibration(): { samples: Sample[]; note: string };
  evaluation(): { samples: Sample[]; kind: NonNullable<TransformReport['validationData']> };
}

/** Synthesized samples when no data is given: enough for latency and a rough comparison. */
const SYNTHESIZED_SAMPLES = 4;

function dataFor(request: TransformRequest, specs: InputSpec[], warn: (w: string) => void): InputSource {
  const synthesized = (what: string): Sample[] => {
    const s = synthesizeInputs(specs, { count: SYNTHESIZED_SAMPLES });
    warn(`${what} computed on synthesized inputs (${s.notes.join('; ') || 'shapes from the model'}), not real data${what === 'calibration' ? ': ranges will be poor; give --calib DIR' : ''}`);
    return s.samples;
  };
  const options = { image: request.images, onWarning: warn };
  const split = request.calibDir ? openCalibrationData(request.calibDir, specs, options, request.evalDir) : undefined;
  if (request.calibDir && request.evalDir && realPath(request.calibDir) === realPath(request.evalDir)) warn('--eval is the calibration folder: the report is computed on the calibration data, not on held-out data');
  // Opened now, so that an unusable --eval folder is refused before anything is written.
  const evalData = !split && request.evalDir ? openInputFolder(request.evalDir, specs, options) : undefined;
  const folders = [split?.calibration, split?.evaluation, evalData].filter((d) => d !== undefined);
  return {
    files: folders.flatMap((d) => d.units.flatMap((u) => u.files.map((f) => f.path))),
    calibration: () => (split ? { samples: [...split.calibration.samples()], note: split.note } : { samples: synthesized('calibration'), note: 'synthesized inputs' }),
    evaluation: () => {
      if (split) return { samples: [...split.evaluation.samples()], kind: { kind: split.heldOut === 'eval-folder' ? 'eval' : 'held-out', samples: split.evaluation.units.length, source: split.note } };
      if (evalData) return { samples: [...evalData.samples()], kind: { kind: 'eval', samples: evalData.units.length, source: evalData.description } };
      const samples = synthesized('validation');
      return { samples, kind: { kind: 'synthesized', samples: samples.length } };
    },
  };
}

/** The input's bytes: the model file and the external data it refers to. */
const modelBytes = (input: string, proto: ModelProto): number => fileSizes(modelAndDataFiles(proto, input).map((f) => (typeof f === 'string' ? f : f.path)));

function targetsOf(request: TransformRequest, report: TransformReport): TransformReport['targets'] {
  const q = request.quantize;
  const targetCosine = q?.targetCosine ?? request.prune?.targetCosine;
  const out: NonNullable<TransformReport['targets']> = [];
  const worstCosine = Math.min(...cosineJudged(report.outputs).map((o) => o.cosine));
  if (targetCosine !== undefined) out.push({ name: 'cosine', wanted: targetCosine, got: worstCosine, met: worstCosine >= targetCosine });
  const top1 = report.outputs.find((o) => o.top1Agreement !== undefined)?.top1Agreement;
  if (q?.targetTop1 !== undefined && top1 !== undefined) out.push({ name: 'top1', wanted: q.targetTop1, got: top1, met: top1 >= q.targetTop1 });
  return out;
}
