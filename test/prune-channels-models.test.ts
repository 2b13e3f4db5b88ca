import assert from 'node:assert/strict';
import { join } from 'node:path';
import test, { after } from 'node:test';
import * as ort from 'onnxruntime-node';
import { tensorValueInfo } from '../src/onnx/edit/proto-factory';
import { feeds } from './helpers/corpus-feeds';
import { CORPUS_DIR, ROOT } from './helpers/corpus';
import { assertFullyValid, editedCopy, parameters, pruneFile, runOutputs, worstDifference, zeroRemovedChannels, type Prepare } from './helpers/prune-channels-run';
import { removeOutputs } from './helpers/quantize-run';

after(removeOutputs);

const MODELS = join(ROOT, '.cache', 'models');
const image = (): Record<string, ort.Tensor> => ({ input: new ort.Tensor('float32', Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.37)), [1, 3, 224, 224]) });

/**
 * Each model at ratio 0.3, and the least parameter reduction it must reach. MobileNetV3 keeps
 * most of its parameters in the two classifier Gemms (Small: 576→1024→1000, 63 %): the first
 * one's hidden features are a unit of their own. ViT-B/16 prunes the hidden features of its 12
 * MLP blocks only: the attention projections (Slice/Reshape of the heads) and the residual
 * stream (LayerNorm) are left, listed with why (`left`); so are PP-OCRv4 rec's SVTR attention,
 * residual stream and sequence head, while its two MLP blocks are pruned. PP-OCRv4 det's sigmoid map is 0
 * everywhere on these inputs: the zero-mask check compares the logits before it (`logits`,
 * made an output). PP-OCRv4 rec's softmax sits on logits near 9000: float noise of 1e-6 of
 * them (summation order over fewer channels) moves its probabilities by 2e-4, so its check
 * compares the logits before the softmax alone (`logitsOnly`).
 */
const CASES: { name: string; path: string; feeds: () => Record<string, ort.Tensor>; least: number; logits?: string; logitsOnly?: boolean; left?: RegExp }[] = [
  { name: 'ResNet-18 (BatchNormalization folded)', path: join(MODELS, 'resnet18.onnx'), feeds: image, least: 0.25 },
  { name: 'ResNet-18 with BatchNormalization nodes', path: join(MODELS, 'resnet18-bn.onnx'), feeds: image, least: 0.25 },
  { name: 'ResNet-50', path: join(MODELS, 'resnet50.onnx'), feeds: image, least: 0.25 },
  { name: 'MobileNetV3-Small', path: join(MODELS, 'mobilenet_v3_small.onnx'), feeds: image, least: 0.25 },
  { name: 'MobileNetV3-Large', path: join(MODELS, 'mobilenet_v3_large.onnx'), feeds: image, least: 0.25 },
  { name: 'PP-OCRv4 det', path: join(CORPUS_DIR, 'ch_PP-OCRv4_det_infer.onnx'), feeds: () => feeds('ch_PP-OCRv4_det_infer.onnx'), least: 0.25, logits: 'p2o.Add.281' },
  {
    name: 'PP-OCRv4 rec', path: join(CORPUS_DIR, 'ch_PP-OCRv4_rec_infer.onnx'), feeds: () => feeds('ch_PP-OCRv4_rec_infer.onnx'), least: 0.25, logits: 'p2o.Add.277', logitsOnly: true,
    left: /^its weight is not a 2-D float|^its channel group is left: (Add '[^']*' combines them with|Reshape '[^']*' does not flatten|Shape '[^']*' passes the channel count on|Squeeze '[^']*' reads the channels)/,
  },
  { name: 'PP-OCR mobile v2 cls', path: join(CORPUS_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), feeds: () => feeds('ch_ppocr_mobile_v2.0_cls_infer.onnx'), least: 0.25 },
  {
    name: 'ViT-B/16', path: join(MODELS, 'vit_b_16.onnx'), feeds: image, least: 0.19,
    left: /^its weight is not a 2-D float|^its channel group is left: (Shape '[^']*self_attention|Add '[^']*encoder_layer_\d+\/Add_1' combines them with)/,
  },
];

for (const c of CASES) {
  test(`${c.name}: channels at 0.3 pass both checkers, run in ORT with the same output shapes, remove ≥ ${c.least * 100} % of the parameters; zeroed channels removed give the same outputs`, async () => {
    const { out, result } = pruneFile(c.path);
    assertFullyValid(out);
    const [before, after] = [parameters(c.path), parameters(out)];
    assert.ok(1 - after / before >= c.least, `parameters ${before} → ${after} (${((1 - after / before) * 100).toFixed(1)} % fewer)`);
    const [original, pruned] = [await runOutputs(c.path, c.feeds()), await runOutputs(out, c.feeds())];
    assert.deepEqual(pruned.dims, original.dims);
    assert.ok(result.recipe && result.recipe.units.length > 0);
    // Every channel group of these models is understood: only the first and last layers' groups are left (and groups rounding keeps whole, and the `left` ones).
    assert.deepEqual(result.skipped.filter((s) => !/(first|last) prunable layer|rounding up to a multiple/.test(s.reason) && !c.left?.test(s.reason)), []);
    for (const u of result.recipe.units) assert.ok(u.keptChannels.length % 8 === 0 && u.keptChannels.length < u.channelsBefore, `unit ${u.id} keeps ${u.keptChannels.length} of ${u.channelsBefore}`);

    // The removed channels made to output exactly 0 first: removing them must change nothing
    // (within 1e-4 of the largest output value: the torchvision MobileNets are untrained, their logits near 1e-9).
    const mask = zeroRemovedChannels(result.recipe);
    const zeroed: Prepare = (opened) => {
      mask(opened);
      if (!c.logits) return;
      const logits = tensorValueInfo(c.logits, 1, c.logitsOnly ? [undefined, undefined, undefined] : [undefined, undefined, undefined, undefined]);
      opened.edit.main.proto.output = c.logitsOnly ? [logits] : [...opened.edit.main.proto.output, logits];
    };
    const masked = editedCopy(c.path, zeroed);
    const { out: maskedPruned, result: again } = pruneFile(c.path, {}, zeroed);
    assert.deepEqual(again.recipe!.units.map((u) => u.keptChannels), result.recipe.units.map((u) => u.keptChannels));
    const [reference, candidate] = [await runOutputs(masked, c.feeds()), await runOutputs(maskedPruned, c.feeds())];
    const varying = reference.values.filter((r) => r.some((v) => Math.abs(v - r[0]!) > 1e-3 * Math.abs(r[0]!) && v !== r[0]));
    assert.ok(varying.length, 'every output of the masked model is constant: the check would prove nothing');
    reference.values.forEach((r, k) => {
      const { worst, scale } = worstDifference(r, candidate.values[k]!);
      assert.ok(worst <= 1e-4 * scale, `output ${k}: max abs difference ${worst}, largest value ${scale}`);
    });
  });
}
