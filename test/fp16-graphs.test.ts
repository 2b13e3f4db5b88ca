import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { checkModel } from '../src/onnx/check/checker';
import { ModelEdit } from '../src/onnx/edit/model-edit';
import { float16ToNumber } from '../src/onnx/float-formats';
import { inferModel } from '../src/onnx/infer/infer';
import { MemoryModelFiles } from '../src/onnx/io/model-files';
import { buildModel } from '../src/onnx/model/build';
import type { Model } from '../src/onnx/model/graph';
import { encodeModelBytes } from '../src/onnx/open';
import type { ModelProto, TensorProto } from '../src/onnx/proto/types';
import { Tensor } from '../src/onnx/tensor';
import { convertToFloat16 } from '../src/optimize/fp16/convert';
import { NothingToConvertError } from '../src/optimize/fp16/errors';
import { attr, decodeBytes, graph, model, node, tensorProto, tensorType, valueInfo } from './helpers/models';

// Generated models, each aimed at one rule; outputs are read back (types from our inference on
// the written bytes), run in onnxruntime-node against the float model, and checked by python onnx.

const FLOAT = 1;
const FLOAT16 = 10;
const BOOL = 9;
const INT64 = 7;
const dir = mkdtempSync(join(tmpdir(), 'fp16-graphs-'));
const written: string[] = [];
after(() => rmSync(dir, { recursive: true, force: true }));

const floats = (name: string, dims: number[], values: number[]): TensorProto => tensorProto({ name, dims, data_type: FLOAT, float_data: values });
const f32 = (dims: number[], at: (i: number) => number): ort.Tensor => new ort.Tensor('float32', Float32Array.from({ length: dims.reduce((a, b) => a * b, 1) }, (_, i) => at(i)), dims);

/** Converts a copy of `m`, keeps the written bytes for python's checker, and reads them back. */
function convert(m: ModelProto, options: Parameters<typeof convertToFloat16>[1] = {}) {
  const original = encodeModelBytes(m);
  const proto = decodeBytes(original);
  const result = convertToFloat16(proto, options);
  const bytes = encodeModelBytes(proto);
  const path = join(dir, `m${written.length}.onnx`);
  writeFileSync(path, bytes);
  written.push(path);
  const back = buildModel(decodeBytes(bytes), new MemoryModelFiles(bytes));
  assert.deepEqual(checkModel(back).filter((d) => d.severity === 'error'), [], 'our checker accepts the output');
  return { result, original, bytes, back };
}

/** Element type of every value of every graph of a model, by name (inference on the written model). */
function elemTypes(m: Model): Map<string, number> {
  const inf = inferModel(m);
  const types = new Map<string, number>();
  for (const g of m.graphs()) for (const v of g.values.values()) {
    const t = inf.typeOf(g.definitionOf(v) ?? v);
    if (t?.kind === 'tensor' && !types.has(v.name)) types.set(v.name, t.elemType);
  }
  return types;
}

