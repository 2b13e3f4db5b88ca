import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import test, { after } from 'node:test';
import { DiskModelFiles } from '../src/onnx/io/model-files';
import { writeModel } from '../src/onnx/io/write-model';
import { decodeModelProto } from '../src/onnx/open';
import { quantizeDynamicModel } from '../src/optimize/dynamic/quantize-model';
import { CORPUS_DIR, ROOT } from './helpers/corpus';
import { assertValidModel, cosine, npyFiles, outputFolder, readNpy, removeOutputs, runModel } from './helpers/quantize-run';

after(removeOutputs);

/** PP-OCR recognition and classification import opset 9: raised to what dynamic quantization needs (11), then quantized. */
for (const [file, data, minCosine] of [
  ['ch_PP-OCRv4_rec_infer.onnx', 'ocr-rec', 0.95],
  ['ch_ppocr_mobile_v2.0_cls_infer.onnx', 'ocr-cls', 0.99],
] as const) {
  test(`${file} (opset 9): raised to opset 11, quantized per channel, both checkers accept it, cosine >= ${minCosine} on real text images`, async () => {
    const model = join(CORPUS_DIR, file);
    const files = new DiskModelFiles(model);
    let out: string;
    let result: ReturnType<typeof quantizeDynamicModel>;
    try {
      result = quantizeDynamicModel(decodeModelProto(files.model), files, { perChannel: true });
      out = writeModel(result.model, files, join(outputFolder(), 'q.onnx'), { protect: [model] }).path;
    } finally {
      files.close();
    }
    assert.ok(result.nodesChanged > 10);
    assert.deepEqual([result.details.opsetBefore, result.details.opsetAfter], [9, 11]);
    assert.equal(result.model.opset_import.find((o) => !o.domain)?.version, 11);
    assertValidModel(out);
    const cosines: number[] = [];
    for (const f of npyFiles(join(ROOT, '.cache', 'data', data, 'eval')).slice(0, 4)) {
      const feeds = { x: readNpy(f) };
      const [[a], [b]] = [await runModel(model, feeds), await runModel(out, feeds)];
      cosines.push(cosine(a!, b!));
    }
    console.log(`${file}: size ratio ${(statSync(out).size / statSync(model).size).toFixed(3)}, cosines ${cosines.map((c) => c.toFixed(4)).join(' ')}`);
    assert.ok(Math.min(...cosines) >= minCosine, `cosines ${cosines.join(', ')}`);
  });
}
