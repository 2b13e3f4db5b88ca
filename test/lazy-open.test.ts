import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FileSource, type ByteSource } from '../src/onnx/io/byte-source';
import { decodeModelProto } from '../src/onnx/open';
import { buildModel } from '../src/onnx/model/build';
import { corpusModels } from './helpers/corpus';

/** Counts the bytes the decoder asks for. */
class CountingSource implements ByteSource {
  bytesRead = 0;
  constructor(private readonly inner: ByteSource) {}
  get size(): number {
    return this.inner.size;
  }
  get name(): string {
    return this.inner.name;
  }
  read(offset: number, length: number): Uint8Array {
    this.bytesRead += length;
    return this.inner.read(offset, length);
  }
  close(): void {
    this.inner.close();
  }
}

test('opening a model reads its structure, not its weights', () => {
  const paths = corpusModels().filter((p) => /det_infer|rec_infer|vad_v5/.test(p));
  assert.equal(paths.length, 3, 'the det, rec and VAD corpus models');
  for (const path of paths) {
    const src = new CountingSource(new FileSource(path));
    const model = buildModel(decodeModelProto(src));
    const read = src.bytesRead;
    const share = read / src.size;
    console.log(`# ${path.split('/').pop()}: opened reading ${(read / 1024).toFixed(0)} KiB of ${(src.size / 1024).toFixed(0)} KiB (${(100 * share).toFixed(1)} %)`);
    assert.ok(model.graph.nodes.length > 0);
    assert.ok(share < 0.25, `read ${(100 * share).toFixed(1)} % of ${path}`);
    src.close();
  }
});