async function run(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const s = await ort.InferenceSession.create(bytes);
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

function assertClose(a: ort.Tensor, b: ort.Tensor, tolerance: number): void {
  const x = a.data as Float32Array;
  const y = b.data as Float32Array;
  assert.equal(x.length, y.length);
  for (let i = 0; i < x.length; i++) assert.ok(Math.abs(x[i]! - y[i]!) <= tolerance * Math.max(1, Math.abs(x[i]!)), `[${i}] ${x[i]} vs ${y[i]}`);
}

/** x[1,4] → Mul(w) → Relu 'relu1' → Add(b) → Sigmoid → y */
function chain(w = [0.5, -1.5, 2, 3]): ModelProto {
  return model(
    graph({
      node: [node('Mul', ['x', 'w'], ['m'], [], 'mul'), node('Relu', ['m'], ['r'], [], 'relu1'), node('Add', ['r', 'b'], ['a'], [], 'add'), node('Sigmoid', ['a'], ['y'], [], 'sig')],
      input: [valueInfo('x', tensorType(FLOAT, [1, 4]))],
      output: [valueInfo('y', tensorType(FLOAT, [1, 4]))],
      initializer: [floats('w', [4], w), floats('b', [4], [0.1, 0.2, 0.3, 0.4])],
    }),
  );
}

test('keep-io-types (default): float32 graph IO with Casts at the boundary, float16 inside', async () => {
  const { result, original, bytes, back } = convert(chain());
  const t = elemTypes(back);
  assert.equal(t.get('x'), FLOAT);
  assert.equal(t.get('y'), FLOAT);
  for (const v of ['w', 'b', 'm', 'r', 'a']) assert.equal(t.get(v), FLOAT16, v);
  assert.equal(result.details.castsInserted, 2);
  assert.equal(result.details.initializersConverted, 2);
  const feeds = { x: f32([1, 4], (i) => i - 1.3) };
  assertClose((await run(original, feeds)).y!, (await run(bytes, feeds)).y!, 2e-3);
});

test('given a ModelEdit, its indexes follow the conversion (producers, consumers, initializers)', () => {
  const edit = new ModelEdit(decodeBytes(encodeModelBytes(chain())));
  convertToFloat16(edit);
  const g = edit.main;
  assert.equal(g.producer('x__fp16')?.op_type, 'Cast');
  assert.deepEqual(g.consumersOf('x__fp16').map((n) => n.name), ['mul']);
  assert.deepEqual(g.consumersOf('x').map((n) => n.name), ['x__fp16']);
  assert.equal(g.producer('y')?.op_type, 'Cast');
  assert.equal(g.producer('y__fp16')?.name, 'sig');
  assert.equal(g.initializer('w')?.data_type, FLOAT16);
});

test('keepIoTypes false: graph inputs and outputs become float16, no Casts', async () => {
  const { result, bytes, back } = convert(chain(), { keepIoTypes: false });
  assert.equal(back.graph.inputs[0]!.type?.kind === 'tensor' && back.graph.inputs[0]!.type.elemType, FLOAT16);
  assert.equal(back.graph.outputs[0]!.type?.kind === 'tensor' && back.graph.outputs[0]!.type.elemType, FLOAT16);
  assert.equal(result.details.castsInserted, 0);
  const x = new ort.Tensor('float16', Uint16Array.from([0x3c00, 0x4000, 0xbc00, 0]), [1, 4]);
  const y = (await run(bytes, { x })).y!;
  assert.equal(y.type, 'float16');
});

test('op and node block lists: the blocked node stays float32 between Casts, its neighbours convert', async () => {
  for (const options of [{ blockOps: ['Relu'] }, { blockNodes: ['relu1'] }]) {
    const { result, original, bytes, back } = convert(chain(), options);
    const t = elemTypes(back);
    const relu = back.graph.nodes.find((n) => n.name === 'relu1')!;
    assert.equal(t.get(relu.inputs[0]!), FLOAT, 'Relu reads float32');
    assert.equal(t.get(relu.outputs[0]!), FLOAT, 'Relu writes float32');
    assert.equal(t.get('m'), FLOAT16);
    assert.equal(t.get('a'), FLOAT16);
    assert.deepEqual(result.keptFloat, ['relu1']);
    assert.match(result.keptFloatWhy!.relu1!, options.blockOps ? /op block list/ : /node block list/);
    const feeds = { x: f32([1, 4], (i) => i - 1.3) };
    assertClose((await run(original, feeds)).y!, (await run(bytes, feeds)).y!, 2e-3);
  }
});

test('a weight read by a blocked node and a converted one is copied: float32 for one, float16 for the other', async () => {
  const m = chain();
  m.graph!.node.push(node('Relu', ['w'], ['wr'], [], 'relu_w'));
  m.graph!.output.push(valueInfo('wr', tensorType(FLOAT, [4])));
  const { result, original, bytes, back } = convert(m, { blockNodes: ['relu_w'] });
  assert.equal(result.details.constantsCopied, 1);
  const t = elemTypes(back);
  assert.equal(t.get('w'), FLOAT);
  assert.equal(t.get(back.graph.nodes.find((n) => n.name === 'mul')!.inputs[1]!), FLOAT16);
  const feeds = { x: f32([1, 4], (i) => i) };
  assertClose((await run(original, feeds)).wr!, (await run(bytes, feeds)).wr!, 0);
});

test('values beyond ±65504: the reading node stays float32 (default) or the weight is clamped and counted', async () => {
  const big = [1e5, -7e4, 65504, 3];
  const { result, original, bytes, back } = convert(chain(big));
  assert.equal(result.details.clampedValues, 0);
  assert.deepEqual(result.keptFloat, ['mul']);
  assert.equal(back.graph.values.get('w')!.initializer!.dtype, FLOAT, 'w stays exact');
  assert.equal(back.graph.values.get('b')!.initializer!.dtype, FLOAT16);
  const feeds = { x: f32([1, 4], (i) => 1e-4 * (i + 1)) };
  assertClose((await run(original, feeds)).y!, (await run(bytes, feeds)).y!, 2e-3);

  const clamped = convert(chain(big), { outOfRange: 'clamp' });
  assert.equal(clamped.result.details.clampedValues, 2);
  assert.ok(clamped.result.warnings.some((w) => w.includes('2 value(s) beyond ±65504')));
  const w = clamped.back.graph.values.get('w')!.initializer!;
  assert.equal(w.dtype, FLOAT16);
  assert.deepEqual(Array.from(w.read(4).values as Float32Array), [65504, -65504, 65504, 3]);
});

test('Resize: scales and the float arithmetic making it stay float32 (type constraints), X converts; ConstantOfShape and Cast follow', async () => {
  const m = model(
    graph({
      node: [
        node('Mul', ['x', 'w'], ['m'], [], 'mul'),
        node('Mul', ['half_scales', 'two'], ['scales'], [], 'scale_mul'),
        node('Resize', ['m', '', 'scales'], ['r'], [attr('mode', 'nearest')], 'resize'),
        node('Shape', ['r'], ['s'], [], 'shape'),
        node('ConstantOfShape', ['s'], ['c'], [attr('value', floats('', [1], [0.25]))], 'fill'),
        node('Cast', ['s'], ['sf'], [attr('to', FLOAT)], 'cast_shape'),
        node('ReduceSum', ['sf'], ['n'], [attr('keepdims', 0)], 'count'),
        node('Add', ['r', 'c'], ['rc'], [], 'add'),
        node('Mul', ['rc', 'n'], ['y'], [], 'scale'),
      ],
      input: [valueInfo('x', tensorType(FLOAT, [1, 1, 2, 2]))],
      output: [valueInfo('y', tensorType(FLOAT, [1, 1, 4, 4]))],
      initializer: [floats('w', [1], [1.5]), floats('half_scales', [4], [0.5, 0.5, 1, 1]), floats('two', [], [2])],
    }),
  );
  const { result, original, bytes, back } = convert(m, { blockOps: [] });
  const t = elemTypes(back);
  assert.equal(t.get('scales'), FLOAT, 'scales (tensor(float) in the schema) stays float32');
  assert.match(result.keptFloatWhy!.scale_mul!, /shape arithmetic/);
  for (const w of ['half_scales', 'two']) assert.equal(back.graph.values.get(w)!.initializer!.dtype, FLOAT, `${w} stays exact`);
  assert.equal(t.get('r'), FLOAT16, 'Resize runs in float16');
  const fill = back.graph.nodes.find((n) => n.name === 'fill')!;
  assert.equal(fill.attribute('value')!.tensor()!.dtype, FLOAT16);
  assert.equal(back.graph.nodes.find((n) => n.name === 'cast_shape')!.attribute('to')!.int(), FLOAT16);
  const feeds = { x: f32([1, 1, 2, 2], (i) => i + 1) };
  assertClose((await run(original, feeds)).y!, (await run(bytes, feeds)).y!, 2e-3);
});

test('If: Constants inside both branches and the outer value they read convert together', async () => {
  const thenG = graph({
    name: 'then',
    node: [node('Constant', [], ['k'], [attr('value', floats('', [2], [2, -3]))], 'k'), node('Mul', ['h', 'k'], ['t'], [], 'then_mul')],
    output: [valueInfo('t', tensorType(FLOAT, [2]))],
  });
  const elseG = graph({
    name: 'else',
    node: [
      node('Constant', [], ['e'], [{ ...attr('value_float', 0.75, 'float') }], 'e'),
      node('Add', ['h', 'e'], ['u'], [], 'else_add'),
    ],
    output: [valueInfo('u', tensorType(FLOAT, [2]))],
  });
  const m = model(
    graph({
      node: [node('Mul', ['x', 'w'], ['h'], [], 'mul'), node('If', ['c'], ['y'], [attr('then_branch', thenG), attr('else_branch', elseG)], 'if')],
      input: [valueInfo('x', tensorType(FLOAT, [2])), valueInfo('c', tensorType(BOOL, []))],
      output: [valueInfo('y', tensorType(FLOAT, [2]))],
      initializer: [floats('w', [2], [0.5, 4])],
    }),
  );
  const { result, original, bytes, back } = convert(m);
  assert.equal(result.details.subgraphsConverted, 2);
  assert.equal(result.details.constantsConverted, 2);
  const t = elemTypes(back);
  for (const v of ['h', 'k', 't', 'e', 'u']) assert.equal(t.get(v), FLOAT16, v);
  for (const c of [true, false]) {
    const feeds = { x: f32([2], (i) => i + 0.25), c: new ort.Tensor('bool', [c], []) };
    assertClose((await run(original, feeds)).y!, (await run(bytes, feeds)).y!, 2e-3);
  }

  // A blocked If keeps its branches float32: the outer value they read comes in through a Cast.
  const blocked = convert(m, { blockOps: ['If'] });
  assert.equal(blocked.result.details.subgraphsConverted, 0);
  const bt = elemTypes(blocked.back);
  assert.equal(bt.get('h'), FLOAT16);
  for (const v of ['k', 't', 'u']) assert.equal(bt.get(v), FLOAT, v);
  const thenMul = [...blocked.back.graphs()].flatMap((g) => g.nodes).find((n) => n.name === 'then_mul')!;
  assert.equal(bt.get(thenMul.inputs[0]!), FLOAT, 'the branch reads a float32 version of h');
  for (const c of [true, false]) {
    const feeds = { x: f32([2], (i) => i + 0.25), c: new ort.Tensor('bool', [c], []) };
    assertClose((await run(original, feeds)).y!, (await run(blocked.bytes, feeds)).y!, 2e-3);
  }
});

test('main-graph Constants become float16 initializers (IR 4 on); graph outputs, subgraphs and IR 3 keep Constant nodes', async () => {
  const thenG = graph({
    name: 'then',
    node: [node('Constant', [], ['k'], [attr('value', floats('', [2], [2, -3]))], 'k'), node('Mul', ['w', 'k'], ['t'], [], 'then_mul')],
    output: [valueInfo('t', tensorType(FLOAT, [2]))],
  });
  const build = (ir: number): ModelProto => model(
    graph({
      node: [
        node('Constant', [], ['w'], [attr('value', floats('', [2], [0.5, 4]))], 'w_const'),
        node('Constant', [], ['z'], [attr('value', floats('', [2], [1, 2]))], 'z_const'),
        node('Mul', ['x', 'w'], ['h'], [], 'mul'),
        node('If', ['c'], ['y'], [attr('then_branch', thenG), attr('else_branch', graph({ name: 'else', node: [node('Identity', ['h'], ['u'], [], 'else_id')], output: [valueInfo('u', tensorType(FLOAT, [2]))] }))], 'if'),
      ],
      input: [valueInfo('x', tensorType(FLOAT, [2])), valueInfo('c', tensorType(BOOL, []))],
      output: [valueInfo('y', tensorType(FLOAT, [2])), valueInfo('z', tensorType(FLOAT, [2]))],
    }),
    17,
    { ir_version: ir },
  );
  const constants = (m: Model): string[] => [...m.graphs()].flatMap((g) => g.nodes).filter((n) => n.opType === 'Constant').map((n) => n.name).sort();
  const { original, bytes, back } = convert(build(8));
  assert.deepEqual(constants(back), ['k', 'z_const'], 'the weight read in the main graph and in a branch is an initializer; an output and a branch constant stay nodes');
  const w = back.graph.values.get('w')!;
  assert.equal(w.initializer?.proto.data_type, FLOAT16);
  for (const c of [true, false]) {
    const feeds = { x: f32([2], (i) => i + 0.25), c: new ort.Tensor('bool', [c], []) };
    const [a, b] = [await run(original, feeds), await run(bytes, feeds)];
    assertClose(a.y!, b.y!, 2e-3);
    assertClose(a.z!, b.z!, 2e-3);
  }
  // Before IR 4 an initializer is also a graph input: the Constant stays a node.
  assert.deepEqual(constants(convert(build(3)).back), ['k', 'w_const', 'z_const']);
});

test('EyeLike and RandomUniform dtype attributes follow their float16 outputs; RandomUniform is blocked by default (no ORT kernel)', async () => {
  const m = model(
    graph({
      node: [
        node('EyeLike', ['x'], ['eye'], [attr('dtype', FLOAT)], 'eye'),
        node('RandomUniform', [], ['zeros'], [attr('shape', [3, 3]), attr('low', 0, 'float'), attr('high', 0, 'float'), attr('seed', 1, 'float')], 'zeros'),
        node('Add', ['x', 'eye'], ['a'], [], 'add'),
        node('Add', ['a', 'zeros'], ['b'], [], 'add_zeros'),
        node('Mul', ['b', 'w'], ['y'], [], 'mul'),
      ],
      input: [valueInfo('x', tensorType(FLOAT, [3, 3]))],
      output: [valueInfo('y', tensorType(FLOAT, [3, 3]))],
      initializer: [floats('w', [3], [1, 2, 3])],
    }),
  );
  const unblocked = convert(m, { blockOps: [] }).back.graph.nodes.find((x) => x.name === 'zeros')!;
  assert.equal(unblocked.attribute('dtype')!.int(), FLOAT16);
  const { result, original, bytes, back } = convert(m);
  const byName = (n: string) => back.graph.nodes.find((x) => x.name === n)!;
  assert.equal(byName('eye').attribute('dtype')!.int(), FLOAT16);
  assert.equal(byName('zeros').attribute('dtype'), undefined);
  assert.match(result.keptFloatWhy!.zeros!, /op block list/);
  const t = elemTypes(back);
  assert.equal(t.get('eye'), FLOAT16);
  const feeds = { x: f32([3, 3], (i) => i / 4) };
  assertClose((await run(original, feeds)).y!, (await run(bytes, feeds)).y!, 2e-3);
});

test('Loop: the carried value, a weight inside the body and an outer value read there all convert', async () => {
  const body = graph({
    name: 'body',
    node: [node('Mul', ['v', 'wb'], ['p'], [], 'body_mul'), node('Add', ['p', 'x'], ['v2'], [], 'body_add'), node('Identity', ['cond'], ['cond2'], [], 'body_cond')],
    input: [valueInfo('i', tensorType(INT64, [])), valueInfo('cond', tensorType(BOOL, [])), valueInfo('v', tensorType(FLOAT, [2]))],
    output: [valueInfo('cond2', tensorType(BOOL, [])), valueInfo('v2', tensorType(FLOAT, [2]))],
    initializer: [floats('wb', [2], [0.5, 1.25])],
  });
  const m = model(
    graph({
      node: [node('Loop', ['n', '', 'x'], ['y'], [attr('body', body)], 'loop')],
      input: [valueInfo('x', tensorType(FLOAT, [2])), valueInfo('n', tensorType(INT64, []))],
      output: [valueInfo('y', tensorType(FLOAT, [2]))],
    }),
  );
  const { result, original, bytes, back } = convert(m);
  assert.equal(result.details.initializersConverted, 1);
  const t = elemTypes(back);
  assert.equal(t.get('v'), FLOAT16);
  assert.equal(t.get('v2'), FLOAT16);
  const feeds = { x: f32([2], (i) => i + 1), n: new ort.Tensor('int64', BigInt64Array.from([3n]), []) };
  assertClose((await run(original, feeds)).y!, (await run(bytes, feeds)).y!, 2e-3);

  // A blocked body node reads the carried value through a Cast made inside the body.
  const withBlocked = decodeBytes(encodeModelBytes(m));
  // An outer weight to convert (the body's only one stays float32 for its blocked reader).
  withBlocked.graph!.initializer = [floats('ones', [2], [1, 1])];
  withBlocked.graph!.node = [node('Mul', ['x', 'ones'], ['xs'], [], 'pre'), ...withBlocked.graph!.node];
  withBlocked.graph!.node[1]!.input[2] = 'xs';
  const blocked = convert(withBlocked, { blockNodes: ['body_mul'] });
  const mul = [...blocked.back.graphs()].flatMap((g) => g.nodes).find((n) => n.name === 'body_mul')!;
  assert.equal(elemTypes(blocked.back).get(mul.inputs[0]!), FLOAT);
  assertClose((await run(original, feeds)).y!, (await run(blocked.bytes, feeds)).y!, 2e-3);
});

test('sequences of float stay float32 (no Cast converts them); the tensors around them convert', async () => {
  const m = model(
    graph({
      node: [
        node('Mul', ['x', 'w'], ['m'], [], 'mul'),
        node('SequenceConstruct', ['m', 'x'], ['seq'], [], 'seq'),
        node('ConcatFromSequence', ['seq'], ['c'], [attr('axis', 0)], 'concat'),
        node('Add', ['c', 'b'], ['y'], [], 'add'),
      ],
      input: [valueInfo('x', tensorType(FLOAT, [2]))],
      output: [valueInfo('y', tensorType(FLOAT, [4]))],
      initializer: [floats('w', [2], [3, 4]), floats('b', [4], [1, 2, 3, 4])],
    }),
  );
  const { result, original, bytes, back } = convert(m);
  assert.deepEqual(Object.keys(result.keptFloatWhy!).sort(), ['concat', 'seq']);
  assert.equal(result.details.keptOther, 2);
  const t = elemTypes(back);
  assert.equal(t.get('m'), FLOAT16);
  assert.equal(t.get('y'), FLOAT);
  const feeds = { x: f32([2], (i) => i + 0.5) };
  assertClose((await run(original, feeds)).y!, (await run(bytes, feeds)).y!, 2e-3);
});

test('refused with NothingToConvertError, the model untouched: no float32 weight, or already float16', () => {
  const plain = model(graph({ node: [node('Relu', ['x'], ['y'], [], 'r')], input: [valueInfo('x', tensorType(FLOAT, [4]))], output: [valueInfo('y', tensorType(FLOAT, [4]))] }));
  const before = encodeModelBytes(plain);
  assert.throws(() => convertToFloat16(plain), (e: unknown) => e instanceof NothingToConvertError && /no float32 initializer or Constant/.test(e.message));
  assert.deepEqual(encodeModelBytes(plain), before);
  const once = decodeBytes(encodeModelBytes(chain()));
  convertToFloat16(once);
  assert.throws(() => convertToFloat16(decodeBytes(encodeModelBytes(once))), NothingToConvertError);
});

test('converted weights are float16 TensorProtos of the same shape whose values are the rounded float32 values', () => {
  const { back } = convert(chain([0.1, 1 / 3, 1e-8, 7]));
  const w = back.graph.values.get('w')!.initializer as Tensor;
  assert.deepEqual(w.dims, [4]);
  const got = Array.from(w.read(4).values as Float32Array);
  assert.deepEqual(got, [0x2e66, 0x3555, 0, 0x4700].map(float16ToNumber));
});

test('python onnx.checker (full_check) accepts every generated output', () => {
  const script = 'import onnx, sys\nfor p in sys.argv[1:]:\n    onnx.checker.check_model(onnx.load(p), full_check=True)\nprint("ok")';
  const r = spawnSync('/usr/bin/python3', ['-c', script, ...written], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
});
