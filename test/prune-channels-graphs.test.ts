import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test, { after } from 'node:test';
import * as ort from 'onnxruntime-node';
import { constantTensor } from '../src/onnx/edit/computed-tensor';
import { ModelEdit } from '../src/onnx/edit/model-edit';
import { TransformRefusedError } from '../src/optimize/errors';
import { channelPruner } from '../src/optimize/prune/channels/channels';
import { keptCount } from '../src/optimize/prune/channels/rank-channels';
import type { PruneOptions } from '../src/optimize/prune/types';
import { ROOT } from './helpers/corpus';
import { attr, graph, model, node, tensorType, valueInfo } from './helpers/models';
import { assertFullyValid, checkRecipe, editedCopy, pruneFile, runOutputs, worstDifference, zeroRemovedChannels } from './helpers/prune-channels-run';
import { openForPruning } from './helpers/prune-run';
import { removeOutputs } from './helpers/quantize-run';

const dir = mkdtempSync(join(tmpdir(), 'prune-channels-'));
execFileSync('/usr/bin/python3', [join(ROOT, 'test', 'helpers', 'prune_channels_models.py'), dir]);
after(() => {
  removeOutputs();
  rmSync(dir, { recursive: true, force: true });
});

const CONCAT_SPLIT = join(dir, 'concat_split.onnx');
const SE_DEPTHWISE = join(dir, 'se_depthwise.onnx');
const LEFT_ALONE = join(dir, 'left_alone.onnx');
const MLP = join(dir, 'mlp.onnx');
const MLP_BARE = join(dir, 'mlp_bare.onnx');
const x = (): Record<string, ort.Tensor> => ({ x: new ort.Tensor('float32', Float32Array.from({ length: 3 * 64 }, (_, i) => Math.sin(i * 0.37)), [1, 3, 8, 8]) });

/** Python onnx's view of a pruned model: initializer dims, Constant nodes, and attributes. */
function pythonView(path: string): { inits: Record<string, number[]>; ints: Record<string, number[]>; constants: number; attrs: Record<string, Record<string, number | number[]>> } {
  const script = `
import sys, json, onnx
from onnx import numpy_helper, helper
m = onnx.load(sys.argv[1])
g = m.graph
inits = {t.name: list(t.dims) for t in g.initializer}
ints = {t.name: numpy_helper.to_array(t).tolist() for t in g.initializer if t.data_type == 7}
attrs = {n.name: {a.name: helper.get_attribute_value(a) for a in n.attribute if a.type in (2, 7)} for n in g.node}
print(json.dumps({'inits': inits, 'ints': ints, 'constants': sum(n.op_type == 'Constant' for n in g.node), 'attrs': attrs}))`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, path]).toString()) as ReturnType<typeof pythonView>;
}

/** The zero-mask check: the recipe's removed channels zeroed first, then pruned; ORT must give the masked model's outputs. */
async function assertZeroMaskIdentity(path: string, options: Partial<PruneOptions>): Promise<void> {
  const { result } = pruneFile(path, options);
  const mask = zeroRemovedChannels(result.recipe!);
  const masked = editedCopy(path, mask);
  const { out, result: again } = pruneFile(path, options, mask);
  assert.deepEqual(again.recipe!.units.map((u) => u.keptChannels), result.recipe!.units.map((u) => u.keptChannels));
  assertFullyValid(out);
  const [reference, candidate] = [await runOutputs(masked, x()), await runOutputs(out, x())];
  reference.values.forEach((r, k) => {
    if (!(r instanceof Float32Array)) return assert.deepEqual(candidate.values[k], r);
    const { worst, scale } = worstDifference(r, candidate.values[k]!);
    assert.ok(scale > 0 && worst <= 1e-4 * scale, `output ${k}: max abs difference ${worst}, largest value ${scale}`);
  });
}

test('kept counts: rounded up to a multiple of roundTo (never more removed than the ratio asks), never 0, never more than the channels', () => {
  assert.equal(keptCount(64, 0.3, 8), 48); // 44.8 → 48
  assert.equal(keptCount(16, 0.3, 8), 16); // 11.2 → 16: all stay (nearest would remove 50 %)
  assert.equal(keptCount(40, 0.3, 8), 32); // 28 → 32
  assert.equal(keptCount(72, 0.3, 8), 56); // 50.4 → 56
  assert.equal(keptCount(80, 0.7, 8), 24); // 24 exactly (float 24.000000000000004 is not rounded up)
  assert.equal(keptCount(6, 0.3, 8), 6); // fewer channels than one step: all stay
  assert.equal(keptCount(100, 0.99, 8), 8); // 1 → one step stays
  assert.equal(keptCount(16, 0.3, 4), 12);
  assert.equal(keptCount(10, 0.3, 1), 7);
  for (const [c, r, s] of [[24, 0.3, 8], [96, 0.25, 8], [960, 0.3, 8], [576, 0.5, 8], [13, 0.3, 4]] as const) {
    const k = keptCount(c, r, s);
    assert.ok(k >= c * (1 - r) - 1e-9 && (k % s === 0 || k === c) && k <= c, `${c} at ${r}: ${k}`);
  }
});

