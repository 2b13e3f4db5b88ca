import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { checkModel } from '../src/onnx/check/checker';
import { inferModel } from '../src/onnx/infer/infer';
import { CONTRIB_OPS } from '../src/onnx/infer/ops/contrib';
import { openModelBytes } from '../src/onnx/open';
import type { ModelProto, NodeProto, TensorProto } from '../src/onnx/proto/types';
import { corpusModels } from './helpers/corpus';
import { feedShapes, feeds } from './helpers/corpus-feeds';
import { attr, bytesOf, decodeBytes, graph, model, node, tensorProto, tensorType, valueInfo } from './helpers/models';
import { ortVerdict } from './helpers/ort-probe';

/**
 * ONNX Runtime's own operators as quantizers and optimizers write them, run in
 * onnxruntime-node: our checker must accept each model ORT runs, and our inferred output
 * types and shapes must equal what ORT computes. Seeded defects must be refused by both.
 */

const FLOAT = 1;
const UINT8 = 2;
const INT8 = 3;
const INT16 = 5;
const INT32 = 6;
const INT64 = 7;
const ORT_TYPES: Record<number, ort.Tensor.Type> = { [FLOAT]: 'float32', [UINT8]: 'uint8', [INT8]: 'int8', [INT16]: 'int16', [INT32]: 'int32', [INT64]: 'int64' };

const count = (dims: number[]): number => dims.reduce((a, b) => a * b, 1);
/** A deterministic initializer; integers stay in the range of every 8-bit type. */
function init(name: string, dataType: number, dims: number[], values?: number[]): TensorProto {
  const n = count(dims);
  if (dataType === FLOAT) return tensorProto({ name, dims, data_type: dataType, float_data: values ?? Array.from({ length: n }, (_, i) => Math.sin(i + 1) * 0.5) });
  const ints = values ?? Array.from({ length: n }, (_, i) => (i * 7) % 50);
  return tensorProto(dataType === INT64 ? { name, dims, data_type: dataType, int64_data: ints } : { name, dims, data_type: dataType, int32_data: ints });
}
const scalar = (name: string, dataType: number, value: number): TensorProto => init(name, dataType, [], [value]);
/** Scale and zero point initializers `${p}_scale`, `${p}_zp`. */
const quant = (p: string, zpType: number, scale = 0.05, zp = 3): TensorProto[] => [scalar(`${p}_scale`, FLOAT, scale), scalar(`${p}_zp`, zpType, zp)];

function feed(dataType: number, dims: number[]): ort.Tensor {
  const n = count(dims);
  const type = ORT_TYPES[dataType]!;
  if (type === 'float32') return new ort.Tensor(type, Float32Array.from({ length: n }, (_, i) => Math.cos(i * 0.37)), dims);
  const values = Array.from({ length: n }, (_, i) => (i * 13) % 60);
  const data = type === 'uint8' ? Uint8Array.from(values) : type === 'int8' ? Int8Array.from(values) : type === 'int16' ? Int16Array.from(values) : Int32Array.from(values);
  return new ort.Tensor(type, data, dims);
}

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
      const t = inference.inferredType(v);
      const ours = t && t.kind === 'tensor' ? `${ORT_TYPES[t.elemType] ?? t.elemType} [${t.shape?.join(',') ?? '?'}]` : 'unknown';
      const theirs = `${actual.type} [${actual.dims.join(',')}]`;
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

/**
 * ONNX Runtime registers its own LayerNormalization-1 in the ONNX domain (not in
 * ContribOperators.md, which lists com.microsoft only) and its optimizer writes it into
 * models of any opset; the registry knows only ONNX's LayerNormalization-17.
 */
const ORT_ONLY_ONNX_OPS = /^E101 LayerNormalization '[^']*': not in opset 9 of 'ai.onnx'/;

test('models ONNX Runtime optimized (FusedConv, QuickGelu, FusedMatMul): every com.microsoft output inferred as ORT computes it', { timeout: 600_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ort-optimized-'));
  const ops = new Map<string, number>();
  let compared = 0;
  try {
    for (const path of corpusModels()) {
      const optimized = join(dir, basename(path));
      await (await ort.InferenceSession.create(readFileSync(path), { graphOptimizationLevel: 'extended', optimizedModelFilePath: optimized })).release();
      const proto = decodeBytes(readFileSync(optimized));
      const contrib = proto.graph!.node.filter((n) => n.domain === 'com.microsoft');
      for (const n of contrib) ops.set(n.op_type!, (ops.get(n.op_type!) ?? 0) + 1);
      // Every com.microsoft output becomes a graph output, so that ORT reports it.
      proto.graph!.output.push(...contrib.flatMap((n) => n.output.filter(Boolean)).map((o) => valueInfo(o)));
      const bytes = bytesOf(proto);
      const session = await ort.InferenceSession.create(bytes);
      const outputs = await session.run(feeds(path));
      await session.release();
      const m = openModelBytes(bytes);
      const inference = inferModel(m, { inputShapes: feedShapes(path) });
      const errors = checkModel(m, inference).filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);
      assert.deepEqual(errors.filter((e) => !ORT_ONLY_ONNX_OPS.test(e)), [], path);
      for (const n of m.graph.nodes.filter((x) => x.domain === 'com.microsoft')) {
        n.outputs.forEach((name, i) => {
          const t = inference.inferredType(n.outputValue(i)!);
          const actual = outputs[name] as ort.Tensor;
          const ours = t && t.kind === 'tensor' ? `${ORT_TYPES[t.elemType] ?? t.elemType} [${t.shape?.join(',') ?? '?'}]` : 'unknown';
          assert.equal(ours, `${actual.type} [${actual.dims.join(',')}]`, `${basename(path)}: ${n.opType} '${n.name}' output '${name}'`);
          compared++;
        });
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`# ${compared} outputs of ORT-optimized com.microsoft nodes equal onnxruntime's: ${JSON.stringify(Object.fromEntries(ops))}`);
  assert.deepEqual(Object.fromEntries(ops), { FusedConv: 49, QuickGelu: 7, FusedMatMul: 1 });
  assert.equal(compared, 57);
});
