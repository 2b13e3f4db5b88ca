import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { checkModel } from '../src/onnx/check/checker';
import { inferModel } from '../src/onnx/infer/infer';
import { CONTRIB_OPS } from '../src/onnx/infer/ops/contrib';
import { openModelBytes } from '../src/onnx/open';
import type { ModelProto, NodeProto, TensorProto } from '../src/onnx/proto/types';
import { attr, bytesOf, graph, model, node, tensorProto, tensorType, valueInfo } from './helpers/models';
import { ortVerdict } from './helpers/ort-probe';
import { FLOAT, feed, inferredText, init, INT16, INT32, INT64, INT8, ortText, quant, scalar, UINT8 } from './helpers/ort-tensors';

/**
 * ONNX Runtime's own operators as quantizers and optimizers write them, run in
 * onnxruntime-node: our checker must accept each model ORT accepts, and our inferred output
 * types and shapes must equal what ORT computes. Seeded defects must be refused by both.
 */

interface Case {
  name: string;
  node: NodeProto;
  /** Graph inputs fed at run time: name, element type, dims. */
  inputs: [string, number, number[]][];
  inits: TensorProto[];
}

/**
 * onnxruntime-node has no CPU kernel for these (CUDA only): it accepts their nodes and then
 * finds no implementation, so their output shapes follow the documentation alone.
 */
const NO_CPU_KERNEL = new Set(['NhwcConv', 'NhwcFusedConv', 'GroupNorm', 'SkipGroupNorm', 'BiasAdd', 'BiasSoftmax', 'GemmFastGelu']);

function caseModel(c: Case): ModelProto {
  return model(
    graph({
      node: [c.node],
      input: c.inputs.map(([name, t, dims]) => valueInfo(name, tensorType(t, dims))),
      initializer: c.inits,
      output: c.node.output.filter(Boolean).map((o) => valueInfo(o)),
    }),
    17,
    { opset_import: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }] },
  );
}

const ms = (op: string, inputs: string[], outputs: string[], attributes: ReturnType<typeof attr>[] = []): NodeProto => node(op, inputs, outputs, attributes, op.toLowerCase(), 'com.microsoft');
const qconvInputs = ['x', 'x_scale', 'x_zp', 'w', 'w_scale', 'w_zp', 'y_scale', 'y_zp', 'b'];
const qconvInits = (w: number[]): TensorProto[] => [...quant('x', UINT8, 0.1, 128), init('w', UINT8, w), ...quant('w', UINT8, 0.02, 0), ...quant('y', UINT8, 0.2, 100), init('b', INT32, [w[0]!])];
const qbinary = (op: string, a: number[], b: number[], t: number): Case => ({
  name: `${op} ${JSON.stringify(a)} ⊕ ${JSON.stringify(b)}`,
  node: ms(op, ['a', 'a_scale', 'a_zp', 'b', 'b_scale', 'b_zp', 'c_scale', 'c_zp'], ['c']),
  inputs: [['a', t, a], ['b', t, b]],
  inits: [...quant('a', t), ...quant('b', t), ...quant('c', t, 0.1, 5)],
});
const qunary = (op: string, attributes: ReturnType<typeof attr>[] = []): Case => ({
  name: op,
  node: ms(op, ['x', 'x_scale', 'x_zp', 'y_scale', 'y_zp'], ['y'], attributes),
  inputs: [['x', UINT8, [2, 3, 4]]],
  inits: [...quant('x', UINT8), ...quant('y', UINT8, 0.01, 0)],
});

