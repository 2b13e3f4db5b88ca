import assert from 'node:assert/strict';
import { copyFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeModel } from '../src/onnx/io/write-model';
import { AlreadyQuantizedError } from '../src/optimize/already-quantized';
import { TransformRefusedError } from '../src/optimize/errors';
import { checkPruneRequest, PRUNE_NOTES, PruneRequestError, type PruneRequest } from '../src/optimize/prune/prune-flow';
import type { Pruner, PruneRecipe } from '../src/optimize/prune/types';
import { runTransform, type TransformRequest } from '../src/optimize/transform-flow';
import { python, RUNTIME_WORKER, tempDir } from './helpers/runtime';
import { mlpModel, testPruner } from './helpers/test-pruner';

function mlpFile(name = 'model.onnx'): { dir: string; path: string } {
  const dir = tempDir();
  const path = join(dir, name);
  writeModel(mlpModel(), undefined, path, { protect: [] });
  return { dir, path };
}

const request = (input: string, prune: PruneRequest, extra: Partial<TransformRequest> = {}): TransformRequest => ({ kind: 'prune', input, validate: false, workerScript: RUNTIME_WORKER, progress: () => {}, prune, ...extra });

/** python onnx: parameters as inspect counts them here (initializer elements), and zeros per initializer. */
function pythonCounts(path: string): { parameters: number; zeros: Record<string, number>; sizes: Record<string, number> } {
  return JSON.parse(
    python(
      `
import sys, json, numpy as np, onnx
from onnx import numpy_helper
m = onnx.load(sys.argv[1])
a = {t.name: numpy_helper.to_array(t) for t in m.graph.initializer}
print(json.dumps({'parameters': int(sum(x.size for x in a.values())), 'zeros': {k: int((x == 0).sum()) for k, x in a.items()}, 'sizes': {k: int(x.size) for k, x in a.items()}}))
`,
      [path],
    ),
  ) as { parameters: number; zeros: Record<string, number>; sizes: Record<string, number> };
}

test('checkPruneRequest refuses ratios outside (0, 1), 2:4 at another ratio, a scope for another method, a global scope with a target', () => {
  for (const ratio of [0, 1, 1.5, -0.2, NaN]) assert.throws(() => checkPruneRequest({ method: 'channels', ratio }), PruneRequestError);
  assert.throws(() => checkPruneRequest({ method: '2:4', ratio: 0.3 }), /2:4 .* 0\.5, not 0\.3/);
  assert.throws(() => checkPruneRequest({ method: 'channels', ratio: 0.3, scope: 'layer' }), /unstructured pruning only/);
  assert.throws(() => checkPruneRequest({ method: 'unstructured', ratio: 0.3, scope: 'global', targetCosine: 0.9 }), /global/);
  assert.throws(() => checkPruneRequest({ method: 'unstructured', ratio: 0.3, unitRatios: { a: 1 } }), /unit 'a'/);
  assert.throws(() => checkPruneRequest({ method: 'unstructured', ratio: 0.3, targetCosine: 2 }), /target cosine/);
  checkPruneRequest({ method: '2:4', ratio: 0.5 });
  checkPruneRequest({ method: 'unstructured', ratio: 0.3, scope: 'global', unitRatios: { a: 0 } });
});

test('prune flow: MODEL.pruned.onnx beside the input, parameters and sparsity as python onnx counts them, the note, validation figures', async () => {
  const { dir, path } = mlpFile();
  const report = await runTransform(request(path, { method: 'unstructured', ratio: 0.5, pruner: testPruner }, { validate: true }));
  assert.equal(report.transform, 'prune');
  assert.equal(report.output, join(dir, 'model.pruned.onnx'));
  const before = pythonCounts(path);
  const afterCounts = pythonCounts(report.output);
  assert.equal(report.parametersBefore, before.parameters);
  assert.equal(report.parametersAfter, afterCounts.parameters);
  const weights = ['w1', 'w2', 'w3'];
  const zeros = weights.reduce((s, w) => s + afterCounts.zeros[w]!, 0);
  const elements = weights.reduce((s, w) => s + afterCounts.sizes[w]!, 0);
  assert.equal(report.sparsity, zeros / elements);
  assert.equal(afterCounts.zeros.b3, 0);
  assert.equal(report.prune?.method, 'unstructured');
  assert.equal(report.prune?.note, PRUNE_NOTES.unstructured);
  assert.match(report.prune!.note!, /no size or speed gain in dense ONNX Runtime/);
  assert.deepEqual(report.prune?.prunedLayers.map((l) => l.node), ['fc1', 'fc2', 'fc3']);
  assert.equal(report.prune?.recipe, undefined);
  assert.equal(report.outputs.length, 1);
  assert.ok(report.outputs[0]!.cosine > 0 && report.outputs[0]!.cosine < 1);
  assert.ok(report.latencyMs!.before.median > 0 && report.latencyMs!.after.median > 0);
  assert.deepEqual(readdirSync(dir).sort(), ['model.onnx', 'model.pruned.onnx', 'model.pruned.report.json']);
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'model.pruned.report.json'), 'utf8')), JSON.parse(JSON.stringify(report)));
});

