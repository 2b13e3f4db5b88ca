import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { after, before } from 'node:test';
import * as ort from 'onnxruntime-node';
import { DiskModelFiles } from '../src/onnx/io/model-files';
import { decodeModelProto } from '../src/onnx/open';
import { TiedWeightsError, TransformRefusedError } from '../src/optimize/errors';
import { channelPruner } from '../src/optimize/prune/channels/channels';
import { sensitivityScan } from '../src/optimize/prune/sensitivity';
import { RuntimeClient } from '../src/runtime/client';
import type { Sample } from '../src/runtime/types';
import { CLI, ROOT } from './helpers/corpus';
import { assertFullyValid, pruneFile, runOutputs } from './helpers/prune-channels-run';
import { openForPruning } from './helpers/prune-run';
import { removeOutputs } from './helpers/quantize-run';
import { RUNTIME_WORKER } from './helpers/runtime';

const dir = mkdtempSync(join(tmpdir(), 'prune-tied-'));
execFileSync('/usr/bin/python3', [join(ROOT, 'test', 'helpers', 'prune_tied_models.py'), dir]);
let client: RuntimeClient;
before(async () => {
  client = await RuntimeClient.start({ workerScript: RUNTIME_WORKER });
});
after(async () => {
  await client.close();
  removeOutputs();
  rmSync(dir, { recursive: true, force: true });
});

const TIED_GROUPS = join(dir, 'tied_groups.onnx');
const TIED_SAME_GROUP = join(dir, 'tied_same_group.onnx');
const TIED_AXES = join(dir, 'tied_axes.onnx');
const MERGED_BIAS = join(dir, 'merged_bias.onnx');
const TIED_CONSTANT = join(dir, 'tied_constant.onnx');
const input = (seed: number): Float32Array => Float32Array.from({ length: 3 * 64 }, (_, i) => Math.sin(i * 0.37 + seed));
const x = (): Record<string, ort.Tensor> => ({ x: new ort.Tensor('float32', input(0), [1, 3, 8, 8]) });

/** python onnx: which initializer (name, dims) each Conv reads as its weight. */
function convWeights(path: string): Record<string, [string, number[]]> {
  const script = `
import sys, json, onnx
m = onnx.load(sys.argv[1])
dims = {t.name: list(t.dims) for t in m.graph.initializer}
print(json.dumps({n.name: [n.input[1], dims[n.input[1]]] for n in m.graph.node if n.op_type == 'Conv'}))`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, path]).toString()) as Record<string, [string, number[]]>;
}

async function assertRuns(before: string, out: string): Promise<void> {
  const [a, b] = [await runOutputs(before, x()), await runOutputs(out, x())];
  assert.deepEqual(b.dims, a.dims);
  assert.ok(b.values.every((v) => v.every(Number.isFinite)));
}

test('two Convs in different channel groups read one weight: pruning would keep different channels of it, so it is refused, naming the weight and both Convs', () => {
  const opened = openForPruning(TIED_GROUPS);
  try {
    assert.throws(
      () => channelPruner.prune(opened.edit, opened.files, { method: 'channels', ratio: 0.5 }, opened.ids),
      (e: unknown) => {
        assert.ok(e instanceof TiedWeightsError && e instanceof TransformRefusedError);
        assert.match(e.message, /the weight 'w_tied' is shared by Conv 'conv_a', Conv 'conv_b', and pruning would cut it differently for them/);
        assert.match(e.message, /exclude all but one of the layers that read a weight with --exclude-nodes .*, or exclude them all/);
        assert.doesNotMatch(e.message, /b_zero/, 'a zero bias both read is no tie: its copies hold zeros only');
        assert.deepEqual(e.nodes, ['conv_a', 'conv_b']);
        return true;
      },
    );
  } finally {
    opened.files.close();
  }
});

test('the same tie through a Constant node, read by one Conv directly and by the other through an Identity, is refused alike', () => {
  const opened = openForPruning(TIED_CONSTANT);
  try {
    assert.throws(() => channelPruner.prune(opened.edit, opened.files, { method: 'channels', ratio: 0.5 }, opened.ids), (e: unknown) => {
      assert.ok(e instanceof TiedWeightsError);
      assert.match(e.message, /the weight 'w_tied' is shared by Conv 'conv_a', Conv 'conv_b', and pruning/);
      assert.deepEqual(e.nodes, ['conv_a', 'conv_b']);
      return true;
    });
  } finally {
    opened.files.close();
  }
});

