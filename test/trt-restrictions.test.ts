import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkTensorRT, type TrtNodeResult } from '../src/analysis/tensorrt/compat';
import type { TensorRTVersion } from '../src/analysis/tensorrt/versions';
import { constantTensor } from '../src/onnx/edit/computed-tensor';
import { openModelBytes } from '../src/onnx/open';
import type { ModelProto, NodeProto, TensorProto } from '../src/onnx/proto/types';
import { attr, bytesOf, graph, model, node, tensorType, valueInfo } from './helpers/models';

// Small models, one restriction phrase each; the expected status is what the matrix row says.
const FLOAT = 1;
const UINT8 = 2;
const INT8 = 3;
const INT64 = 7;

function oneNode(n: NodeProto, inputs: [string, number, (number | string)[]][], opts: { init?: TensorProto[]; extra?: NodeProto[]; opset?: number; outputs?: string[] } = {}): ModelProto {
  return model(
    graph({
      node: [...(opts.extra ?? []), n],
      input: inputs.map(([name, t, dims]) => valueInfo(name, tensorType(t, dims))),
      output: (opts.outputs ?? [n.output[0]!]).map((o) => valueInfo(o)),
      initializer: opts.init ?? [],
    }),
    opts.opset ?? 17,
  );
}

function nodeResult(m: ModelProto, name: string, version: TensorRTVersion = '11.1'): TrtNodeResult {
  const r = checkTensorRT(openModelBytes(bytesOf(m)), { version });
  const found = r.nodes.find((n) => n.name === name);
  assert.ok(found, `no node ${name}`);
  return found;
}

const i64 = (name: string, values: number[]): TensorProto => constantTensor(name, INT64, [values.length], BigInt64Array.from(values.map(BigInt)));
const constantNode = (out: string, t: TensorProto): NodeProto => node('Constant', [], [out], [attr('value', t)], `${out}_const`);

test('axes "must be an initializer": an initializer, a Constant node and a folded value pass; a graph input does not', () => {
  const reduce = node('ReduceSum', ['x', 'axes'], ['y'], [], 'reduce');
  const x: [string, number, (number | string)[]] = ['x', FLOAT, [2, 3]];
  assert.equal(nodeResult(oneNode(reduce, [x], { init: [i64('axes', [1])] }), 'reduce').status, 'supported');
  assert.equal(nodeResult(oneNode(reduce, [x], { extra: [constantNode('axes', i64('c', [1]))] }), 'reduce').status, 'supported');
  // Folded: axes = Shape(x)[1:] - 2 → [1]
  const folded = [node('Shape', ['x'], ['s'], [], 'shape'), node('Sub', ['s', 'two'], ['d'], [], 'sub'), node('Slice', ['d', 'one', 'two'], ['axes'], [], 'slice')];
  const r = nodeResult(oneNode(reduce, [x], { extra: folded, init: [i64('two', [2]), i64('one', [1])] }), 'reduce');
  assert.equal(r.status, 'supported', r.reasons.join('; '));
  const fromInput = nodeResult(oneNode(reduce, [x, ['axes', INT64, [1]]]), 'reduce');
  assert.equal(fromInput.status, 'unsupported');
  assert.match(fromInput.reasons[0]!, /`axes` must be an initializer: `axes` is the graph input 'axes'/);
});

test('Q/DQ zero points: an int8 0 passes; a non-zero int8 or a uint8 zero point is unsupported with the asymmetric finding', () => {
  const scale = constantTensor('s', FLOAT, [], Float32Array.from([0.1]));
  const q = (zp: TensorProto) => oneNode(node('QuantizeLinear', ['x', 's', 'zp'], ['y'], [], 'q'), [['x', FLOAT, [4]]], { init: [scale, zp] });
  assert.equal(nodeResult(q(constantTensor('zp', INT8, [], Int8Array.from([0]))), 'q').status, 'supported');
  const nonZero = nodeResult(q(constantTensor('zp', INT8, [], Int8Array.from([3]))), 'q');
  assert.equal(nonZero.status, 'unsupported');
  assert.ok(nonZero.reasons.some((r) => r.startsWith('`y_zero_point` must be 0')));
  assert.ok(nonZero.reasons.some((r) => r.includes('re-quantize the float model as Q/DQ with the TensorRT preset')));
  const unsigned = nodeResult(q(constantTensor('zp', UINT8, [], Uint8Array.from([128]))), 'q');
  assert.equal(unsigned.status, 'unsupported');
  assert.ok(unsigned.reasons.some((r) => /quantizes to uint8/.test(r)));
});

