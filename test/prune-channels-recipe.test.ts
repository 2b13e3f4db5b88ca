import assert from 'node:assert/strict';
import { join } from 'node:path';
import test, { after } from 'node:test';
import { ROOT } from './helpers/corpus';
import { checkRecipe, pruneFile } from './helpers/prune-channels-run';
import { removeOutputs } from './helpers/quantize-run';

after(removeOutputs);

const MODELS = join(ROOT, '.cache', 'models');

for (const [name, file, gemmReaders] of [['ResNet-18', 'resnet18.onnx', 1], ['MobileNetV3-Small', 'mobilenet_v3_small.onnx', 2]] as const) {
  test(`${name}: slicing the original weights per the recipe (name, axis, featuresPerChannel) with numpy gives exactly the pruned weights, classifier Gemm rows included`, () => {
    const path = join(MODELS, file);
    const { out, result } = pruneFile(path);
    const recipe = result.recipe!;
    for (const u of recipe.units) for (const e of [...u.producers, ...u.readers]) if (e.weight) assert.ok(e.name && e.axis !== undefined, `${u.id}: ${e.node} names its node and axis`);
    const check = checkRecipe(path, out, recipe);
    assert.deepEqual(check.mismatches, []);
    assert.equal(check.readers.Gemm, gemmReaders);
    assert.equal(check.checked, result.layers.length, 'every pruned Conv/Gemm weight is reproduced');
  });
}

test('MobileNetV3-Small: the depthwise Convs of a unit state their group before and after', () => {
  const { result } = pruneFile(join(MODELS, 'mobilenet_v3_small.onnx'));
  const depthwise = result.recipe!.units.flatMap((u) => u.producers.filter((p) => p.group).map((p) => [p.group!.before, p.group!.after, u.channelsBefore, u.keptChannels.length]));
  assert.ok(depthwise.length > 0);
  for (const [before, after, channels, kept] of depthwise) assert.deepEqual([before, after], [channels, kept]);
});
