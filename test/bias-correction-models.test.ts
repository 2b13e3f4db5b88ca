// Bias correction on a real model: PP-OCRv4 recognition with int8 weights and every activation
// float (the accuracy-aware fallback's weights-only stage), against the float model in
// onnxruntime on its calibration images. Its stem's depthwise 3×3 kernels sum to almost zero
// and read inputs with a large mean: uncorrected, the rounding of each kernel's sum shifts the
// output; the correction must bring the weights-only model closer to the float one.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { upgradeOpset } from '../src/onnx/edit/opset-upgrade';
import { ModelEdit } from '../src/onnx/edit/model-edit';
import { DiskModelFiles } from '../src/onnx/io/model-files';
import { writeModel } from '../src/onnx/io/write-model';
import { buildModel } from '../src/onnx/model/build';
import { decodeModelProto } from '../src/onnx/open';
import { calibrate } from '../src/optimize/flow/calibration';
import { preprocess } from '../src/optimize/preprocess/preprocess';
import { rangeOptionsFor, type StaticOptions } from '../src/optimize/static/presets';
import { opsetNeeded } from '../src/optimize/static/qdq-opset';
import { quantizeStatic, valuesToAverage, valuesToCalibrate } from '../src/optimize/static/static-qdq';
import { RuntimeClient } from '../src/runtime/client';
import { modelInputSpecs, openInputFolder } from '../src/runtime/input-files';
import { CORPUS_DIR, ROOT } from './helpers/corpus';
import { RUNTIME_WORKER } from './helpers/runtime';

const dir = mkdtempSync(join(tmpdir(), 'bias-correction-'));
let client: RuntimeClient;
before(async () => {
  client = await RuntimeClient.start({ workerScript: RUNTIME_WORKER });
});
after(async () => {
  await client.close();
});

test('bias correction: PP-OCRv4 recognition with int8 weights only comes closer to the float model (worst-sample cosine on the calibration images)', async () => {
  const input = join(CORPUS_DIR, 'ch_PP-OCRv4_rec_infer.onnx');
  const files = new DiskModelFiles(input);
  const options: StaticOptions = { preset: 'tensorrt' };
  let proto = decodeModelProto(files.model);
  proto = upgradeOpset(proto, opsetNeeded(options)).model;
  preprocess(new ModelEdit(proto), files);
  const floatPath = join(dir, 'float.onnx');
  writeModel(proto, files, floatPath, { protect: [] });
  const samples = [...openInputFolder(join(ROOT, '.cache', 'data', 'ocr-rec', 'calib'), modelInputSpecs(buildModel(proto, files))).samples()];
  const means = valuesToAverage(proto, options, files);
  assert.ok(means.length > 30, `means asked for ${means.length} values`);
  const { ranges, channelMeans } = await calibrate(client, floatPath, valuesToCalibrate(proto, options, files), samples, { ...rangeOptionsFor(options), settings: {}, means }, () => {});
  assert.equal(channelMeans.size, means.length, 'every asked-for mean comes back finite');
  const weightsOnly = (biasCorrection: boolean) => {
    const pre = new DiskModelFiles(floatPath);
    const all = quantizeStatic(decodeModelProto(pre.model), ranges, options, pre).quantizedNodes;
    const r = quantizeStatic(decodeModelProto(pre.model), ranges, { ...options, weightOnlyNodes: all, biasCorrection, channelMeans }, pre);
    const path = join(dir, `weights-only-${biasCorrection}.onnx`);
    writeModel(r.model, pre, path, { protect: [] });
    return { path, corrected: Number(r.details.biasesCorrected) };
  };
  const plain = weightsOnly(false);
  const corrected = weightsOnly(true);
  assert.equal(plain.corrected, 0);
  assert.ok(corrected.corrected > 30, `${corrected.corrected} biases corrected`);
  const [before] = await client.compareOutputs(floatPath, plain.path, samples);
  const [afterCorrection] = await client.compareOutputs(floatPath, corrected.path, samples);
  console.log(`weights only: worst cosine ${before!.cosine} → ${afterCorrection!.cosine}, mean ${before!.meanCosine} → ${afterCorrection!.meanCosine}`);
  assert.ok(afterCorrection!.cosine > before!.cosine, `${before!.cosine} → ${afterCorrection!.cosine}`);
});
