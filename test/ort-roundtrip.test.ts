import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { BufferSource } from '../src/onnx/io/byte-source';
import { decodeModelProto, encodeModelBytes } from '../src/onnx/open';
import { corpusModels } from './helpers/corpus';

/** Deterministic inputs per corpus model (their symbolic dims need sizes the networks accept). */
function feeds(model: string): Record<string, ort.Tensor> {
  const floats = (dims: number[]): ort.Tensor => {
    const n = dims.reduce((a, b) => a * b, 1);
    return new ort.Tensor('float32', Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.37)), dims);
  };
  const name = basename(model);
  if (name.includes('det_infer')) return { x: floats([1, 3, 64, 64]) };
  if (name.includes('rec_infer')) return { x: floats([1, 3, 48, 64]) };
  if (name.includes('cls_infer')) return { x: floats([1, 3, 48, 192]) };
  const sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
  if (name.includes('vad_v5')) return { input: floats([1, 512]), state: floats([2, 1, 128]), sr };
  return { input: floats([1, 512]), sr, h: floats([2, 1, 64]), c: floats([2, 1, 64]) };
}

test('onnxruntime runs our re-encoding of every corpus model to bit-identical outputs', async () => {
  for (const path of corpusModels()) {
    const original = readFileSync(path);
    const ours = encodeModelBytes(decodeModelProto(new BufferSource(original, path)));
    const a = await ort.InferenceSession.create(original);
    const b = await ort.InferenceSession.create(ours);
    const input = feeds(path);
    const [ra, rb] = [await a.run(input), await b.run(input)];
    for (const name of a.outputNames) {
      assert.deepEqual(rb[name]!.dims, ra[name]!.dims, `${path}: ${name} dims`);
      assert.deepEqual(Buffer.from((rb[name]!.data as Float32Array).buffer), Buffer.from((ra[name]!.data as Float32Array).buffer), `${path}: ${name} values`);
    }
    await a.release();
    await b.release();
  }
});