const CASES: Case[] = [
  { name: 'QLinearConv NCHW, strided and padded', node: ms('QLinearConv', qconvInputs, ['y'], [attr('pads', [1, 1, 1, 1]), attr('strides', [2, 2])]), inputs: [['x', UINT8, [1, 2, 5, 5]]], inits: qconvInits([3, 2, 3, 3]) },
  { name: 'QLinearConv channels_last', node: ms('QLinearConv', qconvInputs, ['y'], [attr('channels_last', 1)]), inputs: [['x', UINT8, [1, 6, 5, 2]]], inits: qconvInits([4, 2, 3, 3]) },
  {
    name: 'QGemm, float output',
    node: ms('QGemm', ['a', 'a_scale', 'a_zp', 'b', 'b_scale', 'b_zp', 'c'], ['y'], [attr('transB', 1), attr('alpha', 1, 'float')]),
    inputs: [['a', UINT8, [2, 4]]],
    inits: [...quant('a', UINT8), init('b', INT8, [3, 4]), ...quant('b', INT8, 0.03, 0), init('c', INT32, [3])],
  },
  {
    name: 'QGemm, quantized output',
    node: ms('QGemm', ['a', 'a_scale', 'a_zp', 'b', 'b_scale', 'b_zp', '', 'y_scale', 'y_zp'], ['y']),
    inputs: [['a', UINT8, [5, 4]]],
    inits: [...quant('a', UINT8), init('b', UINT8, [4, 3]), ...quant('b', UINT8), ...quant('y', UINT8, 0.5, 10)],
  },
  {
    name: 'QGemm with y_scale but no y_zero_point',
    node: ms('QGemm', ['a', 'a_scale', 'a_zp', 'b', 'b_scale', 'b_zp', '', 'y_scale'], ['y']),
    inputs: [['a', UINT8, [2, 4]]],
    inits: [...quant('a', UINT8), init('b', UINT8, [4, 3]), ...quant('b', UINT8), scalar('y_scale', FLOAT, 0.5)],
  },
  {
    name: 'DynamicQuantizeMatMul, batched',
    node: ms('DynamicQuantizeMatMul', ['a', 'b', 'b_scale', 'b_zp'], ['y']),
    inputs: [['a', FLOAT, [2, 3, 4]]],
    inits: [init('b', INT8, [4, 5]), ...quant('b', INT8, 0.02, 0)],
  },
  {
    name: 'MatMulIntegerToFloat, per-column scale',
    node: ms('MatMulIntegerToFloat', ['a', 'b', 'a_scale', 'b_scale', 'a_zp', 'b_zp'], ['y']),
    inputs: [['a', UINT8, [2, 3, 4]]],
    inits: [init('b', INT8, [4, 3]), scalar('a_scale', FLOAT, 0.1), init('b_scale', FLOAT, [3], [0.01, 0.02, 0.03]), scalar('a_zp', UINT8, 7), scalar('b_zp', INT8, 0)],
  },
  qbinary('QLinearAdd', [2, 3, 4], [4], UINT8),
  qbinary('QLinearMul', [3, 1], [1, 4], INT8),
  {
    name: 'FusedConv with Relu',
    node: ms('FusedConv', ['x', 'w', 'b'], ['y'], [attr('activation', 'Relu'), attr('pads', [0, 1, 0, 1])]),
    inputs: [['x', FLOAT, [1, 2, 6, 6]]],
    inits: [init('w', FLOAT, [4, 2, 3, 3]), init('b', FLOAT, [4])],
  },
  {
    name: 'MatMulNBits, 4 bits, block 16',
    node: ms('MatMulNBits', ['a', 'b', 'scales'], ['y'], [attr('K', 32), attr('N', 8), attr('bits', 4), attr('block_size', 16)]),
    inputs: [['a', FLOAT, [2, 3, 32]]],
    inits: [init('b', UINT8, [8, 2, 8]), init('scales', FLOAT, [16])],
  },
  qunary('QLinearSigmoid'),
  qunary('QLinearLeakyRelu', [attr('alpha', 0.1, 'float')]),
  qunary('QLinearSoftmax', [attr('axis', -1), attr('opset', 13)]),
  {
    name: 'QLinearGlobalAveragePool',
    node: ms('QLinearGlobalAveragePool', ['x', 'x_scale', 'x_zp', 'y_scale', 'y_zp'], ['y'], [attr('channels_last', 0)]),
    inputs: [['x', UINT8, [1, 3, 4, 4]]],
    inits: [...quant('x', UINT8), ...quant('y', UINT8)],
  },
  {
    name: 'QLinearGlobalAveragePool channels_last',
    node: ms('QLinearGlobalAveragePool', ['x', 'x_scale', 'x_zp', 'y_scale', 'y_zp'], ['y'], [attr('channels_last', 1)]),
    inputs: [['x', UINT8, [1, 4, 4, 3]]],
    inits: [...quant('x', UINT8), ...quant('y', UINT8)],
  },
  {
    name: 'QLinearConcat of two tensors',
    node: ms('QLinearConcat', ['y_scale', 'y_zp', 'a', 'a_scale', 'a_zp', 'b', 'b_scale', 'b_zp'], ['y'], [attr('axis', 1)]),
    inputs: [['a', UINT8, [2, 2]], ['b', UINT8, [2, 3]]],
    inits: [...quant('y', UINT8), ...quant('a', UINT8), ...quant('b', UINT8)],
  },
  { name: 'QuantizeLinear (com.microsoft)', node: ms('QuantizeLinear', ['x', 'y_scale', 'y_zp'], ['y']), inputs: [['x', FLOAT, [2, 3]]], inits: quant('y', INT8) },
  { name: 'QuantizeLinear without a zero point', node: ms('QuantizeLinear', ['x', 'y_scale'], ['y']), inputs: [['x', FLOAT, [2, 3]]], inits: [scalar('y_scale', FLOAT, 0.1)] },
  { name: 'DequantizeLinear (com.microsoft)', node: ms('DequantizeLinear', ['x', 'x_scale', 'x_zp'], ['y']), inputs: [['x', UINT8, [2, 3]]], inits: quant('x', UINT8) },
  { name: 'FusedMatMul transB', node: ms('FusedMatMul', ['a', 'b'], ['y'], [attr('transB', 1), attr('alpha', 0.5, 'float')]), inputs: [['a', FLOAT, [2, 3, 4]], ['b', FLOAT, [2, 5, 4]]], inits: [] },
  { name: 'FusedGemm with Relu', node: ms('FusedGemm', ['a', 'b', 'c'], ['y'], [attr('activation', 'Relu')]), inputs: [['a', FLOAT, [2, 4]]], inits: [init('b', FLOAT, [4, 3]), init('c', FLOAT, [3])] },
  { name: 'Gelu', node: ms('Gelu', ['x'], ['y']), inputs: [['x', FLOAT, [2, 4]]], inits: [] },
  { name: 'FastGelu with bias', node: ms('FastGelu', ['x', 'bias'], ['y']), inputs: [['x', FLOAT, [2, 3, 4]]], inits: [init('bias', FLOAT, [4])] },
  { name: 'BiasGelu', node: ms('BiasGelu', ['x', 'bias'], ['y']), inputs: [['x', FLOAT, [2, 3, 4]]], inits: [init('bias', FLOAT, [4])] },
  {
    name: 'SkipLayerNormalization',
    node: ms('SkipLayerNormalization', ['x', 'skip', 'gamma', 'beta'], ['y', '', '', 'sum']),
    inputs: [['x', FLOAT, [2, 3, 4]], ['skip', FLOAT, [2, 3, 4]]],
    inits: [init('gamma', FLOAT, [4]), init('beta', FLOAT, [4])],
  },
  {
    name: 'EmbedLayerNormalization',
    node: ms('EmbedLayerNormalization', ['ids', 'segments', 'word', 'position', 'segment', 'gamma', 'beta'], ['y', 'mask_index']),
    inputs: [['ids', INT32, [2, 3]], ['segments', INT32, [2, 3]]],
    inits: [init('word', FLOAT, [60, 4]), init('position', FLOAT, [8, 4]), init('segment', FLOAT, [60, 4]), init('gamma', FLOAT, [4]), init('beta', FLOAT, [4])],
  },
  {
    name: 'QLinearWhere',
    node: ms('QLinearWhere', ['cond', 'x', 'x_scale', 'x_zp', 'y', 'y_scale', 'y_zp', 'z_scale', 'z_zp'], ['z']),
    inputs: [['x', UINT8, [2, 1, 4]], ['y', UINT8, [3, 1]]],
    inits: [tensorProto({ name: 'cond', dims: [4], data_type: 9, int32_data: [1, 0, 1, 0] }), ...quant('x', UINT8), ...quant('y', UINT8), ...quant('z', UINT8)],
  },
  { name: 'MatMulInteger16', node: ms('MatMulInteger16', ['a', 'b'], ['y']), inputs: [['a', INT16, [2, 3, 4]]], inits: [init('b', INT16, [4, 5])] },
  { name: 'NhwcConv', node: ms('NhwcConv', ['x', 'w'], ['y'], [attr('strides', [2, 2])]), inputs: [['x', FLOAT, [1, 7, 7, 2]]], inits: [init('w', FLOAT, [3, 2, 3, 3])] },
  { name: 'NhwcFusedConv', node: ms('NhwcFusedConv', ['x', 'w'], ['y'], [attr('activation', 'Relu')]), inputs: [['x', FLOAT, [1, 7, 7, 2]]], inits: [init('w', FLOAT, [3, 2, 3, 3])] },
  { name: 'GroupNorm', node: ms('GroupNorm', ['x', 'gamma', 'beta'], ['y'], [attr('activation', 0), attr('epsilon', 1e-5, 'float'), attr('groups', 2)]), inputs: [['x', FLOAT, [1, 4, 4, 4]]], inits: [init('gamma', FLOAT, [4]), init('beta', FLOAT, [4])] },
  { name: 'BiasAdd', node: ms('BiasAdd', ['x', 'bias', 'skip'], ['y']), inputs: [['x', FLOAT, [1, 4, 4]], ['skip', FLOAT, [1, 4, 4]]], inits: [init('bias', FLOAT, [4])] },
  { name: 'BiasSoftmax', node: ms('BiasSoftmax', ['x', 'bias'], ['y'], [attr('axis', -1), attr('is_inner_broadcast', 0)]), inputs: [['x', FLOAT, [2, 3, 4]]], inits: [init('bias', FLOAT, [2, 3, 4])] },
  { name: 'Inverse', node: ms('Inverse', ['x'], ['y']), inputs: [['x', FLOAT, [2, 3, 3]]], inits: [] },
  { name: 'Trilu', node: ms('Trilu', ['x'], ['y'], [attr('upper', 1)]), inputs: [['x', FLOAT, [3, 4]]], inits: [] },
  { name: 'QuickGelu', node: ms('QuickGelu', ['x'], ['y'], [attr('alpha', 1.702, 'float')]), inputs: [['x', FLOAT, [2, 4]]], inits: [] },
  {
    name: 'SkipSimplifiedLayerNormalization',
    node: ms('SkipSimplifiedLayerNormalization', ['x', 'skip', 'gamma'], ['y', '', '', 'sum']),
    inputs: [['x', FLOAT, [2, 3, 4]], ['skip', FLOAT, [2, 3, 4]]],
    inits: [init('gamma', FLOAT, [4])],
  },
  { name: 'GemmFastGelu', node: ms('GemmFastGelu', ['a', 'b'], ['y']), inputs: [['a', FLOAT, [2, 3, 4]]], inits: [init('b', FLOAT, [4, 5])] },
  { name: 'TransposeMatMul transA', node: ms('TransposeMatMul', ['a', 'b'], ['y'], [attr('transA', 1)]), inputs: [['a', FLOAT, [4, 3]], ['b', FLOAT, [4, 5]]], inits: [] },
  {
    name: 'RotaryEmbedding',
    node: ms('RotaryEmbedding', ['x', 'pos', 'cos', 'sin'], ['y']),
    inputs: [['x', FLOAT, [1, 3, 8]]],
    inits: [init('pos', INT64, [1, 3], [0, 1, 2]), init('cos', FLOAT, [4, 4]), init('sin', FLOAT, [4, 4])],
  },
  {
    name: 'MatMulBnb4',
    node: ms('MatMulBnb4', ['a', 'b', 'absmax'], ['y'], [attr('K', 16), attr('N', 4), attr('block_size', 16), attr('quant_type', 1)]),
    inputs: [['a', FLOAT, [2, 16]]],
    inits: [init('b', UINT8, [32]), init('absmax', FLOAT, [4])],
  },
  {
    name: 'SkipGroupNorm',
    node: ms('SkipGroupNorm', ['x', 'gamma', 'beta', 'skip'], ['y', 's'], [attr('activation', 0), attr('epsilon', 1e-5, 'float'), attr('groups', 2)]),
    inputs: [['x', FLOAT, [1, 4, 4, 4]], ['skip', FLOAT, [1, 4, 4, 4]]],
    inits: [init('gamma', FLOAT, [4]), init('beta', FLOAT, [4])],
  },
  {
    name: 'MultiHeadAttention, separate Q, K, V',
    node: ms('MultiHeadAttention', ['q', 'k', 'v'], ['y'], [attr('num_heads', 2)]),
    inputs: [['q', FLOAT, [2, 3, 8]], ['k', FLOAT, [2, 5, 8]], ['v', FLOAT, [2, 5, 6]]],
    inits: [],
  },
  {
    name: 'GroupQueryAttention, packed QKV',
    node: ms('GroupQueryAttention', ['qkv', '', '', '', '', 'seqlens_k', 'total_len'], ['y'], [attr('num_heads', 2), attr('kv_num_heads', 1)]),
    inputs: [['qkv', FLOAT, [1, 3, 32]]],
    inits: [init('seqlens_k', INT32, [1], [2]), scalar('total_len', INT32, 3)],
  },
  {
    name: 'GroupQueryAttention, separate Q, K, V',
    node: ms('GroupQueryAttention', ['q', 'k', 'v', '', '', 'seqlens_k', 'total_len'], ['y'], [attr('num_heads', 4), attr('kv_num_heads', 2)]),
    inputs: [['q', FLOAT, [1, 3, 32]], ['k', FLOAT, [1, 3, 16]], ['v', FLOAT, [1, 3, 16]]],
    inits: [init('seqlens_k', INT32, [1], [2]), scalar('total_len', INT32, 3)],
  },
  { name: 'Attention', node: ms('Attention', ['x', 'w', 'bias'], ['y'], [attr('num_heads', 2)]), inputs: [['x', FLOAT, [2, 3, 4]]], inits: [init('w', FLOAT, [4, 12]), init('bias', FLOAT, [12])] },
];

