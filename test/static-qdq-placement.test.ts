import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { encodeModelBytes, openModelBytes } from '../src/onnx/open';
import type { ModelProto, NodeProto } from '../src/onnx/proto/types';
import { toNumber } from '../src/onnx/proto/byte-range';
import { quantizeStatic, valuesToCalibrate } from '../src/optimize/static/static-qdq';
import { QUANTIZABLE_OPS } from '../src/optimize/static/qdq-placement';
import { selectRanges } from '../src/optimize/static/ranges';
import { rangeOptionsFor, type StaticOptions } from '../src/optimize/static/presets';
import { collectStats, cosine, runModel } from './helpers/static-calibration';
import { attr, graph, model, node, tensorProto, tensorType, valueInfo } from './helpers/models';

const dir = mkdtempSync(join(tmpdir(), 'static-placement-'));

function floats(n: number, seed: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7.3 + i * 1.7) * 0.5);
}

function init(name: string, dims: number[], seed: number) {
  const v = floats(dims.reduce((a, b) => a * b, 1), seed);
  return tensorProto({ name, dims, data_type: 1, raw_data: new Uint8Array(v.buffer) });
}

/**
 * x[2,8] → MatMul(W[8,6]) → Add(bias) → Reshape[2,2,3] → Softmax → Transpose → y, and
 * x → Gemm(B[6,8], transB=1) → Relu → Flatten → z: the op families of the placement.
 */
function familiesModel(): ModelProto {
  const shape = tensorProto({ name: 'shape', dims: [3], data_type: 7, int64_data: [2, 2, 3] });
  return model(graph({
    node: [
      node('MatMul', ['x', 'W'], ['mm'], [], 'matmul'),
      node('Add', ['mm', 'bias'], ['a'], [], 'add'),
      node('Reshape', ['a', 'shape'], ['r'], [], 'reshape'),
      node('Softmax', ['r'], ['s'], [attr('axis', -1)], 'softmax'),
      node('Transpose', ['s'], ['y'], [attr('perm', [0, 2, 1])], 'transpose'),
      node('Gemm', ['x', 'B', 'C'], ['g'], [attr('transB', 1)], 'gemm'),
      node('Relu', ['g'], ['gr'], [], 'relu'),
      node('Flatten', ['gr'], ['z'], [], 'flatten'),
    ],
    input: [valueInfo('x', tensorType(1, [2, 8]))],
    output: [valueInfo('y', tensorType(1, [2, 3, 2])), valueInfo('z', tensorType(1, [2, 6]))],
    initializer: [init('W', [8, 6], 1), init('bias', [6], 2), shape, init('B', [6, 8], 3), init('C', [6], 4)],
  }), 13);
}

async function quantized(options: StaticOptions) {
  const floatBytes = encodeModelBytes(familiesModel());
  const m = openModelBytes(floatBytes);
  const samples = [0, 1, 2].map((k) => new ort.Tensor('float32', floats(16, 10 + k).map((v) => v * 4), [2, 8]));
  const stats = await collectStats(floatBytes, valuesToCalibrate(m, options), 'x', samples);
  const result = quantizeStatic(m, selectRanges(stats, rangeOptionsFor(options)), options);
  const out = encodeModelBytes(result.model);
  const path = join(dir, `${options.preset}.onnx`);
  writeFileSync(path, out);
  execFileSync('/usr/bin/python3', ['-c', 'import onnx,sys; onnx.checker.check_model(sys.argv[1])', path], { stdio: 'pipe' });
  const ref = await runModel(floatBytes, 'x', samples);
  const got = await runModel(out, 'x', samples);
  return { result, ref, got, nodes: result.model.graph!.node, inits: result.model.graph!.initializer };
}

const byName = (nodes: NodeProto[], name: string): NodeProto => nodes.find((n) => n.name === name)!;
const producer = (nodes: NodeProto[], output: string): NodeProto | undefined => nodes.find((n) => n.output.includes(output));
const axisOf = (n: NodeProto | undefined): number | undefined => {
  const a = n?.attribute.find((x) => x.name === 'axis');
  return a?.i === undefined ? undefined : toNumber(a.i);
};

