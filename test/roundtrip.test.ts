import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { BufferSource, FileSource } from '../src/onnx/io/byte-source';
import { decodeModelProto, encodeModelBytes } from '../src/onnx/open';
import { protobufjsRoot } from '../src/onnx/proto/schema';
import { corpusModels, suiteCases } from './helpers/corpus';
import { protoDiff } from './helpers/equal';

const ModelType = protobufjsRoot().lookupType('onnx.ModelProto');
/** protobufjs' view of a file: an independent decoder to compare bytes we write against. */
const reference = (bytes: Uint8Array): unknown => ModelType.toObject(ModelType.decode(bytes), { longs: String, bytes: String, defaults: false });

function roundTrip(path: string): void {
  const source = new FileSource(path);
  try {
    const first = decodeModelProto(source);
    const bytes = encodeModelBytes(first);
    const second = decodeModelProto(new BufferSource(bytes));
    const diff = protoDiff(first, second);
    assert.equal(diff, undefined, `${path}: decode → encode → decode differs at ${diff}`);
    assert.deepEqual(reference(bytes), reference(readFileSync(path)), `${path}: protobufjs reads our encoding differently from the original`);
  } finally {
    source.close();
  }
}

test('decode → encode → decode is equal on every corpus model, and protobufjs agrees', () => {
  const models = corpusModels();
  assert.ok(models.length >= 5);
  for (const m of models) roundTrip(m);
});

test('decode → encode → decode is equal on every conformance-suite model, and protobufjs agrees', () => {
  const cases = suiteCases();
  assert.ok(cases.length > 1000, `suite has ${cases.length} models`);
  for (const c of cases) roundTrip(c.model);
});
