import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { BufferSource } from '../src/onnx/io/byte-source';
import { inferModel } from '../src/onnx/infer/infer';
import { decodeModelProto, encodeModelBytes, openModel } from '../src/onnx/open';

const ORT_TYPES: Record<number, string> = { 1: 'float32', 6: 'int32', 7: 'int64', 9: 'bool', 10: 'float16', 11: 'float64' };
import { corpusModels } from './helpers/corpus';
import { feedShapes, feeds } from './helpers/corpus-feeds';

test('inferred output types and shapes equal what onnxruntime produces, wherever inference claims to know them', async () => {
  let claimed = 0;
  for (const path of corpusModels()) {
    const input = feeds(path);
    const session = await ort.InferenceSession.create(readFileSync(path));
    const outputs = await session.run(input);
    const model = openModel(path);
    const result = inferModel(model, { inputShapes: feedShapes(path) });
    for (const o of model.graph.outputs) {
      const t = result.inferredType(o) ?? result.typeOf(o);
      const actual = outputs[o.name]!;
      assert.ok(t && t.kind === 'tensor', `${path}: ${o.name} has no inferred tensor type`);
      assert.equal(ORT_TYPES[t.elemType], actual.type, `${path}: ${o.name} dtype`);
      assert.ok(t.shape, `${path}: ${o.name} rank unknown`);
      assert.equal(t.shape.length, actual.dims.length, `${path}: ${o.name} rank`);
      t.shape.forEach((d, i) => {
        if (typeof d === 'number') {
          claimed++;
          assert.equal(d, actual.dims[i], `${path}: ${o.name} dim ${i}`);
        }
      });
    }
    model.close();
    await session.release();
  }
  console.log(`# ${claimed} inferred output dims of the corpus models checked against onnxruntime`);
  assert.ok(claimed > 10);
});

test('with concrete input shapes, inference determines every value of the PaddleOCR networks', () => {
  const paths = corpusModels().filter((p) => p.includes('_infer'));
  assert.equal(paths.length, 3, 'the PaddleOCR det, rec and cls models');
  for (const path of paths) {
    const model = openModel(path);
    const result = inferModel(model, { inputShapes: feedShapes(path) });
    const unknown: string[] = [];
    for (const n of model.graph.nodes) {
      n.outputs.forEach((_, i) => {
        const v = n.outputValue(i);
        const t = v && result.typeOf(v);
        if (v && !(t && t.kind === 'tensor' && t.shape?.every((d) => typeof d === 'number'))) unknown.push(`${n.id} (${n.opType})`);
      });
    }
    assert.deepEqual(unknown, [], `${path}: values with unknown types or shapes`);
    model.close();
  }
});

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