test('com.microsoft models that onnxruntime accepts: no checker errors; where it runs them, inferred outputs equal its outputs', async () => {
  const problems: string[] = [];
  let ran = 0;
  for (const c of CASES) {
    const proto = caseModel(c);
    const m = openModelBytes(bytesOf(proto));
    const inference = inferModel(m);
    const findings = checkModel(m, inference).filter((d) => d.severity !== 'warning');
    if (findings.length) problems.push(`${c.name}: checker says ${findings.map((d) => `${d.code} ${d.message}`).join('; ')}`);
    const feeds = Object.fromEntries(c.inputs.map(([name, t, dims]) => [name, feed(t, dims)]));
    let outputs: ort.InferenceSession.OnnxValueMapType;
    try {
      const session = await ort.InferenceSession.create(bytesOf(proto));
      outputs = await session.run(feeds);
      await session.release();
    } catch (e) {
      const message = (e as Error).message.split('\n')[0]!;
      const noKernel = message.startsWith(`Could not find an implementation for ${c.node.op_type}(1)`);
      if (!(noKernel && NO_CPU_KERNEL.has(c.node.op_type!))) problems.push(`${c.name}: onnxruntime refused it: ${message}`);
      continue;
    }
    if (NO_CPU_KERNEL.has(c.node.op_type!)) problems.push(`${c.name}: onnxruntime runs it now: compare its shapes`);
    ran++;
    for (const v of m.graph.outputs) {
      const actual = outputs[v.name] as ort.Tensor;
      const ours = inferredText(inference.inferredType(v));
      const theirs = ortText(actual);
      if (ours !== theirs) problems.push(`${c.name}: '${v.name}' inferred ${ours}, onnxruntime gives ${theirs}`);
    }
  }
  console.log(`# ${ran} of ${CASES.length} com.microsoft models ran in onnxruntime-node and matched; ${CASES.length - ran} have no CPU kernel there`);
  assert.deepEqual(problems, []);
  assert.equal(ran, CASES.length - NO_CPU_KERNEL.size);
});