test('pooling: 1D is unsupported, 2D supported; dilations are a restriction from 10.1 on, not in 8.6', () => {
  const pool1d = oneNode(node('MaxPool', ['x'], ['y'], [attr('kernel_shape', [2])], 'pool'), [['x', FLOAT, [1, 1, 8]]]);
  assert.equal(nodeResult(pool1d, 'pool').status, 'unsupported');
  const dilated = oneNode(node('MaxPool', ['x'], ['y'], [attr('kernel_shape', [2, 2]), attr('dilations', [2, 2])], 'pool'), [['x', FLOAT, [1, 1, 8, 8]]]);
  assert.equal(nodeResult(dilated, 'pool', '11.1').status, 'unsupported');
  assert.equal(nodeResult(dilated, 'pool', '10.1').status, 'unsupported');
  assert.equal(nodeResult(dilated, 'pool', '8.6').status, 'supported');
  const indices = oneNode(node('MaxPool', ['x'], ['y', 'i'], [attr('kernel_shape', [2, 2])], 'pool'), [['x', FLOAT, [1, 1, 8, 8]]], { outputs: ['y', 'i'] });
  assert.equal(nodeResult(indices, 'pool').status, 'unsupported');
});

test('Resize modes: cubic and antialias are unsupported, linear with half_pixel supported', () => {
  const scales = constantTensor('scales', FLOAT, [4], Float32Array.from([1, 1, 2, 2]));
  const resize = (attrs: ReturnType<typeof attr>[]) => oneNode(node('Resize', ['x', '', 'scales'], ['y'], attrs, 'resize'), [['x', FLOAT, [1, 1, 4, 4]]], { init: [scales], opset: 19 });
  assert.equal(nodeResult(resize([attr('mode', 'linear')]), 'resize').status, 'supported');
  assert.equal(nodeResult(resize([attr('mode', 'cubic')]), 'resize').status, 'unsupported');
  assert.equal(nodeResult(resize([attr('mode', 'linear'), attr('antialias', 1)]), 'resize').status, 'unsupported');
  assert.equal(nodeResult(resize([attr('coordinate_transformation_mode', 'tf_crop_and_resize')]), 'resize').status, 'unsupported');
});

test('static shapes: EyeLike on a dynamic input is unsupported, on a static one supported; an unknown shape is a condition', () => {
  const eye = (dims: (number | string)[]) => oneNode(node('EyeLike', ['x'], ['y'], [], 'eye'), [['x', FLOAT, dims]]);
  assert.equal(nodeResult(eye([3, 3]), 'eye').status, 'supported');
  assert.equal(nodeResult(eye(['n', 3]), 'eye').status, 'unsupported');
});

test('TopK: K ≥ 3840 is unsupported, a computed K is a condition; sorted=0 is unsupported', () => {
  const topk = (k: number, attrs: ReturnType<typeof attr>[] = []) => oneNode(node('TopK', ['x', 'k'], ['v', 'i'], attrs, 'topk'), [['x', FLOAT, [1, 5000]]], { init: [i64('k', [k])], outputs: ['v', 'i'] });
  assert.equal(nodeResult(topk(10), 'topk').status, 'supported');
  assert.equal(nodeResult(topk(4000), 'topk').status, 'unsupported');
  assert.equal(nodeResult(topk(10, [attr('sorted', 0)]), 'topk').status, 'unsupported');
  const computed = oneNode(node('TopK', ['x', 'k'], ['v', 'i'], [], 'topk'), [['x', FLOAT, [1, 'n']]], {
    extra: [node('Shape', ['x'], ['s'], [], 'shape'), node('Slice', ['s', 'one', 'two'], ['k'], [], 'slice')],
    init: [i64('one', [1]), i64('two', [2])],
    outputs: ['v', 'i'],
  });
  const r = nodeResult(computed, 'topk');
  assert.equal(r.status, 'conditional', r.reasons.join('; '));
});

test('types: a uint8 Add is unsupported (the row lists FP32, FP16, BF16, INT32, INT64); a double input is a condition (cast down)', () => {
  const add = (t: number) => oneNode(node('Add', ['a', 'b'], ['y'], [], 'add'), [['a', t, [2]], ['b', t, [2]]]);
  assert.equal(nodeResult(add(FLOAT), 'add').status, 'supported');
  assert.equal(nodeResult(add(UINT8), 'add').status, 'unsupported');
  assert.equal(nodeResult(add(11), 'add').status, 'conditional');
});

