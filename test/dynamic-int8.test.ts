import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { ROOT } from './helpers/corpus';
import { assertValidModel, cosine, npyFiles, quantizeFile, readNpy, runModel } from './helpers/quantize-run';

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
