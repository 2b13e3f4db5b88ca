import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { openModel } from '../src/onnx/open';
import { imageOptionsFromFlags } from '../src/runtime/input-files/image-flags';
import { openInputFolder } from '../src/runtime/input-files/input-folder';
import { modelInputSpecs } from '../src/runtime/input-files/input-spec';
import type { Feeds } from '../src/runtime/types';
import { CORPUS_DIR, ROOT } from './helpers/corpus';
import { SKIMAGE_DATA } from './helpers/input-fixtures';

// Samples read from files run as they are in onnxruntime-node on real models: photographs
// into ResNet-18 and PP-OCR recognition, sample folders of .npy into Silero VAD's four inputs.
const ORT_TYPE: Record<number, ort.Tensor.Type> = { 1: 'float32', 7: 'int64', 9: 'bool', 2: 'uint8' };

async function runAll(model: string, feeds: Iterable<{ id: string; feeds: Feeds }>): Promise<Map<string, number[]>> {
  const session = await ort.InferenceSession.create(model, { intraOpNumThreads: 1 });
  const shapes = new Map<string, number[]>();
  for (const s of feeds) {
    const input = Object.fromEntries(Object.entries(s.feeds).map(([k, t]) => [k, new ort.Tensor(ORT_TYPE[t.dtype]!, t.data as Float32Array, t.dims)]));
    const out = (await session.run(input))[session.outputNames[0]!]!;
    assert.ok((out.data as Float32Array).every(Number.isFinite), `${s.id}: non-finite output`);
    shapes.set(s.id, [...out.dims]);
  }
  await session.release();
  return shapes;
}

function photoFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'inputs-photos-'));
  for (const f of ['chelsea.png', 'coffee.png', 'camera.png', 'rocket.jpg', 'logo.png']) copyFileSync(join(SKIMAGE_DATA, f), join(dir, f));
  return dir;
}

test('photographs (RGB, gray, RGBA, JPEG) feed ResNet-18 in onnxruntime-node', async () => {
  const model = join(ROOT, '.cache', 'models', 'resnet18.onnx');
  const data = openInputFolder(photoFolder(), modelInputSpecs(openModel(model)), { image: imageOptionsFromFlags({ mean: '0.485,0.456,0.406', std: '0.229,0.224,0.225' }) });
  const shapes = await runAll(model, data.samples());
  assert.deepEqual([...shapes.keys()], ['camera.png', 'chelsea.png', 'coffee.png', 'logo.png', 'rocket.jpg']);
  for (const dims of shapes.values()) assert.deepEqual(dims, [1, 1000]);
});

test('PP-OCR recognition (height fixed at 48, width symbolic) takes photographs at the size asked for', async () => {
  const model = join(CORPUS_DIR, 'ch_PP-OCRv4_rec_infer.onnx');
  const inputs = modelInputSpecs(openModel(model));
  assert.throws(() => openInputFolder(photoFolder(), inputs), /width is symbolic \(p2o\.DynamicDimension\.1\): give the image size, e\.g\. --image-size 48,224/);
  const data = openInputFolder(photoFolder(), inputs, { image: imageOptionsFromFlags({ imageSize: '48,320', bgr: true, mean: '0.5', std: '0.5' }) });
  const shapes = await runAll(model, data.samples());
  assert.equal(shapes.size, 5);
  for (const dims of shapes.values()) assert.equal(dims[0], 1);
});

test('Silero VAD v5: one sample folder per sample, one .npy per input (float32, int64 scalar)', async () => {
  const model = join(CORPUS_DIR, 'silero_vad_v5.onnx');
  const dir = mkdtempSync(join(tmpdir(), 'inputs-vad-'));
  execFileSync('/usr/bin/python3', ['-c', `import numpy as np, os
for i in range(3):
    d = os.path.join('${dir}', f'chunk{i}'); os.makedirs(d)
    t = np.arange(512) / 16000.0
    np.save(os.path.join(d, 'input.npy'), (0.3 * np.sin(2 * np.pi * 220 * (i + 1) * t))[None].astype('float32'))
    np.save(os.path.join(d, 'state.npy'), np.zeros((2, 1, 128), 'float32'))
    np.save(os.path.join(d, 'sr.npy'), np.array(16000, 'int64'))`]);
  const data = openInputFolder(dir, modelInputSpecs(openModel(model)));
  const shapes = await runAll(model, data.samples());
  assert.deepEqual([...shapes.keys()], ['chunk0', 'chunk1', 'chunk2']);
});
