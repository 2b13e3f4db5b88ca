import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { checkModel } from '../src/onnx/check/checker';
import { writeModel } from '../src/onnx/io/write-model';
import type { Graph, Model } from '../src/onnx/model/graph';
import { openModel } from '../src/onnx/open';
import { convertToFloat16 } from '../src/optimize/fp16/convert';
import { ROOT } from './helpers/corpus';
import { cosine, realInputs, runAll } from './helpers/fp16-inputs';

// Real models converted with the defaults, run in onnxruntime-node on real inputs (photographs,
// synthesized speech) beside the float model; python onnx's checker judges every output.

const MODELS = [
  join(ROOT, '.cache', 'models', 'resnet18.onnx'),
  ...['ch_PP-OCRv4_det_infer', 'ch_PP-OCRv4_rec_infer', 'ch_ppocr_mobile_v2.0_cls_infer', 'silero_vad_legacy', 'silero_vad_v5'].map((n) => join(ROOT, '.cache', 'corpus', `${n}.onnx`)),
];
const dir = mkdtempSync(join(tmpdir(), 'fp16-models-'));
const written: string[] = [];
after(() => rmSync(dir, { recursive: true, force: true }));

/** Bytes of float32 weight payload (initializers and Constant tensors, every graph). */
function floatWeightBytes(m: Model): number {
  let bytes = 0;
  for (const g of m.graphs()) {
    for (const t of g.initializers) if (t.dtype === 1) bytes += t.elementCount * 4;
    for (const n of g.nodes) for (const a of n.attributes) if (a.name === 'value' && a.tensor()?.dtype === 1) bytes += a.tensor()!.elementCount * 4;
  }
  return bytes;
}

/** float32 tensors left in If/Loop/Scan bodies (initializers and Constant values). */
function floatTensorsInSubgraphs(m: Model): string[] {
  const left: string[] = [];
  const inBody = (g: Graph): boolean => g !== m.graph;
  for (const g of m.graphs()) {
    if (!inBody(g)) continue;
    for (const t of g.initializers) if (t.dtype === 1) left.push(t.name);
    for (const n of g.nodes) if (n.opType === 'Constant' && n.attribute('value')?.tensor()?.dtype === 1) left.push(n.outputs[0]!);
  }
  return left;
}

for (const path of MODELS) {
  const name = basename(path, '.onnx');
  test(`${name}: float16 conversion runs in ORT with cosine >= 0.999 per output and halves the weights`, async () => {
    const m = openModel(path);
    const weights = floatWeightBytes(m);
    const hadBodies = [...m.graphs()].length > 1;
    const result = convertToFloat16(m);
    const out = join(dir, `${name}.fp16.onnx`);
    writeModel(m.proto, m.files, out, { protect: [path] });
    m.close();
    written.push(out);

    const back = openModel(out);
    try {
      assert.deepEqual(checkModel(back).filter((d) => d.severity === 'error'), [], 'our checker accepts the output');
      if (hadBodies) {
        // Weights inside If bodies are converted too; only those kept exact for range reasons stay float32.
        const keptForRange = Object.values(result.keptFloatWhy ?? {}).filter((w) => w.includes("float16's range")).length;
        assert.ok(floatTensorsInSubgraphs(back).length <= keptForRange, `float32 weights left in subgraphs: ${floatTensorsInSubgraphs(back).join(', ')}`);
      }
    } finally {
      back.close();
    }

    const before = statSync(path).size;
    const after = statSync(out).size;
    // The weight payload halves; names and node structure (the rest of the file) stay as they were.
    // 0.52x holds where weights are >= 96 % of the file (see the report for PP-OCR cls and Silero v5).
    const casts = Number(result.details.castsInserted) * 64;
    assert.ok(after <= before - weights / 2 + casts, `${after} bytes, more than the float file (${before}) less half its ${weights} weight bytes`);
    if (weights / before >= 0.96) assert.ok(after <= 0.52 * before, `size ratio ${(after / before).toFixed(3)} > 0.52`);

    const inputs = realInputs(name);
    const [a, b] = [await ort.InferenceSession.create(path), await ort.InferenceSession.create(out)];
    try {
      const [ra, rb] = [await runAll(a, inputs), await runAll(b, inputs)];
      for (const output of a.outputNames) {
        const c = cosine(ra[output]!, rb[output]!);
        assert.ok(c >= 0.999, `${output}: cosine ${c}`);
      }
      assert.deepEqual(b.inputNames, a.inputNames, 'graph inputs keep their names');
      assert.deepEqual(b.outputNames, a.outputNames, 'graph outputs keep their names');
    } finally {
      await a.release();
      await b.release();
    }
  });
}

test('python onnx.checker (full_check) accepts every converted model', () => {
  assert.equal(written.length, MODELS.length);
  const script = 'import onnx, sys\nfor p in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(p), full_check=True)\nprint("ok")';
  const r = spawnSync('/usr/bin/python3', ['-c', script, ...written], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /ok/);
});