/** The test pruner with a recipe, as channel pruning returns one. */
const withRecipe: Pruner = {
  units: testPruner.units,
  prune(edit, files, options, ids) {
    const r = testPruner.prune(edit, files, options, ids);
    const recipe: PruneRecipe = { format: 'onnx-studio-prune-recipe', version: 1, method: 'channels', options: { method: 'channels', ratio: options.ratio }, units: [] };
    return { ...r, recipe };
  },
};

test('channels: the recipe goes beside the output (MODEL.pruned.recipe.json) and the report names it', async () => {
  const { dir, path } = mlpFile();
  const report = await runTransform(request(path, { method: 'channels', ratio: 0.3, pruner: withRecipe }));
  const recipe = join(dir, 'model.pruned.recipe.json');
  assert.equal(report.prune?.recipe, recipe);
  assert.equal(JSON.parse(readFileSync(recipe, 'utf8')).format, 'onnx-studio-prune-recipe');
  assert.match(report.prune!.note!, /Channels were removed/);
});

test('a recipe that would replace an input is refused before any work: nothing written', async () => {
  const { dir, path } = mlpFile();
  // The input itself sits where the recipe of `-o a.onnx` would go.
  const odd = join(dir, 'a.recipe.json');
  copyFileSync(path, odd);
  await assert.rejects(runTransform(request(odd, { method: 'channels', ratio: 0.3, pruner: withRecipe }, { output: join(dir, 'a.onnx') })), /refusing|input/i);
  assert.deepEqual(readdirSync(dir).sort(), ['a.recipe.json', 'model.onnx']);
});

test('refusals leave no file: a bad ratio, nothing to prune, an already quantized model; cancel leaves nothing either', async () => {
  const { dir, path } = mlpFile();
  await assert.rejects(runTransform(request(path, { method: 'unstructured', ratio: 1, pruner: testPruner })), PruneRequestError);
  // floor(0.0001 · n) = 0 for every layer: the pruner refuses.
  await assert.rejects(runTransform(request(path, { method: 'unstructured', ratio: 0.0001, pruner: testPruner })), TransformRefusedError);
  await assert.rejects(runTransform(request(path, { method: 'unstructured', ratio: 0.5, pruner: testPruner }, { cancelled: () => true })));
  assert.deepEqual(readdirSync(dir).sort(), ['model.onnx']);
  const q = await runTransform({ ...request(path, { method: 'unstructured', ratio: 0.5 }), kind: 'quantize-dynamic', prune: undefined });
  await assert.rejects(runTransform(request(q.output, { method: 'unstructured', ratio: 0.5, pruner: testPruner }, { output: join(dir, 'again.onnx') })), AlreadyQuantizedError);
  assert.ok(!existsSync(join(dir, 'again.onnx')));
});

test('a target cosine runs the scan: prune.sensitivity in the report, the chosen ratios applied, the target judged', async () => {
  const { dir, path } = mlpFile();
  const lines: string[] = [];
  const report = await runTransform(request(path, { method: 'unstructured', ratio: 0.5, targetCosine: 0.99, pruner: testPruner }, { validate: true, progress: (l) => lines.push(l) }));
  const scan = report.prune!.sensitivity!;
  assert.equal(scan.targetCosine, 0.99);
  assert.equal(scan.units.length, 3);
  const chosen = Object.fromEntries(scan.units.map((u) => [u.id, u.chosen]));
  for (const l of report.prune!.prunedLayers) assert.equal(l.zeros, Math.floor(chosen[l.node]! * l.elementsBefore), l.node);
  for (const u of scan.units) if (u.chosen === 0) assert.ok(!report.prune!.prunedLayers.some((l) => l.node === u.id));
  assert.equal(report.targets?.[0]?.name, 'cosine');
  assert.equal(report.targets?.[0]?.wanted, 0.99);
  assert.ok(lines.some((l) => l.startsWith('sensitivity scan: each unit alone on 4 calibration sample(s)')), lines.join('\n'));
  assert.ok(report.warnings.some((w) => /synthesized/.test(w)));
  assert.ok(existsSync(join(dir, 'model.pruned.onnx')));
});
