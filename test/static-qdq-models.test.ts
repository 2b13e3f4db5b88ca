import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { encodeModelBytes, openModelBytes } from '../src/onnx/open';
import { StaticQuantizeError, quantizeStatic, valuesToCalibrate } from '../src/optimize/static/static-qdq';
import { selectRanges } from '../src/optimize/static/ranges';
import { rangeOptionsFor, type StaticOptions } from '../src/optimize/static/presets';
import { upgradeForStatic } from '../src/optimize/static/qdq-opset';
import { decodeModelProto } from '../src/onnx/open';
import { BufferSource } from '../src/onnx/io/byte-source';
import { collectStats, cosine, npyFolderSamples, npySamples, runFeeds, runModel } from './helpers/static-calibration';
import { graph, model, node, tensorProto, tensorType, valueInfo } from './helpers/models';
import { assertValidModel } from './helpers/valid-model';

const dir = mkdtempSync(join(tmpdir(), 'static-qdq-models-'));

function checkedPath(bytes: Uint8Array, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  assertValidModel(path);
  return path;
}

/**
 * Tensors by dtype in every graph (initializers and Constant values; `mainConstants`: those of
 * main-graph Constant nodes), and the per-channel DequantizeLinear zero points (how many
 * distinct tensors, for how many distinct channel counts), read with python onnx.
 */
function tensorCounts(path: string): {
  main: Partial<Record<string, number>>;
  mainConstants: Partial<Record<string, number>>;
  subgraphs: Partial<Record<string, number>>;
  perChannelZeroPoints: number;
  channelCounts: number;
} {
  const script = `
import json, sys, onnx
from onnx import numpy_helper
m = onnx.load(sys.argv[1])
out = {"main": {}, "mainConstants": {}, "subgraphs": {}}
zero_points, channels = set(), set()
def count(where, t):
    k = str(numpy_helper.to_array(t).dtype)
    out[where][k] = out[where].get(k, 0) + 1
work = [(m.graph, "main")]
while work:
    g, where = work.pop()
    for t in g.initializer:
        count(where, t)
    for n in g.node:
        if n.op_type == "Constant":
            for a in n.attribute:
                if a.name == "value":
                    count(where, a.t)
                    if where == "main":
                        count("mainConstants", a.t)
        if n.op_type == "DequantizeLinear" and any(a.name == "axis" for a in n.attribute) and len(n.input) > 2:
            zero_points.add(n.input[2])
            scale = next((t for t in g.initializer if t.name == n.input[1]), None)
            if scale is None:
                scale = next(a.t for c in g.node if c.op_type == "Constant" and c.output[0] == n.input[1] for a in c.attribute)
            channels.add(tuple(scale.dims))
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                work.append((a.g, "subgraphs"))
out["perChannelZeroPoints"] = len(zero_points)
out["channelCounts"] = len(channels)
print(json.dumps(out))`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, path]).toString());
}

interface OcrCase {
  model: string;
  data: string;
  calibSamples: number;
  evalSamples: number;
}

/** Raises the opset as the flow does (upgradeForStatic), calibrates on real text images, quantizes, runs both models on held-out ones. */
async function ocr(c: OcrCase, options: StaticOptions) {
  const floatBytes = new Uint8Array(readFileSync(c.model));
  const { model: upgraded, upgrade } = upgradeForStatic(decodeModelProto(new BufferSource(floatBytes, c.model)), options);
  const upgradedBytes = encodeModelBytes(upgraded);
  const m = openModelBytes(upgradedBytes);
  const stats = await collectStats(upgradedBytes, valuesToCalibrate(m, options), 'x', npySamples(`${c.data}/calib`, c.calibSamples).map((s) => s.tensor));
  const result = quantizeStatic(m, selectRanges(stats, rangeOptionsFor(options)), options);
  const path = checkedPath(encodeModelBytes(result.model), `${c.model.replace(/\W/g, '_')}.onnx`);
  const evalSamples = npySamples(`${c.data}/eval`, c.evalSamples).map((s) => s.tensor);
  const ref = await runModel(floatBytes, 'x', evalSamples);
  const got = await runModel(new Uint8Array(readFileSync(path)), 'x', evalSamples);
  return { result, path, upgrade, ref: ref.map((r) => r[0]!), got: got.map((r) => r[0]!), size: [floatBytes.length, readFileSync(path).length] };
}