test('BatchNormalization scale: a Conv ranked by |gamma|/sqrt(var + eps) of its BatchNormalization keeps what the BN-folded export keeps (the numpy reference)', () => {
  const expected = JSON.parse(readFileSync(join(dir, 'bn_fold_kept.json'), 'utf8')) as number[];
  const kept = (path: string): number[][] => pruneFile(path, { roundTo: 4 }).result.recipe!.units.map((u) => u.keptChannels);
  assert.deepEqual(kept(join(dir, 'bn_unfolded.onnx')), [expected]);
  assert.deepEqual(kept(join(dir, 'bn_folded.onnx')), [expected]);
});

test('Concat and Split along the channels: both branches pruned, the BatchNormalization over the joined channels and the split sizes follow; the Convs after the Split are one group', async () => {
  const { out, result } = pruneFile(CONCAT_SPLIT, { roundTo: 4 });
  assertFullyValid(out);
  const units = result.recipe!.units;
  assert.deepEqual(units.map((u) => [u.id, u.channelsBefore, u.keptChannels.length]), [['conv_a', 16, 12], ['branch%2Fconv_b', 16, 12], ['conv_c', 16, 12]]);
  assert.deepEqual(units[2]!.producers.map((p) => p.node), ['conv_c', 'conv_d']);
  const row = (node: string): unknown => {
    const l = result.layers.find((x) => x.node === node)!;
    return [l.unit, l.channelsBefore, l.channelsAfter, l.elementsBefore, l.elementsAfter];
  };
  const first = units[0]!.keptChannels.filter((c) => c < 8).length;
  assert.deepEqual([row('conv_a'), row('conv_c'), row('conv_d'), row('fc')], [
    ['conv_a', 16, 12, 16 * 8 * 9, 12 * 8 * 9],
    ['conv_c', 16, 12, 16 * 8, 12 * first],
    ['conv_c', 16, 12, 16 * 24, 12 * (24 - first)],
    ['conv_c', 10, 10, 10 * 16, 10 * 12],
  ]);
  // Weights and the split sizes nothing else reads are replaced in place: they keep their names.
  const pruned = pythonView(out);
  assert.deepEqual([pruned.inits.w_a, pruned.inits.b_a, pruned.inits.w_c, pruned.inits.w_d, pruned.inits.bn_s, pruned.ints.split], [[12, 8, 3, 3], [12], [12, first, 1, 1], [12, 24 - first, 1, 1], [24], [first, 24 - first]]);
  assert.deepEqual(Object.keys(pruned.inits).filter((k) => k.includes('_pruned')), []);
  assert.ok(result.skipped.some((s) => s.node === 'stem' && /first prunable layer \(nearest the inputs\): kept, as keepFirstLast asks/.test(s.reason)));
  const view = pythonView(out);
  assert.deepEqual(Object.entries(view.ints).find(([k]) => k.startsWith('split'))![1], [first, 24 - first]);
  assert.deepEqual(view.inits[Object.keys(view.inits).find((k) => k.startsWith('bn_s'))!], [24]);
  assert.deepEqual(view.inits[Object.keys(view.inits).find((k) => k.startsWith('w_c'))!], [12, first, 1, 1]);
  assert.deepEqual(view.inits[Object.keys(view.inits).find((k) => k.startsWith('w_fc'))!], [10, 12]);
  // conv_d reads the Split's second part: conv_a's channels 8–15, then all of conv_b's.
  assert.deepEqual(units.map((u) => u.readers.find((r) => r.name === 'conv_d')?.segments), [[{ at: 0, from: 8, count: 8 }], [{ at: 8, from: 0, count: 16 }], undefined]);
  assert.deepEqual(checkRecipe(CONCAT_SPLIT, out, result.recipe!).mismatches, []);
  await assertZeroMaskIdentity(CONCAT_SPLIT, { roundTo: 4 });
});