test('opset range: an op version newer than the version range is unsupported (Attention-25 on 11.1, whose range ends at 24)', () => {
  const attention = (opset: number) => oneNode(node('Attention', ['q', 'k', 'v'], ['y'], [], 'attn'), [['q', FLOAT, [1, 2, 4, 8]], ['k', FLOAT, [1, 2, 4, 8]], ['v', FLOAT, [1, 2, 4, 8]]], { opset });
  assert.equal(nodeResult(attention(23), 'attn', '11.1').status, 'supported');
  const tooNew = nodeResult(attention(25), 'attn', '11.1');
  assert.equal(tooNew.status, 'unsupported');
  assert.match(tooNew.reasons.join(' '), /Attention-25 .* newer than TensorRT 11\.1's opset range \(up to 24\)/);
  const r10 = nodeResult(attention(23), 'attn', '10.1');
  assert.equal(r10.status, 'unsupported');
  assert.match(r10.reasons[0]!, /not in TensorRT 10\.1's operator matrix; TensorRT 11\.1 supports it/);
});

test('Loop carried shapes are a condition (not decidable from the graph)', () => {
  const body = graph({
    name: 'body',
    input: [valueInfo('i', tensorType(INT64, [])), valueInfo('c', tensorType(9, [])), valueInfo('acc', tensorType(FLOAT, [2]))],
    output: [valueInfo('c_out', tensorType(9, [])), valueInfo('acc_out', tensorType(FLOAT, [2]))],
    node: [node('Identity', ['c'], ['c_out'], [], 'id'), node('Relu', ['acc'], ['acc_out'], [], 'relu')],
  });
  const loop = oneNode(node('Loop', ['m', '', 'a'], ['out'], [attr('body', body)], 'loop'), [['a', FLOAT, [2]]], { init: [i64('m', [3])] });
  const r = nodeResult(loop, 'loop');
  assert.equal(r.status, 'conditional');
  assert.deepEqual(r.reasons, ['condition: The shape of Loop carried dependencies must be the same across all loop iterations']);
  assert.equal(nodeResult(loop, 'relu').status, 'supported');
});

test('a Constant int8 zero point read by a QuantizeLinear is taken (the Constant row lists no INT8, but the parser reads it as weights)', () => {
  const m = oneNode(node('QuantizeLinear', ['x', 's', 'zp'], ['y'], [], 'q'), [['x', FLOAT, [4]]], {
    extra: [constantNode('s', constantTensor('s', FLOAT, [], Float32Array.from([0.1]))), constantNode('zp', constantTensor('zp', INT8, [], Int8Array.from([0])))],
  });
  const r = checkTensorRT(openModelBytes(bytesOf(m)), { version: '11.1' });
  assert.deepEqual(r.nodes.map((n) => [n.name, n.status]), [['s_const', 'supported'], ['zp_const', 'supported'], ['q', 'supported']]);
  // An int8 Constant read by an Add is not a quantization parameter: the row's types apply.
  const add = oneNode(node('Add', ['c', 'c'], ['y'], [], 'add'), [], { extra: [constantNode('c', constantTensor('c', INT8, [1], Int8Array.from([1])))] });
  assert.equal(nodeResult(add, 'c_const').status, 'unsupported');
});

test('model-local functions: a body of matrix ops is conditional (inlined, restrictions unchecked); a body with Unique, even one call deep, is unsupported', () => {
  const fn = (name: string, body: NodeProto[]) => ({ name, domain: 'local', input: ['a'], output: ['b'], attribute: [], node: body, opset_import: [{ domain: '', version: 17 }, { domain: 'local', version: 1 }], attribute_proto: [], value_info: [], metadata_props: [] });
  const functions = [
    fn('Gelu2', [node('Mul', ['a', 'a'], ['t']), node('Erf', ['t'], ['b'])]),
    fn('Uniq', [node('Unique', ['a'], ['b'])]),
    fn('Outer', [node('Uniq', ['a'], ['b'], [], '', 'local')]),
  ];
  const call = (op: string) =>
    model(graph({ node: [node(op, ['x'], ['y'], [], 'call', 'local')], input: [valueInfo('x', tensorType(FLOAT, [4]))], output: [valueInfo('y')] }), 17, {
      opset_import: [{ domain: '', version: 17 }, { domain: 'local', version: 1 }],
      functions,
    });
  assert.equal(nodeResult(call('Gelu2'), 'call').status, 'conditional');
  for (const op of ['Uniq', 'Outer']) {
    const r = nodeResult(call(op), 'call');
    assert.equal(r.status, 'unsupported', op);
    assert.match(r.reasons[0]!, /uses ops TensorRT 11\.1 does not support: Unique/);
  }
});
