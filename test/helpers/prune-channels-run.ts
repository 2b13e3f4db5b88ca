import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { summarizeModel } from '../../src/analysis/summary';
import { constantTensor } from '../../src/onnx/edit/computed-tensor';
import type { ModelEdit } from '../../src/onnx/edit/model-edit';
import type { ModelFiles } from '../../src/onnx/io/model-files';
import { writeModel } from '../../src/onnx/io/write-model';
import { openModel } from '../../src/onnx/open';
import type { NodeProto } from '../../src/onnx/proto/types';
import { channelPruner } from '../../src/optimize/prune/channels/channels';
import type { PruneOptions, PruneRecipe, PruneResult } from '../../src/optimize/prune/types';
import { floatWeight, readFloats, weightDims } from '../../src/optimize/preprocess/weights';
import { openForPruning, type Opened } from './prune-run';
import { ROOT } from './corpus';
import { outputFolder } from './quantize-run';
import { assertValidModel } from './valid-model';

/** Edits the opened model before pruning or writing (the zero-mask check). */
export type Prepare = (opened: Opened) => void;

/** Prunes a model file with channelPruner into a temporary folder, after `prepare`. */
export function pruneFile(path: string, options: Partial<PruneOptions> = {}, prepare?: Prepare): { out: string; result: PruneResult } {
  const opened = openForPruning(path);
  try {
    prepare?.(opened);
    const result = channelPruner.prune(opened.edit, opened.files, { method: 'channels', ratio: 0.3, ...options }, opened.ids);
    const out = writeModel(opened.edit.proto, opened.files, join(outputFolder(), 'pruned.onnx'), { protect: [path] }).path;
    return { out, result };
  } finally {
    opened.files.close();
  }
}

/** The model with `prepare` applied and nothing pruned (the reference of the zero-mask check). */
export function editedCopy(path: string, prepare: Prepare): string {
  const opened = openForPruning(path);
  try {
    prepare(opened);
    return writeModel(opened.edit.proto, opened.files, join(outputFolder(), 'masked.onnx'), { protect: [path] }).path;
  } finally {
    opened.files.close();
  }
}

/** Both checkers accept the file: ours and python onnx.checker with full_check (strict shape inference: no stale channel dims). */
export const assertFullyValid = (path: string): void => assertValidModel(path, true);

/** Parameters as `inspect` counts them: initializer and Constant elements in all graphs. */
export function parameters(path: string): number {
  const m = openModel(path);
  try {
    return summarizeModel(m).parameterCount;
  } finally {
    m.close();
  }
}

export interface Outputs {
  dims: number[][];
  /** Float32Array for float outputs (others as ORT gives them). */
  values: Float32Array[];
}

/** Every output of the model in onnxruntime (graph optimizations off: the comparison sees the model as written). */
export async function runOutputs(path: string, feeds: Record<string, ort.Tensor>): Promise<Outputs> {
  const s = await ort.InferenceSession.create(path, { graphOptimizationLevel: 'disabled' });
  try {
    const out = await s.run(feeds);
    return { dims: s.outputNames.map((n) => out[n]!.dims.map(Number)), values: s.outputNames.map((n) => out[n]!.data as Float32Array) };
  } finally {
    await s.release();
  }
}

/** Sets the listed channels along `axis` of a float weight to 0 (each channel spans `inner` consecutive positions there), wherever the weight is defined. */
function zeroChannels(edit: ModelEdit, files: ModelFiles, name: string, axis: number, channels: readonly number[], inner = 1): void {
  const w = floatWeight(edit.main, name);
  assert.ok(w, `weight ${name}`);
  const dims = weightDims(w);
  const values = readFloats(w, files).slice();
  const outer = dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const after = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  for (let o = 0; o < outer; o++) for (const c of channels) for (let j = 0; j < inner; j++) values.fill(0, (o * dims[axis]! + c * inner + j) * after, (o * dims[axis]! + c * inner + j + 1) * after);
  const t = constantTensor(w.tensor.name ?? name, 1, dims, values);
  if (w.constant) w.constant.attribute.find((a) => a.name === 'value')!.t = t;
  else w.graph.replaceInitializer(w.tensor.name!, t);
}

/** Where a reader's weight holds one slice per input channel: the axis, for the op. */
function readerAxis(node: NodeProto): number | undefined {
  if (node.op_type === 'Conv') return 1;
  if (node.op_type === 'ConvTranspose' || node.op_type === 'MatMul') return 0;
  if (node.op_type === 'Gemm') return Number(node.attribute.find((a) => a.name === 'transB')?.i ?? 0) === 1 ? 1 : 0;
  return undefined;
}

const LAYERS = new Set(['Conv', 'Gemm', 'MatMul']);

/** The nearest Conv/Gemm/MatMul above a value, following each node's first input that is not a constant. */
function nearestLayer(edit: ModelEdit, name: string): NodeProto | undefined {
  for (let p = edit.main.producer(name), steps = 0; p && steps < 64; steps++) {
    if (LAYERS.has(p.op_type ?? '')) return p;
    const data = p.input.find((i) => i && !edit.main.weight(i));
    p = data ? edit.main.producer(data) : undefined;
  }
  return undefined;
}