test('squeeze-excitation around a depthwise Conv: one group with the excitation Conv; per-channel Add and PRelu constants, the depthwise group, the Reshape shape and the MatMul rows follow', async () => {
  const { out, result } = pruneFile(SE_DEPTHWISE, { roundTo: 4 });
  assertFullyValid(out);
  const units = result.recipe!.units;
  assert.deepEqual(units.map((u) => [u.id, u.channelsBefore, u.keptChannels.length]), [['conv_e', 32, 24]]);
  // se_fc1's 8 features at 0.3 (5.6 kept) round up to all 8: left, not cut to 4.
  assert.ok(result.skipped.some((s) => s.node === 'se_fc1' && /rounding up to a multiple of 4 keeps all 8/.test(s.reason)));
  assert.deepEqual(units[0]!.producers.map((p) => p.node).sort(), ['conv_e', 'depthwise', 'se_fc2']);
  const view = pythonView(out);
  assert.equal(view.attrs.depthwise!.group, 24);
  assert.deepEqual(Object.entries(view.ints).find(([k]) => k.startsWith('shape'))![1], [1, 24 * 16]);
  const dimsOf = (prefix: string): number[] => view.inits[Object.keys(view.inits).find((k) => k.startsWith(prefix))!]!;
  assert.deepEqual([dimsOf('shift'), dimsOf('slope'), dimsOf('w_cls'), dimsOf('w_dw'), dimsOf('w_fc1'), dimsOf('w_fc2')], [[1, 24, 1, 1], [24, 1, 1], [24 * 16, 10], [24, 1, 3, 3], [8, 24, 1, 1], [24, 8, 1, 1]]);
  const classifier = units[0]!.readers.find((r) => r.name === 'classifier')!;
  assert.deepEqual([classifier.axis, classifier.featuresPerChannel], [0, 16]);
  assert.deepEqual(units[0]!.producers.find((p) => p.name === 'depthwise')!.group, { before: 32, after: 24 });
  assert.deepEqual(checkRecipe(SE_DEPTHWISE, out, result.recipe!).mismatches, []);
  await assertZeroMaskIdentity(SE_DEPTHWISE, { roundTo: 4 });
  await assertZeroMaskIdentity(SE_DEPTHWISE, { roundTo: 4, keepFirstLast: false, norm: 'l2' });
});

test('left and listed: a Transpose moving the channel axis, a graph output, a weight from DequantizeLinear, a Shape whose dim 1 is taken; a Constant weight behind Identity shared with a kept Conv is copied', async () => {
  const { out, result } = pruneFile(LEFT_ALONE, { roundTo: 4 });
  assertFullyValid(out);
  const why = (node: string): string => result.skipped.filter((s) => s.node === node).map((s) => s.reason).join(' | ');
  assert.match(why('conv_transposed'), /Transpose 'to_nhwc'/);
  assert.match(why('conv_output'), /'o' is a graph output/);
  assert.match(why('conv_quantized'), /not a float initializer or Constant/);
  assert.match(why('conv_kept_output'), /'k' is a graph output/);
  assert.match(why('conv_shape_read'), /Shape 'shape' passes the channel count on/);
  assert.deepEqual(result.recipe!.units.map((u) => [u.id, u.keptChannels.length]), [['conv_pruned', 12]]);
  assert.deepEqual(result.warnings.length, 1);
  assert.equal(result.warnings[0], "1 weight read by several nodes (tied, or equal tensors the exporter merged) now differ between them: 'w_const' (1 node changed, others keep the original)");
  const view = pythonView(out);
  assert.equal(view.constants, 1, 'the shared Constant stays for the kept Conv');
  assert.deepEqual(view.inits.w_shared_pruned, [12, 8, 1, 1]);
  const [before, after] = [await runOutputs(LEFT_ALONE, x()), await runOutputs(out, x())];
  assert.deepEqual(after.dims, before.dims);
  for (const k of [0, 1, 2, 4, 5]) assert.deepEqual(after.values[k], before.values[k], `output ${k} does not depend on the pruned channels`);
  await assertZeroMaskIdentity(LEFT_ALONE, { roundTo: 4 });
});

