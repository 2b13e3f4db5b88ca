// Inputs synthesized from graph inputs: shapes chosen for symbolic and unnamed dims, sensible
// scalars (Silero's sample rate), deterministic seeded values; every corpus model and
// ResNet-18 runs on them in the runtime child.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openModel } from '../src/onnx/open';
import { RuntimeClient } from '../src/runtime/client';
import { RuntimeRequestError } from '../src/runtime/errors';
import { modelInputSpecs, type InputSpec } from '../src/runtime/input-files/input-spec';
import { synthesizeInputs } from '../src/runtime/synthesize';
import { corpusModels, SUITE_DIR } from './helpers/corpus';
import { RESNET18, RUNTIME_WORKER } from './helpers/runtime';

let client: RuntimeClient;
before(async () => {
  client = await RuntimeClient.start({ workerScript: RUNTIME_WORKER });
});
after(async () => {
  await client.close();
});

function inputsOf(path: string): InputSpec[] {
  const model = openModel(path);
  try {
    return modelInputSpecs(model);
  } finally {
    model.files?.close();
  }
}

const shapesOf = (path: string): Record<string, number[]> => synthesizeInputs(inputsOf(path)).shapes;

test('shapes chosen for the corpus: batch 1, image sides 224, audio frame 512, unnamed state batch 1', () => {
  const corpus = Object.fromEntries(corpusModels().map((p) => [p.split('/').pop()!, p]));
  assert.deepEqual(shapesOf(corpus['ch_ppocr_mobile_v2.0_cls_infer.onnx']!), { x: [1, 3, 224, 224] });
  assert.deepEqual(shapesOf(corpus['ch_PP-OCRv4_rec_infer.onnx']!), { x: [1, 3, 48, 224] });
  assert.deepEqual(shapesOf(corpus['silero_vad_v5.onnx']!), { input: [1, 512], state: [2, 1, 128], sr: [] });
  assert.deepEqual(shapesOf(corpus['silero_vad_legacy.onnx']!), { input: [1, 512], sr: [], h: [2, 1, 64], c: [2, 1, 64] });
  assert.deepEqual(shapesOf(RESNET18), { input: [1, 3, 224, 224] });
});

test("Silero's sr is an int64 scalar 16000; overrides by dim name, by input:axis and by scalar name win", () => {
  const v5 = inputsOf(join(corpusModels().find((p) => p.endsWith('silero_vad_v5.onnx'))!));
  const s = synthesizeInputs(v5);
  const sr = s.samples[0]!.feeds.sr!;
  assert.equal(sr.dtype, 7);
  assert.deepEqual([...(sr.data as BigInt64Array)], [16000n]);
  assert.ok(s.notes.some((n) => /sr: scalar = 16000/.test(n)));
  const o = synthesizeInputs(v5, { dims: { 'input:1': 256 }, scalars: { sr: 8000 } });
  assert.deepEqual(o.shapes.input, [1, 256]);
  assert.deepEqual([...(o.samples[0]!.feeds.sr!.data as BigInt64Array)], [8000n]);
  const det = inputsOf(corpusModels().find((p) => p.includes('det_infer'))!);
  assert.deepEqual(synthesizeInputs(det, { dims: { 'p2o.DynamicDimension.1': 96 }, imageSize: 160 }).shapes.x, [1, 3, 96, 160]);
});

test('values are deterministic per seed and sample, floats in [-1, 1)', () => {
  const inputs = inputsOf(RESNET18);
  const a = synthesizeInputs(inputs, { count: 2, seed: 7 });
  const b = synthesizeInputs(inputs, { count: 2, seed: 7 });
  assert.deepEqual(a.samples, b.samples);
  assert.deepEqual(a.samples.map((s) => s.id), ['synthesized:0', 'synthesized:1']);
  const x0 = a.samples[0]!.feeds.input!.data as Float32Array;
  const x1 = a.samples[1]!.feeds.input!.data as Float32Array;
  assert.notDeepEqual(x0.slice(0, 16), x1.slice(0, 16));
  assert.ok(x0.every((v) => v >= -1 && v < 1));
  assert.notDeepEqual(synthesizeInputs(inputs, { seed: 8 }).samples[0]!.feeds.input!.data.slice(0, 16), x0.slice(0, 16));
});

test('IR 3 models list initializers as inputs: only the real inputs are synthesized', () => {
  const inputs = inputsOf(join(SUITE_DIR, 'pytorch-converted', 'test_BatchNorm1d_3d_input_eval', 'model.onnx'));
  assert.equal(inputs.length, 1);
});

test('inputs no synthesized data can stand for are refused by name', () => {
  assert.throws(() => synthesizeInputs([{ name: 'text', dtype: 8, dims: [1] }]), (e: unknown) => e instanceof RuntimeRequestError && /'text'.*string/.test(e.message));
  assert.throws(() => synthesizeInputs([{ name: 'opaque', dtype: 0, dims: null }]), RuntimeRequestError);
  assert.throws(() => synthesizeInputs([{ name: 'b', dtype: 16, dims: [2] }]), /bfloat16/);
  const ints = synthesizeInputs([{ name: 'input_ids', dtype: 7, dims: ['batch', 'sequence'] }, { name: 'attention_mask', dtype: 7, dims: ['batch', 'sequence'] }], { sequenceLength: 8 });
  assert.deepEqual(ints.shapes, { input_ids: [1, 8], attention_mask: [1, 8] });
  assert.ok([...(ints.samples[0]!.feeds.input_ids!.data as BigInt64Array)].every((v) => v >= 0n && v < 100n));
  assert.deepEqual([...(ints.samples[0]!.feeds.attention_mask!.data as BigInt64Array)], Array(8).fill(1n));
});

test('every corpus model and ResNet-18 runs on synthesized inputs, outputs finite', async () => {
  for (const path of [...corpusModels(), RESNET18]) {
    const { samples } = synthesizeInputs(inputsOf(path));
    const s = await client.open(path);
    const out = await s.run(samples[0]!.feeds);
    for (const [name, t] of Object.entries(out)) assert.ok((t.data as Float32Array).every(Number.isFinite), `${path} ${name}`);
    await s.release();
  }
});

test('comparing a model with itself on synthesized inputs: cosine 1, SNR Infinity, top-1 for score outputs only', async () => {
  const corpus = corpusModels();
  const cls = corpus.find((p) => p.includes('cls_infer'))!;
  const [acc] = await client.compareOutputs(cls, cls, synthesizeInputs(inputsOf(cls), { count: 3 }).samples);
  assert.deepEqual(acc, { name: 'softmax_0.tmp_0', cosine: 1, meanCosine: 1, snrDb: Infinity, meanSnrDb: Infinity, maxAbsError: 0, top1Agreement: 1 });
  const v5 = corpus.find((p) => p.endsWith('silero_vad_v5.onnx'))!;
  const figures = await client.compareOutputs(v5, v5, synthesizeInputs(inputsOf(v5)).samples);
  assert.deepEqual(figures.map((f) => [f.name, f.top1Agreement]), [['output', undefined], ['stateN', undefined]]);
});