test('CLI: the tie refusal exits 2 and writes nothing (no model, no recipe, no report)', () => {
  const folder = mkdtempSync(join(tmpdir(), 'prune-tied-cli-'));
  try {
    const path = join(folder, 'model.onnx');
    copyFileSync(TIED_GROUPS, path);
    const r = spawnSync(process.execPath, [CLI, 'prune', path, '--method', 'channels', '--ratio', '0.5'], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /'w_tied' is shared by Conv 'conv_a', Conv 'conv_b'/);
    assert.deepEqual(readdirSync(folder), ['model.onnx']);
    const json = spawnSync(process.execPath, [CLI, 'prune', path, '--method', 'channels', '--ratio', '0.5', '--exclude-nodes', 'conv_b', '--json'], { encoding: 'utf8' });
    assert.equal(json.status, 0, json.stdout + json.stderr);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test('with one of the tied Convs excluded: the other is pruned and reads a copy, the excluded one the original; a warning says so; both checkers pass, ORT runs it', async () => {
  const { out, result } = pruneFile(TIED_GROUPS, { ratio: 0.5, excludeNodes: ['conv_b'] });
  assertFullyValid(out);
  assert.deepEqual(result.recipe!.units.map((u) => [u.id, u.keptChannels]), [['conv_a', [0, 1, 2, 3, 4, 5, 6, 7]], ['conv_c', result.recipe!.units[1]!.keptChannels]]);
  const weights = convWeights(out);
  assert.deepEqual(weights.conv_b, ['w_tied', [16, 8, 1, 1]]);
  assert.deepEqual(weights.conv_a, ['w_tied_pruned', [8, 8, 1, 1]]);
  assert.deepEqual(result.warnings, ["2 weights read by several nodes (tied, or equal tensors the exporter merged) now differ between them: 'w_tied' (1 node changed, others keep the original), 'b_zero' (1 node changed, others keep the original)"]);
  await assertRuns(TIED_GROUPS, out);
});

test('a zero bias read by Convs of two groups (equal tensors the exporter merged) is no tie: each gets its own cut copy, with a warning', async () => {
  const { out, result } = pruneFile(MERGED_BIAS, { ratio: 0.5 });
  assertFullyValid(out);
  assert.deepEqual(result.recipe!.units.map((u) => u.id), ['conv_a', 'conv_b', 'conv_c']);
  assert.deepEqual(result.warnings, ["1 weight read by several nodes (tied, or equal tensors the exporter merged) now differ between them: 'b_zero' (2 nodes)"]);
  await assertRuns(MERGED_BIAS, out);
});

test('two Convs in one channel group (one residual Add) read one weight: cut alike, they still share one tensor', async () => {
  const { out, result } = pruneFile(TIED_SAME_GROUP, { ratio: 0.5 });
  assertFullyValid(out);
  assert.deepEqual(result.recipe!.units.map((u) => [u.id, u.keptChannels.length]), [['conv_a', 8], ['conv_c', 8]]);
  const weights = convWeights(out);
  // Nothing reads the original any more: the one copy replaces it and keeps its name.
  assert.deepEqual(weights.conv_a, ['w_tied', [8, 8, 1, 1]]);
  assert.deepEqual(weights.conv_b, weights.conv_a);
  assert.deepEqual(result.warnings, []);
  await assertRuns(TIED_SAME_GROUP, out);
});

test('a weight cut on its output axis for one Conv and its input axis for another within one group: that group is left and listed (no ratio keeps the tie); the rest is pruned', async () => {
  const opened = openForPruning(TIED_AXES);
  try {
    const { units, skipped } = channelPruner.units(opened.edit, opened.files, { method: 'channels', ratio: 0.5 }, opened.ids);
    assert.deepEqual(units.map((u) => u.id), ['conv_q', 'conv_r']);
    const why = skipped.filter((s) => s.node === 'conv_p').map((s) => s.reason);
    assert.deepEqual(why, ["its channel group is left: the weight 'w_square' is shared by Conv 'conv_p', Conv 'conv_q', and pruning would cut it differently for them"]);
  } finally {
    opened.files.close();
  }
  const { out, result } = pruneFile(TIED_AXES, { ratio: 0.5, roundTo: 4 });
  assertFullyValid(out);
  assert.deepEqual(result.recipe!.units.map((u) => u.id), ['conv_q', 'conv_r']);
  const weights = convWeights(out);
  assert.deepEqual(weights.conv_p, ['w_square', [8, 8, 1, 1]]);
  assert.deepEqual(weights.conv_q, ['w_square_pruned', [4, 8, 1, 1]]);
  await assertRuns(TIED_AXES, out);
});

test('sensitivity scan over units tied across groups: each unit alone is measured; combinations that would break the tie count as missing the target; the chosen ratios prune', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'prune-tied-scan-'));
  const files = new DiskModelFiles(TIED_GROUPS);
  const lines: string[] = [];
  const samples: Sample[] = Array.from({ length: 4 }, (_, i) => ({ id: `s${i}`, feeds: { x: { dtype: 1, dims: [1, 3, 8, 8], data: input(i + 1) } } }));
  try {
    const options = { method: 'channels' as const, ratio: 0.5, roundTo: 4 };
    const r = await sensitivityScan({
      pruner: channelPruner, options, fresh: () => decodeModelProto(files.model), files, floatPath: TIED_GROUPS, client, settings: {},
      samples, tempFolder: folder, targetCosine: -1, protect: [TIED_GROUPS], progress: (l) => lines.push(l),
    });
    assert.deepEqual(r.scan.units.map((u) => u.id), ['conv_a', 'conv_b', 'conv_c']);
    for (const u of r.scan.units) assert.ok(u.cosine.every((c) => c > -1), `${u.id}: ${u.cosine.join()}`);
    // Every unit at one ratio prunes both tied Convs: refused, reported, never chosen.
    assert.ok(lines.some((l) => /every unit at 0\.\d → breaks a weight tie/.test(l)), lines.join('\n'));
    assert.ok(!(r.unitRatios.conv_a! > 0 && r.unitRatios.conv_b! > 0), JSON.stringify(r.unitRatios));
    assert.ok(Object.values(r.unitRatios).some((v) => v > 0), JSON.stringify(r.unitRatios));
    assert.ok(Number.isFinite(r.scan.cosineChosen));
    const { out } = pruneFile(TIED_GROUPS, { ...options, unitRatios: r.unitRatios });
    assertFullyValid(out);
  } finally {
    files.close();
    rmSync(folder, { recursive: true, force: true });
  }
});