for (const [label, path] of [['declared ranks', MLP], ['no value_info', MLP_BARE]] as const) {
  test(`MatMul/Gemm hidden features (${label}): the MLP block's fc1 features through bias Add and the erf GELU into fc2's rows, and a Gemm head's features through HardSwish and Identity are pruned; the residual stream LayerNormalization reads is left`, async () => {
    const { out, result } = pruneFile(path, { roundTo: 4 });
    assertFullyValid(out);
    // fc1: 96 · 0.7 = 67.2 → 68; head1: 32 · 0.7 = 22.4 → 24 (multiples of 4).
    assert.deepEqual(result.recipe!.units.map((u) => [u.id, u.channelsBefore, u.keptChannels.length, u.producers.map((p) => p.node), u.readers.map((r) => r.node)]), [
      ['fc1', 96, 68, ['fc1'], ['fc1_bias', 'fc2']],
      ['head1', 32, 24, ['head1'], ['head2']],
    ]);
    const why = (node: string): string => result.skipped.filter((s) => s.node === node).map((s) => s.reason).join(' | ');
    assert.match(why('fc_in'), /first prunable layer/);
    assert.match(why('fc_in'), /LayerNormalization 'layer_norm' reads the channels/);
    assert.match(why('fc2'), /LayerNormalization 'layer_norm' reads the channels/);
    assert.match(why('head2'), /'y' is a graph output/);
    const view = pythonView(out);
    const dimsOf = (prefix: string): number[] => view.inits[Object.keys(view.inits).find((k) => k.startsWith(prefix))!]!;
    assert.deepEqual([dimsOf('w1'), dimsOf('b1'), dimsOf('w2'), dimsOf('b2'), dimsOf('w_in'), dimsOf('w_h1'), dimsOf('b_h1'), dimsOf('w_h2'), dimsOf('b_h2')], [[64, 68], [68], [68, 64], [64], [64, 64], [24, 192], [24], [24, 10], [1, 10]]);
    const [before, after] = [await runOutputs(path, x()), await runOutputs(out, x())];
    assert.deepEqual(after.dims, before.dims);
    await assertZeroMaskIdentity(path, { roundTo: 4 });
    // Without keepFirstLast the input projection and fc2 are one group (the residual Add), still left for the LayerNormalization.
    const { result: all } = pruneFile(path, { roundTo: 4, keepFirstLast: false });
    assert.deepEqual(all.recipe!.units.map((u) => u.id), ['fc1', 'head1']);
    assert.match(all.skipped.find((s) => s.node === 'fc_in')!.reason, /LayerNormalization 'layer_norm'/);
    await assertZeroMaskIdentity(path, { keepFirstLast: false });
  });
}

test('per-unit ratios (by unit id or first node name): 0 leaves a unit, another ratio overrides; units() lists the groups without changing the model', () => {
  const { edit, files, ids } = openForPruning(CONCAT_SPLIT);
  try {
    const nodes = edit.main.nodes.length;
    const { units, skipped } = channelPruner.units(edit, files, { method: 'channels', ratio: 0.3 }, ids);
    assert.deepEqual(units.map((u) => u.id), ['conv_a', 'branch%2Fconv_b', 'conv_c']);
    assert.deepEqual(units[2]!.nodes.sort(), ['conv_c', 'conv_d', 'fc']);
    // conv_a's filters and bias, the BatchNormalization over the joined channels, conv_c and conv_d after the Split.
    assert.equal(units[0]!.parameters, 16 * 8 * 9 + 16 + 4 * 32 + 16 * 8 + 16 * 24);
    assert.ok(skipped.some((s) => s.node === 'stem'));
    assert.equal(edit.main.nodes.length, nodes);
    const r = channelPruner.prune(edit, files, { method: 'channels', ratio: 0.3, roundTo: 4, unitRatios: { conv_a: 0, 'branch/conv_b': 0.5 } }, ids);
    assert.deepEqual(r.recipe!.units.map((u) => [u.id, u.ratio, u.keptChannels.length]), [['branch%2Fconv_b', 0.5, 8], ['conv_c', 0.3, 12]]);
    assert.ok(r.skipped.some((s) => s.node === 'conv_a' && /ratio 0/.test(s.reason)));
  } finally {
    files.close();
  }
});

test('bad requests are refused with a clear message and leave the model alone: ratios outside (0, 1), nothing prunable', () => {
  const { edit, files, ids } = openForPruning(LEFT_ALONE);
  try {
    const prune = (o: Partial<PruneOptions>): unknown => channelPruner.prune(edit, files, { method: 'channels', ratio: 0.3, ...o }, ids);
    for (const ratio of [0, 1, -0.2, 1.5, Number.NaN]) assert.throws(() => prune({ ratio }), (e: Error) => e instanceof TransformRefusedError && /ratio must be above 0 and below 1/.test(e.message));
    assert.throws(() => prune({ unitRatios: { conv_pruned: 1 } }), TransformRefusedError);
    assert.throws(() => prune({ unitRatios: { stem: 0.5 } }), (e: Error) => e instanceof TransformRefusedError && e.message === "unit ratio for 'stem': no channel group has that id");
    assert.throws(() => prune({ roundTo: 0 }), TransformRefusedError);
    assert.throws(
      () => prune({ excludeNodes: ['conv_pruned'] }),
      (e: Error) => e instanceof TransformRefusedError && /no output channels \(Conv\) or features \(Gemm, MatMul\) can be pruned/.test(e.message) && /conv_pruned: excluded/.test(e.message),
    );
    assert.throws(() => prune({ includeOps: ['Gemm'] }), (e: Error) => e instanceof TransformRefusedError && /no output channels \(Conv\) or features \(Gemm, MatMul\) can be pruned/.test(e.message));
    assert.throws(() => prune({ ratio: 0.01 }), (e: Error) => e instanceof TransformRefusedError && /rounding up to a multiple of 8 keeps all 16 channels/.test(e.message));
    assert.ok(edit.main.nodes.some((n) => n.input[1] === 'w_shared' && n.name === 'conv_pruned'));
  } finally {
    files.close();
  }
});