test('tensorrt preset by default: Q/DQ on the inputs and outputs of MatMul and Gemm (after its Relu) only; Add, Reshape, Softmax and Transpose get none', async () => {
  const { result, ref, got, nodes } = await quantized({ preset: 'tensorrt' });
  assert.deepEqual([...result.quantizedNodes].sort(), ['gemm', 'matmul', 'relu']);
  const quantizedValues = nodes.filter((n) => n.op_type === 'QuantizeLinear').map((n) => n.input[0]).sort();
  assert.deepEqual(quantizedValues, ['gr', 'mm', 'x']);
  assert.deepEqual(result.keptFloat, [], 'ops outside the preset are not candidates, so not "kept float"');
  for (let i = 0; i < ref.length; i++) for (let o = 0; o < 2; o++) assert.ok(cosine(ref[i]![o]!, got[i]![o]!) >= 0.995, `sample ${i} output ${o}`);
});

test('placement (tensorrt, every op type included as ORT places them): MatMul weight per channel on axis 1, Gemm transB on axis 0, Reshape shares its input scale, Softmax output fixed to [0, 1], Relu kept with the Q/DQ after it', async () => {
  const { result, ref, got, nodes, inits } = await quantized({ preset: 'tensorrt', includeOps: [...QUANTIZABLE_OPS] });
  assert.deepEqual([...result.quantizedNodes].sort(), ['add', 'flatten', 'gemm', 'matmul', 'relu', 'reshape', 'softmax', 'transpose']);
  const wDq = producer(nodes, byName(nodes, 'matmul').input[1]!)!;
  assert.equal(wDq.op_type, 'DequantizeLinear');
  assert.equal(axisOf(wDq), 1);
  const bDq = producer(nodes, byName(nodes, 'gemm').input[1]!)!;
  assert.equal(axisOf(bDq), 0);
  assert.equal(byName(nodes, 'gemm').input[2], 'C', 'tensorrt keeps biases float');
  // Reshape output's Q uses the very scale and zero point of its input's Q.
  const qOf = (t: string) => nodes.find((n) => n.op_type === 'QuantizeLinear' && n.input[0] === t)!;
  assert.deepEqual(qOf('r').input.slice(1), qOf('a').input.slice(1));
  // Softmax output: [0, 1] symmetric int8 → scale 1/127 (float32).
  const yScale = inits.find((t) => t.name === qOf('s').input[1])!;
  assert.equal(new Float32Array((yScale.raw_data as Uint8Array).slice().buffer)[0], Math.fround(1 / 127));
  assert.equal(byName(nodes, 'relu').op_type, 'Relu');
  assert.ok(!nodes.some((n) => n.op_type === 'QuantizeLinear' && n.input[0] === 'g'), 'no pair between Gemm and its Relu');
  assert.ok(qOf('gr'), 'the pair after the Relu');
  for (let i = 0; i < ref.length; i++) for (let o = 0; o < 2; o++) assert.ok(cosine(ref[i]![o]!, got[i]![o]!) >= 0.995, `sample ${i} output ${o}`);
});

test('placement (cpu): Relu folded into the Gemm output, int32 Gemm bias, the Add bias quantized as a uint8 constant', async () => {
  const { result, ref, got, nodes, inits } = await quantized({ preset: 'cpu' });
  assert.ok(!nodes.some((n) => n.op_type === 'Relu'));
  assert.deepEqual(byName(nodes, 'gemm').output, ['gr'], 'the Gemm writes the Relu output name');
  const cDq = producer(nodes, byName(nodes, 'gemm').input[2]!)!;
  assert.equal(inits.find((t) => t.name === cDq.input[0])!.data_type, 6, 'int32 bias');
  const biasDq = producer(nodes, byName(nodes, 'add').input[1]!)!;
  assert.equal(inits.find((t) => t.name === biasDq.input[0])!.data_type, 2, 'uint8 constant operand');
  assert.equal(result.details.foldedActivations, 1);
  for (let i = 0; i < ref.length; i++) for (let o = 0; o < 2; o++) assert.ok(cosine(ref[i]![o]!, got[i]![o]!) >= 0.995, `sample ${i} output ${o}`);
});

test('op type lists: includeOps and excludeOps decide, and say why in keptFloat', async () => {
  const m = openModelBytes(encodeModelBytes(familiesModel()));
  const names = valuesToCalibrate(m, { preset: 'cpu', includeOps: ['MatMul'] });
  assert.deepEqual(names, ['x', 'mm']);
  const r = quantizeStatic(m, new Map([['x', { min: -2, max: 2 }], ['mm', { min: -3, max: 3 }]]), { preset: 'cpu', includeOps: ['MatMul'], excludeOps: ['Add'] });
  assert.deepEqual(r.quantizedNodes, ['matmul']);
  assert.equal(r.keptFloatWhy.add, 'op type Add excluded');
  assert.equal(r.keptFloatWhy.gemm, 'op type Gemm not in the included op types');
});