/** Share of rows (last axis = classes) whose arg-max agrees. */
function top1Agreement(ref: Float32Array[], got: Float32Array[], classes: number): number {
  let same = 0;
  let rows = 0;
  ref.forEach((r, s) => {
    for (let at = 0; at < r.length; at += classes, rows++) {
      let a = at;
      let b = at;
      for (let k = at; k < at + classes; k++) {
        if (r[k]! > r[a]!) a = k;
        if (got[s]![k]! > got[s]![b]!) b = k;
      }
      if (a === b) same++;
    }
  });
  return same / rows;
}

test('PP-OCRv4 detection (opset 11 raised to 13, weights in Constant nodes): per-channel int8 weights, checkers accept it, cosine >= 0.93 on held-out text images', async () => {
  // Percentile: MinMax ranges of this model are stretched by outliers (Add outputs to ±2000).
  const { result, path, upgrade, ref, got, size } = await ocr({ model: '.cache/corpus/ch_PP-OCRv4_det_infer.onnx', data: '.cache/data/ocr-det', calibSamples: 8, evalSamples: 4 }, { preset: 'cpu', method: 'percentile' });
  const worst = Math.min(...ref.map((r, i) => cosine(r, got[i]!)));
  console.log(`# PP-OCR det: opset ${upgrade?.fromOpset} -> ${upgrade?.toOpset}, worst cosine ${worst.toFixed(5)}, ${size[0]} -> ${size[1]} bytes; ${JSON.stringify(result.details)}`);
  assert.deepEqual(result.warnings, ["bias of node 'p2o.Conv.22' kept float: 1 of its values exceed int32 at scale input × weight"]);
  assert.equal(result.details.weightsQuantized, 64, 'the 62 Conv and 2 ConvTranspose weights');
  assert.equal(result.details.perChannel, true);
  const counts = tensorCounts(path);
  assert.equal(counts.mainConstants.int8 ?? 0, 0, 'the input held its weights in Constant nodes; their int8 copies are initializers');
  assert.equal(counts.perChannelZeroPoints, counts.channelCounts, 'one zero-point tensor per channel count, shared by the weights that have it');
  assert.equal(counts.main.int8, 64 + counts.channelCounts);
  // Not 0.98: BatchNormalization is not folded here (pre-processing does that); the flow's
  // accuracy-aware fallback reaches the target.
  assert.ok(worst >= 0.93, `worst cosine ${worst}`);
});

test('PP-OCR direction classifier (opset 9): quantized, not refused; top-1 agreement with FP32 >= 95 % on 60 held-out text crops', async () => {
  const { result, upgrade, ref, got, size } = await ocr({ model: '.cache/corpus/ch_ppocr_mobile_v2.0_cls_infer.onnx', data: '.cache/data/ocr-cls', calibSamples: 32, evalSamples: 60 }, { preset: 'cpu' });
  const agreement = top1Agreement(ref, got, 2);
  console.log(`# PP-OCR cls: opset ${upgrade?.fromOpset} -> ${upgrade?.toOpset}, top-1 agreement ${agreement.toFixed(3)}, ${size[0]} -> ${size[1]} bytes; ${JSON.stringify(result.details)}`);
  assert.equal(upgrade?.fromOpset, 9);
  assert.ok(agreement >= 0.95, `top-1 agreement ${agreement}`);
});

test('PP-OCRv4 recognition (opset 9, CNN + attention): quantized, not refused; runs; per-step top-1 agreement reported', async () => {
  const { result, ref, got } = await ocr({ model: '.cache/corpus/ch_PP-OCRv4_rec_infer.onnx', data: '.cache/data/ocr-rec', calibSamples: 16, evalSamples: 8 }, { preset: 'cpu' });
  const agreement = top1Agreement(ref, got, 6625);
  const worst = Math.min(...ref.map((r, i) => cosine(r, got[i]!)));
  console.log(`# PP-OCR rec: per-step top-1 agreement ${agreement.toFixed(3)}, worst cosine ${worst.toFixed(4)}; ${JSON.stringify(result.details)}`);
  assert.ok((result.details.weightsQuantized as number) > 0);
  assert.ok(agreement >= 0.8, `per-step top-1 agreement ${agreement}`);
});