/**
 * Where a unit's channels start in a Concat that a reader reads: the Concat input whose nearest
 * layer is one of the unit's producers, after the channels (that layer's output count) of the
 * inputs before it; undefined when the reader does not read a Concat or a count is unknown.
 */
function concatOffset(edit: ModelEdit, input: string, producers: ReadonlySet<NodeProto>): number | undefined {
  const concat = edit.main.producer(input);
  if (concat?.op_type !== 'Concat') return undefined;
  let offset = 0;
  for (const name of concat.input) {
    const layer = nearestLayer(edit, name);
    if (layer && producers.has(layer)) return offset;
    const w = layer && floatWeight(edit.main, layer.input[1]);
    if (!w || layer.op_type !== 'Conv') return undefined;
    offset += weightDims(w)[0]!;
  }
  return undefined;
}

/** Where a producer's weight holds one slice per output channel or feature: the axis, for the op. */
function producerAxis(node: NodeProto): number {
  if (node.op_type === 'MatMul') return 1;
  if (node.op_type === 'Gemm') return Number(node.attribute.find((a) => a.name === 'transB')?.i ?? 0) === 1 ? 0 : 1;
  return 0;
}

/**
 * The zero mask of a recipe: every channel a unit removes gets zero filters (Gemm/MatMul: weight
 * columns, or rows with transB) and bias in every producer (and zero gamma and beta in a BatchNormalization that reads it, so the ranking
 * removes exactly these; zero per-channel shifts of Add/Sub), and every reader's weight slices for it are zeroed too, so nothing
 * it carries (a constant shift of an activation included) reaches a kept channel: removing
 * it must not change any output. A Conv reading a Concat gets its slices zeroed at the unit's
 * offset there (found by walking each Concat input back to its nearest layer).
 */
export function zeroRemovedChannels(recipe: PruneRecipe): Prepare {
  return ({ edit, files, ids }) => {
    const byId = new Map([...ids].map(([n, id]) => [id, n]));
    const dimsOf = (name: string | undefined): number[] | undefined => (name && floatWeight(edit.main, name) ? weightDims(floatWeight(edit.main, name)!) : undefined);
    for (const u of recipe.units) {
      const kept = new Set(u.keptChannels);
      const removed = Array.from({ length: u.channelsBefore }, (_, c) => c).filter((c) => !kept.has(c));
      for (const p of u.producers) {
        const node = byId.get(p.node)!;
        const axis = producerAxis(node);
        if (dimsOf(node.input[1])?.[axis] === u.channelsBefore) zeroChannels(edit, files, node.input[1]!, axis, removed);
        const bias = dimsOf(node.input[2]);
        if (bias?.[bias.length - 1] === u.channelsBefore) zeroChannels(edit, files, node.input[2]!, bias.length - 1, removed);
      }
      for (const r of u.readers) {
        const node = byId.get(r.node)!;
        if (node.op_type === 'BatchNormalization') for (const name of [node.input[1], node.input[2]]) if (dimsOf(name)?.[0] === u.channelsBefore) zeroChannels(edit, files, name!, 0, removed);
        const shiftDims = (node.op_type === 'Add' || node.op_type === 'Sub') && r.weight ? dimsOf(r.weight) : undefined;
        const shiftAxis = shiftDims?.findIndex((d) => d === u.channelsBefore) ?? -1;
        if (shiftAxis >= 0) zeroChannels(edit, files, r.weight!, shiftAxis, removed);
        const axis = readerAxis(node);
        const size = axis === undefined ? undefined : dimsOf(node.input[1])?.[axis];
        if (axis !== undefined && size && size % u.channelsBefore === 0 && !(node.op_type === 'Conv' && size !== u.channelsBefore)) zeroChannels(edit, files, node.input[1]!, axis, removed, size / u.channelsBefore);
        const offset = node.op_type === 'Conv' && size !== u.channelsBefore ? concatOffset(edit, node.input[0]!, new Set(u.producers.map((p) => byId.get(p.node)!))) : undefined;
        if (offset !== undefined) zeroChannels(edit, files, node.input[1]!, 1, removed.map((c) => c + offset));
      }
    }
  };
}

/** Largest absolute difference, and the largest absolute reference value. */
export function worstDifference(reference: Float32Array, candidate: Float32Array): { worst: number; scale: number } {
  assert.equal(candidate.length, reference.length);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < reference.length; i++) {
    worst = Math.max(worst, Math.abs(reference[i]! - candidate[i]!));
    scale = Math.max(scale, Math.abs(reference[i]!));
  }
  return { worst, scale };
}

/** The numpy reproduction of a recipe (test/helpers/prune_recipe_check.py). */
export function checkRecipe(original: string, pruned: string, recipe: PruneRecipe): { checked: number; readers: Record<string, number>; mismatches: string[] } {
  const path = join(outputFolder(), 'recipe.json');
  writeFileSync(path, JSON.stringify(recipe));
  return JSON.parse(execFileSync('/usr/bin/python3', [join(ROOT, 'test', 'helpers', 'prune_recipe_check.py'), original, pruned, path]).toString()) as ReturnType<typeof checkRecipe>;
}
