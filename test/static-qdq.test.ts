import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { encodeModelBytes, openModelBytes } from '../src/onnx/open';
import { quantizeStatic, valuesToCalibrate, type StaticResult } from '../src/optimize/static/static-qdq';
import { selectRanges, type Range } from '../src/optimize/static/ranges';
import { resolveSettings, type StaticOptions } from '../src/optimize/static/presets';
import { parseTrtCalibrationCache, trtCalibrationCache } from '../src/optimize/static/trt-calib-cache';
import { collectStats, cosine, npySamples, runModel } from './helpers/static-calibration';
import { assertValidModel } from './helpers/valid-model';
import { attr, graph, model, node, tensorProto, tensorType, valueInfo } from './helpers/models';

const dir = mkdtempSync(join(tmpdir(), 'static-qdq-'));

function saved(bytes: Uint8Array, name: string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}


interface QdqFacts {
  ops: Record<string, number>;
  qdq: { op: string; name: string; input: string; output: string; zeroPoint: string | null; zeroPointType: string | null; zeroPointValues: number[]; constantInputType: string | null }[];
  int32Biases: number;
  floatBiases: number;
  biasScaleGap: number;
}

function facts(path: string): QdqFacts {
  return JSON.parse(execFileSync('/usr/bin/python3', ['scripts/python/qdq_facts.py', path], { maxBuffer: 1 << 26 }).toString());
}

interface Quantized {
  float: Uint8Array;
  path: string;
  result: StaticResult;
  ranges: Map<string, Range>;
}

/** Calibrates on `calib` (onnxruntime in this process), quantizes, writes the result. */
async function quantizeWithCalibration(modelPath: string, inputName: string, calib: string, options: StaticOptions, samples = 16): Promise<Quantized> {
  const float = new Uint8Array(readFileSync(modelPath));
  const model = openModelBytes(float);
  const names = valuesToCalibrate(model, options);
  const settings = resolveSettings(options);
  const stats = await collectStats(float, names, inputName, npySamples(calib, samples).map((s) => s.tensor));
  const ranges = selectRanges(stats, { method: settings.method, symmetric: settings.symmetricActivations });
  const result = quantizeStatic(model, ranges, options);
  const path = saved(encodeModelBytes(result.model), `${modelPath.replace(/\W/g, '_')}-${options.preset}-${settings.method}.onnx`);
  return { float, path, result, ranges };
}

async function worstCosine(float: Uint8Array, quantizedPath: string, inputName: string, evalDir: string, limit = Infinity): Promise<number> {
  const samples = npySamples(evalDir, limit).map((s) => s.tensor);
  const ref = await runModel(float, inputName, samples);
  const got = await runModel(new Uint8Array(readFileSync(quantizedPath)), inputName, samples);
  let worst = 1;
  for (let i = 0; i < ref.length; i++) worst = Math.min(worst, cosine(ref[i]![0]!, got[i]![0]!));
  return worst;
}

const RESNET = '.cache/models/resnet18.onnx';
const IMAGENET = '.cache/data/imagenet224';
const memo = new Map<string, Promise<Quantized>>();
const resnet = (preset: 'cpu' | 'tensorrt'): Promise<Quantized> => {
  if (!memo.has(preset)) memo.set(preset, quantizeWithCalibration(RESNET, 'input', `${IMAGENET}/calib`, { preset }));
  return memo.get(preset)!;
};

for (const preset of ['cpu', 'tensorrt'] as const) {
  test(`ResNet-18, ${preset} preset: python onnx accepts it, ORT runs it, cosine >= 0.99 against the float model on held-out photos, file <= 0.3x`, async () => {
    const { float, path, result } = await resnet(preset);
    assertValidModel(path);
    const worst = await worstCosine(float, path, 'input', `${IMAGENET}/eval`);
    const size = readFileSync(path).length;
    console.log(`# ${preset}: worst cosine ${worst.toFixed(5)} on 12 held-out photos; ${float.length} -> ${size} bytes (${(size / float.length).toFixed(3)}x); ${JSON.stringify(result.details)}`);
    assert.ok(worst >= 0.99, `worst cosine ${worst}`);
    assert.ok(size <= 0.3 * float.length);
    // cpu: 20 Conv, 8 Add, MaxPool, GlobalAveragePool, Flatten, Gemm. tensorrt: 20 Conv, the two
    // pools, Gemm and the 9 Relu right after a Conv; the Adds (and the Relu after them) stay as
    // TensorRT fuses them.
    assert.equal(result.quantizedNodes.length, 32);
    if (preset === 'tensorrt') assert.ok(!result.quantizedNodes.some((n) => /Add/.test(n)), 'no Add quantized');
    assert.deepEqual(result.warnings, []);
  });
}

test('tensorrt preset: every Q/DQ is int8 with an int8 zero point 0 (or absent), biases stay float, Relu nodes stay', async () => {
  const { path } = await resnet('tensorrt');
  const f = facts(path);
  assert.ok(f.qdq.length > 50);
  for (const q of f.qdq) {
    if (q.constantInputType) {
      assert.equal(q.constantInputType, 'int8', `${q.name}: quantized constant`);
      // ONNX DequantizeLinear (opset 10, 13): an absent zero point is 0, the type is the input's.
      assert.equal(q.zeroPoint, null, `${q.name}: a constant's DequantizeLinear has no zero point`);
    } else {
      assert.equal(q.zeroPointType, 'int8', `${q.name}: zero point type`);
      assert.deepEqual(q.zeroPointValues, [0], `${q.name}: zero point values`);
    }
  }
  const activationZeroPoints = new Set(f.qdq.filter((q) => !q.constantInputType).map((q) => q.zeroPoint));
  assert.deepEqual([...activationZeroPoints], ['int8_zero_point'], 'one zero-point tensor, shared by every activation Q/DQ');
  for (const q of f.qdq) {
    assert.equal(q.name, q.output, 'a Q/DQ node is named as the value it writes');
    const served = q.op === 'QuantizeLinear' ? q.input : q.input.replace(/_(Q|int8)$/, '');
    assert.equal(q.output, `${served}_${q.op === 'QuantizeLinear' ? 'Q' : 'DQ'}`, 'named after the value it serves');
  }
  assert.equal(f.int32Biases, 0);
  assert.equal(f.floatBiases, 21, 'the 20 Conv and the Gemm keep float biases');
  assert.equal(f.ops.Relu, 17);
});

