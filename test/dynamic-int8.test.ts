import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import test, { after } from 'node:test';
import * as ort from 'onnxruntime-node';
import { CORPUS_DIR, ROOT } from './helpers/corpus';
import { assertValidModel, cosine, npyFiles, openForEdit, quantizeFile, readNpy, runModel, withOutputs, removeOutputs } from './helpers/quantize-run';

after(removeOutputs);

const MODELS = join(ROOT, '.cache', 'models');
const DATA = join(ROOT, '.cache', 'data');

/** Cosine of the float and the quantized model's first output on each photograph (ImageNet preprocessing, from .cache/data). */
async function photoCosines(float: string, quantized: string, count: number): Promise<number[]> {
  const cosines: number[] = [];
  for (const f of npyFiles(join(DATA, 'imagenet224', 'eval')).slice(0, count)) {
    const feeds = { input: readNpy(f) };
    const [[a], [b]] = [await runModel(float, feeds), await runModel(quantized, feeds)];
    cosines.push(cosine(a!, b!));
  }
  return cosines;
}

for (const [file, options] of [
  ['resnet18.onnx', {}],
  ['resnet18-bn.onnx', { perChannel: true }],
  ['resnet18.onnx', { weightType: 'uint8', reduceRange: true }],
] as const) {
  test(`ResNet-18 (${file}, ${JSON.stringify(options)}): Conv and Gemm weights to 8 bits, both checkers accept it, under 0.3x the size, cosine >= 0.99 on photographs`, async () => {
    const model = join(MODELS, file);
    const { out, result } = quantizeFile(model, options);
    assert.equal(result.details.quantizedConv, 20);
    assert.equal(result.details.quantizedGemm, 1);
    if (file === 'resnet18-bn.onnx') assert.equal(result.details.batchNormsFolded, 20);
    assertValidModel(out);
    const ratio = statSync(out).size / statSync(model).size;
    assert.ok(ratio <= 0.3, `size ratio ${ratio}`);
    const cosines = await photoCosines(model, out, 3);
    console.log(`${file} ${JSON.stringify(options)}: size ratio ${ratio.toFixed(3)}, cosines ${cosines.map((c) => c.toFixed(5)).join(' ')}`);
    assert.ok(Math.min(...cosines) >= 0.99, `cosines ${cosines.join(', ')}`);
  });
}

test('ViT-B/16 per channel: MatMul and Gemm weights to int8; the features before the (zero-initialized) head stay within cosine 0.95 of the float model on photographs', async () => {
  const model = join(MODELS, 'vit_b_16.onnx');
  // torchvision initializes the head to zeros: compare what it reads, the class token's features.
  const { edit, files } = openForEdit(model);
  const features = { name: edit.main.producer('logits')!.input[0]!, rank: 2 };
  files.close();
  const float = withOutputs(model, [features]);
  const { out, result } = quantizeFile(model, { perChannel: true }, [features]);
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

/** Silero VAD's speech probabilities over consecutive frames, its state carried from frame to frame. */
async function vadProbabilities(path: string, frames: string[]): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(path);
  try {
    const sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
    let state: ort.Tensor = new ort.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]);
    const out = new Float32Array(frames.length);
    for (const [i, f] of frames.entries()) {
      const r = await s.run({ input: readNpy(join(f, 'input.npy')), state, sr });
      out[i] = (r.output!.data as Float32Array)[0]!;
      state = r.stateN!;
    }
    return out;
  } finally {
    await s.release();
  }
}

test('Silero VAD v5: Conv weights held by Constant nodes inside If branches are quantized there; speech probabilities on real speech stay close', async () => {
  const model = join(CORPUS_DIR, 'silero_vad_v5.onnx');
  const { out, result, edit } = quantizeFile(model, { perChannel: true });
  const inBranches = edit.graphs().filter((g) => g.parent).flatMap((g) => g.nodes.filter((n) => n.op_type === 'ConvInteger'));
  assert.equal(inBranches.length, result.details.quantizedConv);
  assert.ok(inBranches.length >= 10, `${inBranches.length} ConvInteger nodes in If branches`);
  assert.ok(!edit.graphs().some((g) => g.nodes.some((n) => n.op_type === 'Conv')), 'no float Conv is left');
  assertValidModel(out);
  const ratio = statSync(out).size / statSync(model).size;
  const dir = join(DATA, 'speech', 'silero-v5', 'eval');
  const frames = readdirSync(dir).sort().slice(0, 200).map((f) => join(dir, f));
  const [a, b] = [await vadProbabilities(model, frames), await vadProbabilities(out, frames)];
  const maxError = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
  console.log(`Silero VAD v5: size ratio ${ratio.toFixed(3)}, probability cosine ${cosine(a, b).toFixed(4)}, max abs error ${maxError.toFixed(4)} over ${frames.length} frames`);
  assert.ok(cosine(a, b) >= 0.95);
});

test('PP-OCRv4 detection (weights in Constant nodes, no initializers): every Conv quantized from its Constant, which goes; the text map on real text images stays close', async () => {
  const model = join(CORPUS_DIR, 'ch_PP-OCRv4_det_infer.onnx');
  const { edit: before, files } = openForEdit(model);
  const convs = before.main.nodes.filter((n) => n.op_type === 'Conv').length;
  assert.equal(before.main.proto.initializer.length, 0);
  files.close();
  const { out, result, edit } = quantizeFile(model, { perChannel: true });
  assert.equal(result.details.quantizedConv, convs);
  assert.ok(!edit.main.nodes.some((n) => n.op_type === 'Conv'));
  assertValidModel(out);
  const ratio = statSync(out).size / statSync(model).size;
  const cosines: number[] = [];
  for (const f of npyFiles(join(DATA, 'ocr-det', 'eval')).slice(0, 2)) {
    const feeds = { x: readNpy(f) };
    const [[a], [b]] = [await runModel(model, feeds), await runModel(out, feeds)];
    cosines.push(cosine(a!, b!));
  }
  console.log(`PP-OCRv4 det: ${convs} Conv, size ratio ${ratio.toFixed(3)}, cosines ${cosines.map((c) => c.toFixed(4)).join(' ')}`);
  assert.ok(ratio <= 0.3, `size ratio ${ratio}`);
  assert.ok(Math.min(...cosines) >= 0.95, `cosines ${cosines.join(', ')}`);
});