test('Silero VAD v5 (every weight inside If branches): Conv weights there become int8, activations stay float, outputs match the float model', async () => {
  const floatBytes = new Uint8Array(readFileSync('.cache/corpus/silero_vad_v5.onnx'));
  const m = openModelBytes(floatBytes);
  const options = { preset: 'tensorrt' as const };
  assert.deepEqual(valuesToCalibrate(m, options), [], 'nothing in the main graph to calibrate');
  const result = quantizeStatic(m, new Map(), options);
  assert.equal(result.weightOnlyNodes.length, 16, 'the 12 Conv nodes of the two branches and their 4 LSTMs (W and R int8: weight-only/)');
  assert.ok(result.weightOnlyNodes.every((id) => id.includes('/')), 'ids name the branch they are in');
  const path = checkedPath(encodeModelBytes(result.model), 'silero-v5.onnx');
  const counts = tensorCounts(path);
  assert.equal(counts.subgraphs.int8, 16, 'int8 weights inside the branches (12 Conv, 4 LSTM); tensorrt: their DequantizeLinear has no zero point (absent = 0)');
  const samples = npyFolderSamples('.cache/data/speech/silero-v5/eval', 24);
  const ref = await runFeeds(floatBytes, samples);
  const got = await runFeeds(new Uint8Array(readFileSync(path)), samples);
  let worstState = 1;
  let maxProbabilityError = 0;
  ref.forEach((r, i) => {
    worstState = Math.min(worstState, cosine(r[1]!, got[i]![1]!));
    maxProbabilityError = Math.max(maxProbabilityError, Math.abs(r[0]![0]! - got[i]![0]![0]!));
  });
  console.log(`# Silero v5: state cosine worst ${worstState.toFixed(5)}, speech probability max error ${maxProbabilityError.toFixed(4)} over ${samples.length} chunks`);
  assert.ok(worstState >= 0.99, `state cosine ${worstState}`);
  assert.ok(maxProbabilityError <= 0.05, `probability error ${maxProbabilityError}`);
});

test('Silero VAD v4 (main-graph initializers read inside If branches): int8 copies beside them, outer-scope reads, outputs match', async () => {
  const floatBytes = new Uint8Array(readFileSync('.cache/corpus/silero_vad_legacy.onnx'));
  const result = quantizeStatic(openModelBytes(floatBytes), new Map(), { preset: 'cpu' });
  assert.equal(result.weightOnlyNodes.length, 44, 'the 36 Conv nodes of the branches and their 8 LSTMs (weight-only/)');
  const path = checkedPath(encodeModelBytes(result.model), 'silero-v4.onnx');
  assert.ok((tensorCounts(path).main.int8 ?? 0) >= 36, 'int8 weights stay initializers of the main graph');
  const samples = npyFolderSamples('.cache/data/speech/silero-legacy/eval', 24);
  const ref = await runFeeds(floatBytes, samples);
  const got = await runFeeds(new Uint8Array(readFileSync(path)), samples);
  const worst = Math.min(...ref.map((r, i) => cosine(r[1]!, got[i]![1]!)));
  const maxError = Math.max(...ref.map((r, i) => Math.abs(r[0]![0]! - got[i]![0]![0]!)));
  console.log(`# Silero v4: hidden-state cosine worst ${worst.toFixed(5)}, probability max error ${maxError.toFixed(4)}`);
  assert.ok(worst >= 0.99 && maxError <= 0.05);
});

/** x → Conv(W via Identity a) → Conv(W via Identity b) → y, the weight shared as PyTorch shares it. */
function sharedWeightModel() {
  const w = new Float32Array(4 * 4);
  for (let i = 0; i < w.length; i++) w[i] = Math.sin(i + 1) / 2;
  return model(
    graph({
      node: [
        node('Identity', ['W'], ['Wa'], [], 'id_a'),
        node('Identity', ['W'], ['Wb'], [], 'id_b'),
        node('Conv', ['x', 'Wa'], ['h'], [], 'conv_a'),
        node('Conv', ['h', 'Wb'], ['y'], [], 'conv_b'),
      ],
      input: [valueInfo('x', tensorType(1, [1, 4, 3, 3]))],
      output: [valueInfo('y', tensorType(1, [1, 4, 3, 3]))],
      initializer: [tensorProto({ name: 'W', dims: [4, 4, 1, 1], data_type: 1, raw_data: new Uint8Array(w.buffer) })],
    }),
    13,
  );
}

