import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { ROOT } from './helpers/corpus';
import { assertValidModel, cosine, npyFiles, openForEdit, quantizeFile, readNpy, runModel, withOutputs } from './helpers/quantize-run';

const MODELS = join(ROOT, '.cache', 'models');
const DATA = join(ROOT, '.cache', 'data');

test('ResNet-18: Conv and Gemm weights to int8, runs in onnxruntime close to the float model on photographs; a third of the size', async () => {
  const model = join(MODELS, 'resnet18.onnx');
  const { out, result } = quantizeFile(model);
  console.log(result);
  assertValidModel(out);
  const ratio = statSync(out).size / statSync(model).size;
  console.log('ratio', ratio);
  for (const f of npyFiles(join(DATA, 'imagenet224', 'eval')).slice(0, 4)) {
    const feeds = { input: readNpy(f) };
    const [a] = await runModel(model, feeds);
    const [b] = await runModel(out, feeds);
    console.log(f, cosine(a!, b!));
  }
});

test('ViT-B/16 per channel: MatMul and Gemm weights to int8; the features before the (zero-initialized) head stay within cosine 0.95 of the float model on photographs', async () => {
  const model = join(MODELS, 'vit_b_16.onnx');
  // torchvision initializes the head to zeros: compare what it reads, the class token's features.
  const { edit, files } = openForEdit(model);
  const features = { name: edit.main.producer('logits')!.input[0]!, rank: 2 };
  files.close();
  const float = withOutputs(model, [features]);
  const started = Date.now();
  const { out, result } = quantizeFile(model, { perChannel: true }, [features]);
  console.log(`ViT-B/16 dynamic int8 per channel: ${Date.now() - started} ms`);
  assert.equal(result.details.quantizedMatMul, 36);
  assert.equal(result.details.quantizedGemm, 13);
  assert.deepEqual(result.warnings, []);
  assertValidModel(out);
  const ratio = statSync(out).size / statSync(model).size;
  assert.ok(ratio <= 0.3, `size ratio ${ratio}`);
  const cosines: number[] = [];
  for (const f of npyFiles(join(DATA, 'imagenet224', 'eval')).slice(0, 3)) {
    const feeds = { input: readNpy(f) };
    const [, a] = await runModel(float, feeds);
    const [, b] = await runModel(out, feeds);
    cosines.push(cosine(a!, b!));
  }
  console.log(`ViT-B/16: size ratio ${ratio.toFixed(3)}, feature cosines ${cosines.map((c) => c.toFixed(4)).join(' ')}`);
  assert.ok(Math.min(...cosines) >= 0.95, `cosines ${cosines.join(', ')}`);
});
