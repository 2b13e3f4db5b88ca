// "Prune…" in the editor (issue 11, point 5): what the quick picks offer per method and the
// command line they hand to the CLI (issue 11, point 6's flags), and the files a run may write.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isPruneChoices, needsRatio, parseRatio, parseTargetCosine, percentLabel, pruneArgv, pruneProducts, pruneTitle, ratioItems, type PruneSettings } from '../src/extension/prune-args';

const DEFAULTS: PruneSettings = { scope: 'layer', excludeOps: [], excludeNodes: [], ratio: null };

test('2:4 asks for no ratio; channels and unstructured do', () => {
  assert.equal(needsRatio('2:4'), false);
  assert.deepEqual(ratioItems('2:4', DEFAULTS), []);
  assert.equal(needsRatio('channels'), true);
  assert.equal(needsRatio('unstructured'), true);
});

test('the ratio pick proposes the method’s own ratio first (30 % of channels, half of the weights), then 10 %…90 % in order', () => {
  const channels = ratioItems('channels', DEFAULTS);
  assert.deepEqual(channels.map((i) => i.value), [0.3, 0.1, 0.2, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
  assert.deepEqual(channels.map((i) => i.label).slice(0, 3), ['30 %', '10 %', '20 %']);
  assert.match(channels[0]!.detail, /Remove 30 % of the output channels .* multiple of 8/);
  const unstructured = ratioItems('unstructured', DEFAULTS);
  assert.deepEqual(unstructured.map((i) => i.value), [0.5, 0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9]);
  assert.equal(unstructured[0]!.detail, 'Zero 50 % of the weights of each pruned layer');
  assert.equal(ratioItems('unstructured', { ...DEFAULTS, scope: 'global' })[0]!.detail, 'Zero 50 % of the weights of all pruned layers ranked together');
});

test('the setting’s ratio is proposed first, also one that is not in the list', () => {
  assert.deepEqual(ratioItems('channels', { ...DEFAULTS, ratio: 0.6 }).map((i) => i.value), [0.6, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 0.8, 0.9]);
  const odd = ratioItems('channels', { ...DEFAULTS, ratio: 0.125 });
  assert.equal(odd.length, 10);
  assert.deepEqual([odd[0]!.value, odd[0]!.label], [0.125, '12.5 %']);
});

test('a typed ratio: a share strictly between 0 and 1, as a fraction or a percentage; anything else says what is wanted', () => {
  assert.equal(parseRatio('0.35'), 0.35);
  assert.equal(parseRatio(' 35 % '), 0.35);
  assert.equal(parseRatio('.5'), 0.5);
  assert.equal(parseRatio('12.5%'), 0.125);
  for (const bad of ['0', '1', '100 %', '0 %', '-0.3', '1.5', 'abc', '', '0.3.1', 'NaN', 'Infinity', '1e-3', '0x1']) {
    assert.equal(typeof parseRatio(bad), 'string', bad);
  }
});

test('a typed target cosine: above 0 and at most 1', () => {
  assert.equal(parseTargetCosine('0.95'), 0.95);
  assert.equal(parseTargetCosine('1'), 1);
  for (const bad of ['0', '1.01', '-0.9', '95 %', 'high', '']) assert.equal(typeof parseTargetCosine(bad), 'string', bad);
});

test('channels: method and ratio, then --json; unstructured adds its scope only when global; 2:4 never passes a ratio', () => {
  assert.deepEqual(pruneArgv('/m/a b.onnx', DEFAULTS, { method: 'channels', ratio: 0.3 }), ['prune', '/m/a b.onnx', '--method', 'channels', '--ratio', '0.3', '--json']);
  assert.deepEqual(pruneArgv('m.onnx', DEFAULTS, { method: 'unstructured', ratio: 0.5 }), ['prune', 'm.onnx', '--method', 'unstructured', '--ratio', '0.5', '--json']);
  assert.deepEqual(pruneArgv('m.onnx', { ...DEFAULTS, scope: 'global' }, { method: 'unstructured', ratio: 0.5 }), ['prune', 'm.onnx', '--method', 'unstructured', '--ratio', '0.5', '--scope', 'global', '--json']);
  // The scope setting is the unstructured method's alone; a stray ratio for 2:4 is not passed.
  assert.deepEqual(pruneArgv('m.onnx', { ...DEFAULTS, scope: 'global' }, { method: '2:4', ratio: 0.3 }), ['prune', 'm.onnx', '--method', '2:4', '--json']);
});

test('target cosine with its calibration folder, exclusions from the settings', () => {
  const settings = { ...DEFAULTS, excludeOps: ['Gemm', 'MatMul'], excludeNodes: ['conv1', '/layer4/conv2'] };
  assert.deepEqual(pruneArgv('m.onnx', settings, { method: 'channels', ratio: 0.5, targetCosine: 0.95, calib: '/data/calib' }), [
    'prune', 'm.onnx', '--method', 'channels', '--ratio', '0.5', '--target-cosine', '0.95', '--calib', '/data/calib',
    '--exclude-ops', 'Gemm,MatMul', '--exclude-nodes', 'conv1,/layer4/conv2', '--json',
  ]);
  // No folder: the CLI synthesizes the scan's inputs.
  assert.deepEqual(pruneArgv('m.onnx', DEFAULTS, { method: 'channels', ratio: 0.5, targetCosine: 0.99 }), ['prune', 'm.onnx', '--method', 'channels', '--ratio', '0.5', '--target-cosine', '0.99', '--json']);
  // A target chooses a ratio per layer, which the global scope would contradict (the CLI refuses the pair).
  assert.deepEqual(pruneArgv('m.onnx', { ...DEFAULTS, scope: 'global' }, { method: 'unstructured', ratio: 0.5, targetCosine: 0.99 }), ['prune', 'm.onnx', '--method', 'unstructured', '--ratio', '0.5', '--target-cosine', '0.99', '--json']);
});

test('what a run writes, as the CLI names it: MODEL.pruned.onnx and its report beside the input; the recipe for channels only', () => {
  assert.deepEqual(pruneProducts('/m/x.onnx', 'channels'), ['/m/x.pruned.onnx', '/m/x.pruned.report.json', '/m/x.pruned.recipe.json']);
  assert.deepEqual(pruneProducts('/m/x.ONNX', 'unstructured'), ['/m/x.pruned.onnx', '/m/x.pruned.report.json']);
  assert.deepEqual(pruneProducts('/m/resnet.int8.onnx', '2:4'), ['/m/resnet.int8.pruned.onnx', '/m/resnet.int8.pruned.report.json']);
});

test('choices given by code run without picks; the explorer’s selection (an array) or half an answer does not', () => {
  assert.equal(isPruneChoices({ method: 'channels', ratio: 0.3 }), true);
  assert.equal(isPruneChoices({ method: '2:4' }), true);
  assert.equal(isPruneChoices(['channels']), false);
  assert.equal(isPruneChoices([{ method: 'channels' }]), false);
  assert.equal(isPruneChoices({ ratio: 0.3 }), false);
  assert.equal(isPruneChoices({ method: 'magnitude' }), false);
  assert.equal(isPruneChoices(null), false);
});

test('the progress title names the method, the share and the target', () => {
  assert.equal(pruneTitle({ method: 'channels', ratio: 0.3 }), 'Pruning (channels, 30 %)');
  assert.equal(pruneTitle({ method: '2:4' }), 'Pruning (2:4)');
  assert.equal(pruneTitle({ method: 'unstructured', ratio: 0.5, targetCosine: 0.95 }), 'Pruning (unstructured, 50 %, target cosine 0.95)');
  assert.equal(percentLabel(0.333333), '33.33 %');
});