/** Calibrates on one input made by `value(i)`, quantizes, checks the file, runs both models. */
async function quantizeSharedWeightModel(options: StaticOptions, value: (i: number) => number) {
  const floatBytes = encodeModelBytes(sharedWeightModel());
  const m = openModelBytes(floatBytes);
  const x = new ort.Tensor('float32', Float32Array.from({ length: 36 }, (_, i) => value(i)), [1, 4, 3, 3]);
  const stats = await collectStats(floatBytes, valuesToCalibrate(m, options), 'x', [x]);
  const result = quantizeStatic(m, selectRanges(stats, rangeOptionsFor({ ...options, method: 'minmax' })), options);
  const path = checkedPath(encodeModelBytes(result.model), `shared-${options.preset}.onnx`);
  const [ref] = await runModel(floatBytes, 'x', [x]);
  const [got] = await runModel(new Uint8Array(readFileSync(path)), 'x', [x]);
  return { result, cosineToFloat: cosine(ref![0]!, got![0]!) };
}

test('a weight shared through Identity: the quantized consumer gets an int8 copy, the excluded one keeps reading the float tensor', async () => {
  const { result, cosineToFloat } = await quantizeSharedWeightModel({ preset: 'cpu', excludeNodes: ['conv_b'] }, (i) => Math.cos(i) * 0.9);
  assert.deepEqual(result.keptFloat, ['conv_b']);
  assert.deepEqual(result.keptFloatWhy, { conv_b: 'excluded by name' });
  const g = result.model.graph!;
  const convA = g.node.find((n) => n.name === 'conv_a')!;
  const convB = g.node.find((n) => n.name === 'conv_b')!;
  assert.equal(convB.input[1], 'Wb', 'conv_b still reads the float weight through its Identity');
  assert.equal(convB.input[0], 'h', 'conv_b reads its float input: no Q/DQ pair serves a node kept float');
  assert.ok(g.initializer.some((t) => t.name === 'W' && t.data_type === 1), 'the float weight stays for conv_b');
  assert.equal(convA.input[1], 'W_DQ', 'named after the weight it dequantizes');
  assert.ok(!g.node.some((n) => n.name === 'id_a'), "conv_a's Identity, read by nobody now, is gone");
  assert.ok(cosineToFloat >= 0.9995, `cosine ${cosineToFloat}`);
});

test('fallback (weightOnlyNodes): the node keeps its int8 weight and reads and writes float activations', async () => {
  const { result, cosineToFloat } = await quantizeSharedWeightModel({ preset: 'tensorrt', weightOnlyNodes: ['conv_b'] }, (i) => Math.sin(i) * 0.7);
  assert.deepEqual(result.weightOnlyNodes, ['conv_b']);
  assert.deepEqual(result.quantizedNodes, ['conv_a']);
  const g = result.model.graph!;
  const convB = g.node.find((n) => n.name === 'conv_b')!;
  assert.equal(convB.input[0], 'h');
  assert.equal(convB.input[1], 'W_DQ');
  assert.ok(!g.initializer.some((t) => t.name === 'W'), 'both readers quantize W alike: one int8 copy, the float one gone');
  assert.equal(result.details.qdqPairs, 1, 'only x is quantized: h is read by the fallback node alone');
  assert.ok(cosineToFloat >= 0.9995, `cosine ${cosineToFloat}`);
});

test('bad input: opset below 10 is refused by name of the need, a model with nothing to quantize is refused', () => {
  const old = openModelBytes(encodeModelBytes({ ...sharedWeightModel(), opset_import: [{ domain: '', version: 9 }] }));
  assert.throws(() => quantizeStatic(old, new Map(), { preset: 'cpu' }), (e: unknown) => e instanceof StaticQuantizeError && /opset 9.*opset 10/.test(e.message));
  const noWeights = openModelBytes(encodeModelBytes(model(graph({
    node: [node('Sin', ['x'], ['y'], [], 'sin')],
    input: [valueInfo('x', tensorType(1, [2]))],
    output: [valueInfo('y', tensorType(1, [2]))],
  }), 13)));
  assert.throws(() => quantizeStatic(noWeights, new Map(), { preset: 'tensorrt' }), (e: unknown) => e instanceof StaticQuantizeError && /no node/.test(e.message));
  assert.throws(() => quantizeStatic(noWeights, new Map(), { preset: 'gpu' as 'cpu' }), /unknown preset 'gpu'/);
});