test('cpu preset: uint8 activations, int8 per-channel weights, int32 biases with scale = input scale x weight scale, Relu folded', async () => {
  const { path, result } = await resnet('cpu');
  const f = facts(path);
  const activationQ = f.qdq.filter((q) => q.op === 'QuantizeLinear');
  assert.ok(activationQ.every((q) => q.zeroPointType === 'uint8'));
  const weightDq = f.qdq.filter((q) => q.constantInputType === 'int8');
  assert.equal(weightDq.length, 21);
  assert.ok(weightDq.every((q) => q.zeroPointValues.length === 1 && q.zeroPointValues[0] === 0));
  assert.equal(f.int32Biases, 21);
  assert.ok(f.biasScaleGap <= 1e-7, `bias scale gap ${f.biasScaleGap}`);
  assert.equal(f.ops.Relu ?? 0, 0);
  assert.equal(result.details.foldedActivations, 17);
  // ORT's QDQ fusions take the shared zero points: every Conv and the Gemm run as integer kernels.
  const optimized = join(dir, 'resnet18-cpu-ort-optimized.onnx');
  await ort.InferenceSession.create(path, { graphOptimizationLevel: 'extended', optimizedModelFilePath: optimized });
  const ops = facts(optimized).ops;
  assert.equal(ops.QLinearConv, 20, 'the 20 Conv of ResNet-18');
  assert.equal(ops.QGemm, 1, 'its Gemm');
  assert.equal(ops.Conv ?? 0, 0);
});

test('TensorRT calibration cache: header, one line per calibrated tensor, scale = amax/127 as float32 hex (python struct as reference)', async () => {
  const { ranges } = await resnet('tensorrt');
  const text = trtCalibrationCache(ranges, { tensorrtVersion: '8.6.1' });
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[0], 'TRT-8601-EntropyCalibration2');
  assert.equal(lines.length, ranges.size + 1);
  assert.ok(trtCalibrationCache(ranges, { tensorrtVersion: '10.3.0' }).startsWith('TRT-100300-EntropyCalibration2\n'));
  const amax = [...ranges.values()].map((r) => Math.max(Math.abs(r.min), Math.abs(r.max)));
  const hex = JSON.parse(execFileSync('/usr/bin/python3', ['-c', 'import json,struct,sys; print(json.dumps([struct.pack(">f", a / 127).hex() for a in json.load(sys.stdin)]))'], { input: JSON.stringify(amax) }).toString());
  assert.deepEqual(lines.slice(1).map((l) => l.slice(l.lastIndexOf(': ') + 2)), hex);
  const back = parseTrtCalibrationCache(text);
  assert.equal(back.scales.size, ranges.size);
  for (const [name, r] of ranges) assert.equal(back.scales.get(name), Math.fround(Math.max(Math.abs(r.min), Math.abs(r.max)) / 127));
});

test('IR 3, per tensor (the opset stays 11): a weight zero point inside an If branch is a Constant node, as a body cannot list initializers as inputs; python onnx accepts it', () => {
  const weights = Float32Array.from({ length: 4 * 3 * 3 * 3 }, (_, i) => Math.sin(i * 1.3));
  const branch = (name: string) =>
    graph({
      name,
      node: [
        node('Constant', [], [`${name}_w`], [attr('value', tensorProto({ dims: [4, 3, 3, 3], data_type: 1, raw_data: new Uint8Array(weights.buffer) }))]),
        node('Conv', ['x', `${name}_w`], [`${name}_y`], [attr('pads', [1, 1, 1, 1])], `${name}_conv`),
      ],
      output: [valueInfo(`${name}_y`, tensorType(1, [1, 4, 8, 8]))],
    });
  const m = model(
    graph({
      node: [node('If', ['c'], ['y'], [attr('then_branch', branch('a')), attr('else_branch', branch('b'))], 'if')],
      input: [valueInfo('c', tensorType(9, [])), valueInfo('x', tensorType(1, [1, 3, 8, 8]))],
      output: [valueInfo('y', tensorType(1, [1, 4, 8, 8]))],
    }),
    11,
    { ir_version: 3 },
  );
  const r = quantizeStatic(openModelBytes(encodeModelBytes(m)), new Map(), { preset: 'cpu', perChannel: false });
  assert.equal(r.model.ir_version, 3);
  const body = r.model.graph!.node[0]!.attribute.find((a) => a.name === 'then_branch')!.g!;
  assert.deepEqual(body.initializer, []);
  const dq = body.node.find((n) => n.op_type === 'DequantizeLinear')!;
  const zeroPoint = body.node.find((n) => n.output[0] === dq.input[2]);
  assert.equal(zeroPoint?.op_type, 'Constant');
  const path = join(dir, 'ir3-if.onnx');
  writeFileSync(path, encodeModelBytes(r.model));
  assertValidModel(path);
});