test('a cycle in the main graph is refused with a clear message; a Conv inside an If branch is listed as left', () => {
  const w = (name: string): ReturnType<typeof constantTensor> => constantTensor(name, 1, [4, 4, 1, 1], new Float32Array(16).fill(0.5));
  const options = { method: 'channels' as const, ratio: 0.5, roundTo: 1 };
  const cyclic = new ModelEdit(
    model(
      graph({
        input: [valueInfo('x', tensorType(1, [1, 4, 2, 2]))],
        output: [valueInfo('y', tensorType(1, [1, 4, 2, 2]))],
        initializer: [w('w1'), w('w2')],
        node: [node('Conv', ['x', 'w1'], ['a'], [], 'c1'), node('Add', ['a', 'c'], ['b'], [], 'add'), node('Conv', ['b', 'w2'], ['c'], [], 'c2'), node('Relu', ['c'], ['y'], [], 'relu')],
      }),
    ),
  );
  assert.throws(() => channelPruner.prune(cyclic, undefined, options, new Map()), (e: Error) => e instanceof TransformRefusedError && /cannot follow the channels: the graph has a cycle/.test(e.message));

  const branch = (name: string): ReturnType<typeof graph> => graph({ name, initializer: [w(`w_${name}`)], node: [node('Conv', ['x', `w_${name}`], [`y_${name}`], [], `conv_${name}`)], output: [valueInfo(`y_${name}`, tensorType(1, [1, 4, 2, 2]))] });
  const withIf = new ModelEdit(
    model(
      graph({
        input: [valueInfo('x', tensorType(1, [1, 4, 2, 2])), valueInfo('flag', tensorType(9, []))],
        output: [valueInfo('y', tensorType(1, [1, 4, 2, 2]))],
        node: [node('If', ['flag'], ['y'], [attr('then_branch', branch('then')), attr('else_branch', branch('else'))], 'if')],
      }),
    ),
  );
  const { units, skipped } = channelPruner.units(withIf, undefined, options, new Map());
  assert.deepEqual(units, []);
  assert.deepEqual(skipped.map((s) => [s.node, s.reason]), [
    ['conv_then', 'inside a subgraph (If/Loop/Scan body): only the main graph is pruned'],
    ['conv_else', 'inside a subgraph (If/Loop/Scan body): only the main graph is pruned'],
  ]);
});

test('a Gemm or MatMul that reads tracked features as its weight leaves every group it reads, its data input included', () => {
  const w = (name: string): ReturnType<typeof constantTensor> => constantTensor(name, 1, [8, 8], Float32Array.from({ length: 64 }, (_, i) => Math.sin(i)));
  const edit = new ModelEdit(
    model(
      graph({
        input: [valueInfo('x', tensorType(1, [8, 8]))],
        output: [valueInfo('y', tensorType(1, [8, 8]))],
        initializer: [w('w1'), w('w2')],
        node: [node('Gemm', ['x', 'w1'], ['a'], [], 'g1'), node('Gemm', ['a', 'w2'], ['b'], [], 'g2'), node('MatMul', ['b', 'a'], ['y'], [], 'mm')],
      }),
    ),
  );
  const { units, skipped } = channelPruner.units(edit, undefined, { method: 'channels', ratio: 0.5, roundTo: 1, keepFirstLast: false }, new Map());
  assert.deepEqual(units, []);
  const why = (n: string): string => skipped.filter((s) => s.node === n).map((s) => s.reason).join(' | ');
  assert.match(why('g1'), /MatMul 'mm' reads channels as its weight or bias/);
  assert.match(why('g2'), /MatMul 'mm' reads channels as its weight or bias/);
  assert.match(why('mm'), /its weight is not a 2-D float initializer or Constant/);
});