test('every com.microsoft shape function has a model above', () => {
  assert.deepEqual(Object.keys(CONTRIB_OPS).sort(), [...new Set(CASES.map((c) => c.node.op_type!))].sort());
});

/** Each defect is seeded into a model ORT runs; the checker's code must name it and ORT must refuse the model. */
const DEFECTS: { name: string; code: string; mutate: (c: Case) => Case; from: string }[] = [
  { name: 'MatMulNBits without its required attribute N', code: 'E105', from: 'MatMulNBits, 4 bits, block 16', mutate: (c) => ({ ...c, node: { ...c.node, attribute: c.node.attribute.filter((a) => a.name !== 'N') } }) },
  { name: 'QLinearAdd with 6 inputs (7 to 8 expected)', code: 'E103', from: 'QLinearAdd [2,3,4] ⊕ [4]', mutate: (c) => ({ ...c, node: { ...c.node, input: c.node.input.slice(0, 6) } }) },
  { name: 'QGemm with a second output', code: 'E104', from: 'QGemm, float output', mutate: (c) => ({ ...c, node: { ...c.node, output: ['y', 'extra'] } }) },
  { name: 'DynamicQuantizeMatMul fed int8 activations', code: 'E301', from: 'DynamicQuantizeMatMul, batched', mutate: (c) => ({ ...c, inputs: [['a', INT8, [2, 3, 4]]] }) },
  { name: 'FusedConv with an attribute it does not have', code: 'E107', from: 'FusedConv with Relu', mutate: (c) => ({ ...c, node: { ...c.node, attribute: [...c.node.attribute, attr('axis', 1)] } }) },
  { name: 'QLinearConv with a string group', code: 'E106', from: 'QLinearConv NCHW, strided and padded', mutate: (c) => ({ ...c, node: { ...c.node, attribute: [...c.node.attribute, attr('group', 'one')] } }) },
  { name: 'an operator com.microsoft does not have', code: 'E101', from: 'Gelu', mutate: (c) => ({ ...c, node: { ...c.node, op_type: 'Gelu2' } }) },
];

test('seeded defects in com.microsoft nodes: flagged by our checker, refused by onnxruntime', async () => {
  for (const d of DEFECTS) {
    const base = CASES.find((c) => c.name === d.from);
    assert.ok(base, d.from);
    const proto = caseModel(d.mutate(base));
    const verdict = await ortVerdict(proto);
    assert.notEqual(verdict, 'ok', `${d.name}: onnxruntime accepted it`);
    const m = openModelBytes(bytesOf(proto));
    const codes = checkModel(m).map((x) => x.code);
    assert.ok(codes.includes(d.code), `${d.name}: expected ${d.code}, checker gave [${codes.join(', ')}]; onnxruntime said: ${verdict.split('\n')[0]}`);
  }
});
