import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkTensorRT } from '../src/analysis/tensorrt/compat';
import type { TensorRTVersion } from '../src/analysis/tensorrt/versions';
import { constantTensor } from '../src/onnx/edit/computed-tensor';
import { openModelBytes } from '../src/onnx/open';
import type { ModelProto } from '../src/onnx/proto/types';
import { CLI } from './helpers/corpus';
import { bytesOf, graph, model, node, tensorType, valueInfo } from './helpers/models';

const FLOAT = 1;
const INT32 = 6;
const INT64 = 7;
const dir = mkdtempSync(join(tmpdir(), 'trt-preflight-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const check = (m: ModelProto, version: TensorRTVersion) => checkTensorRT(openModelBytes(bytesOf(m)), { version });

/** x[1,4] + w → y, with `w` given. */
function addModel(w: ReturnType<typeof constantTensor>, t = FLOAT): ModelProto {
  return model(graph({ node: [node('Add', ['x', 'w'], ['y'], [], 'add')], input: [valueInfo('x', tensorType(t, [4]))], output: [valueInfo('y')], initializer: [w] }));
}

test('FP16 range: a float32 weight beyond ±65504 is a warning at its reader, which becomes conditional; inside the range nothing', () => {
  const big = check(addModel(constantTensor('w', FLOAT, [4], Float32Array.from([1, -70000, 65504, 1e9]))), '11.1');
  const finding = big.summary.preflight.find((f) => f.code === 'fp16-out-of-range');
  assert.ok(finding);
  assert.deepEqual(finding.nodeIds, ['add']);
  assert.match(finding.message, /2 value\(s\) beyond ±65504/);
  assert.equal(big.nodes[0]!.status, 'conditional');
  const small = check(addModel(constantTensor('w', FLOAT, [4], Float32Array.from([1, -65504, 65504, 3]))), '11.1');
  assert.deepEqual(small.summary.preflight, []);
  assert.equal(small.nodes[0]!.status, 'supported');
});

test('INT64 weights: TensorRT 8.6 casts them to INT32 (warning when values do not fit); 10.1 and 11.1 take INT64', () => {
  const m = addModel(constantTensor('w', INT64, [4], BigInt64Array.from([1n, 2n, 2n ** 40n, -(2n ** 35n)])), INT64);
  const v86 = check(m, '8.6').summary.preflight.find((f) => f.code === 'int64-weight');
  assert.ok(v86);
  assert.equal(v86.severity, 'warning');
  assert.match(v86.message, /2 value\(s\) beyond ±INT32_MAX are clamped/);
  for (const v of ['10.1', '11.1'] as const) assert.deepEqual(check(m, v).summary.preflight, [], v);
  const fits = addModel(constantTensor('w', INT64, [4], BigInt64Array.from([1n, 2n, 3n, 4n])), INT64);
  assert.equal(check(fits, '8.6').summary.preflight[0]!.severity, 'info');
});

test('an int32 DequantizeLinear (quantized bias) is a Q/DQ finding with the keep-bias-float advice', () => {
  const m = model(graph({
    node: [node('DequantizeLinear', ['b', 's'], ['y'], [], 'bias_dq')],
    output: [valueInfo('y')],
    initializer: [constantTensor('b', INT32, [4], Int32Array.from([1, 2, 3, 4])), constantTensor('s', FLOAT, [], Float32Array.from([0.5]))],
  }), 13);
  const r = check(m, '11.1');
  assert.deepEqual(r.summary.preflight.map((f) => [f.code, f.category, f.nodeIds]), [['int32-dequantize', 'qdq', ['bias_dq']]]);
  assert.equal(r.nodes[0]!.status, 'unsupported');
});

test('text mode: the summary, then each node that is not supported with its reasons; exit 1', () => {
  const path = join(dir, 'nbits.onnx');
  writeFileSync(path, bytesOf(model(graph({
    node: [node('Relu', ['x'], ['r'], [], 'relu'), node('QLinearMatMul', ['r'], ['y'], [], 'qmm')],
    input: [valueInfo('x', tensorType(FLOAT, [2, 2]))],
    output: [valueInfo('y')],
  }), 13)));
  const r = spawnSync(process.execPath, [CLI, 'trt-check', path, '--trt', '10'], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /TensorRT 10\.1 \(opset 9–20; the model's is 13\)/);
  assert.match(r.stdout, /nodes: 2: 1 supported, 0 conditional, 1 unsupported/);
  assert.match(r.stdout, /^unsupported qmm \(QLinearMatMul\)\n {4}TensorRT 10\.1 marks QLinearMatMul as not supported/m);
  assert.match(r.stdout, /preflight error qoperator-op: .*\n {4}→ re-quantize the float model as Q\/DQ with the TensorRT preset: onnx-studio quantize MODEL --mode static --preset tensorrt/);
  assert.doesNotMatch(r.stdout, /^supported relu/m);
});

test('an info finding (INT64 weight that fits INT32 on 8.6) is a note: in the node reasons and in text mode, the status unchanged', () => {
  const fits = addModel(constantTensor('w', INT64, [4], BigInt64Array.from([1n, 2n, 3n, 4n])), INT64);
  const r = check(fits, '8.6');
  assert.equal(r.nodes[0]!.status, 'supported');
  assert.equal(r.summary.supported, 1);
  assert.equal(r.nodes[0]!.reasons.length, 1);
  assert.match(r.nodes[0]!.reasons[0]!, /^note: INT64 weight 'w' is cast down to INT32 by TensorRT 8\.6/);
  const path = join(dir, 'int64.onnx');
  writeFileSync(path, bytesOf(fits));
  const t = spawnSync(process.execPath, [CLI, 'trt-check', path, '--trt', '8.6'], { encoding: 'utf8' });
  assert.equal(t.status, 0, t.stderr);
  assert.match(t.stdout, /^preflight note int64-weight: INT64 weight 'w' is cast down to INT32 by TensorRT 8\.6\n {4}→ store it as INT32/m);
});

test('FP16 advice says what onnx-studio fp16 does by default (README: the reader stays float32, its weight exact), not that it clamps', () => {
  const big = check(addModel(constantTensor('w', FLOAT, [2], Float32Array.from([1, -70000]))), '11.1');
  const advice = big.summary.preflight.find((f) => f.code === 'fp16-out-of-range')!.advice;
  assert.match(advice, /onnx-studio fp16, which keeps a node reading such a weight in float32 \(its weight exact\)/);
  assert.doesNotMatch(advice, /clamp/);
});
