import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarizeModel } from '../src/analysis/summary';
import { checkModel } from '../src/onnx/check/checker';
import { dataTypeByName } from '../src/onnx/dtypes';
import { openModelBytes } from '../src/onnx/open';
import { parseModel } from '../src/onnx/text/parser';
import { printModel } from '../src/onnx/text/printer';
import { Tensor, toNumbers, type NumericValues } from '../src/onnx/tensor';
import { bytesOf, graph, model, node, tensorProto, tensorType, valueInfo } from './helpers/models';

const id = (name: string): number => dataTypeByName(name)!.id;
const raw = (name: string, dims: number[], bytes: number[]): Tensor => new Tensor(tensorProto({ name, dims, data_type: id(name), raw_data: Uint8Array.from(bytes) }));
const values = (t: Tensor): number[] => toNumbers(t.read(Infinity).values as NumericValues);

// Bit patterns from the format definitions (ONNX IR "Floating Point Types", OCP MX spec).
test('float8 variants decode their bit patterns: normal, subnormal, max, NaN, infinity', () => {
  assert.deepEqual(values(raw('float8e4m3fn', [5], [0x38, 0x7e, 0x01, 0xb8, 0x7f])), [1, 448, 2 ** -9, -1, NaN]);
  assert.deepEqual(values(raw('float8e4m3fnuz', [4], [0x40, 0x7f, 0x80, 0x01])), [1, 240, NaN, 2 ** -10]);
  assert.deepEqual(values(raw('float8e5m2', [5], [0x3c, 0x7b, 0x7c, 0xfc, 0x7e])), [1, 57344, Infinity, -Infinity, NaN]);
  assert.deepEqual(values(raw('float8e5m2fnuz', [3], [0x40, 0x7f, 0x80])), [1, 57344, NaN]);
  assert.deepEqual(values(raw('float8e8m0', [3], [127, 128, 0xff])), [1, 2, NaN]);
});

test('4-bit and 2-bit types unpack low bits first; odd counts leave the last high half unused', () => {
  assert.deepEqual(values(raw('int4', [4], [0x21, 0xf8])), [1, 2, -8, -1]);
  assert.deepEqual(values(raw('uint4', [3], [0x21, 0x0f])), [1, 2, 15]);
  assert.deepEqual(values(raw('float4e2m1', [8], [0x10, 0x32, 0x54, 0xf6])), [0, 0.5, 1, 1.5, 2, 3, 4, -6]);
  assert.deepEqual(values(raw('uint2', [4], [0xe4])), [0, 1, 2, 3]);
  assert.deepEqual(values(raw('int2', [4], [0xe4])), [0, 1, -2, -1]);
});

test('16-bit floats, complex, bool and strings', () => {
  assert.deepEqual(values(raw('float16', [4], [0x00, 0x3c, 0x00, 0xc0, 0x00, 0x7c, 0x01, 0x00])), [1, -2, Infinity, 2 ** -24]);
  assert.deepEqual(values(raw('bfloat16', [2], [0x80, 0x3f, 0x00, 0xc0])), [1, -2]);
  const c = Buffer.alloc(16);
  [1, -1, 0.5, 2].forEach((v, i) => c.writeFloatLE(v, i * 4));
  assert.deepEqual(values(raw('complex64', [2], [...c])), [1, -1, 0.5, 2]);
  assert.deepEqual(values(raw('bool', [3], [1, 0, 2])), [1, 0, 1]);
  const s = new Tensor(tensorProto({ name: 's', dims: [2], data_type: id('string'), string_data: [new TextEncoder().encode('héllo'), new Uint8Array()] }));
  assert.deepEqual(s.read(Infinity).values, ['héllo', '']);
});

test('typed fields: float8 and float16 bit patterns in int32_data, int4 two per int32, int64 and double', () => {
  const t = (name: string, dims: number[], p: object) => new Tensor(tensorProto({ name, dims, data_type: id(name), ...p }));
  assert.deepEqual(values(t('float8e4m3fn', [2], { int32_data: [0x38, 0x7e] })), [1, 448]);
  assert.deepEqual(values(t('float16', [1], { int32_data: [0x3c00] })), [1]);
  assert.deepEqual(values(t('int4', [4], { int32_data: [0x21, 0xf8] })), [1, 2, -8, -1]);
  assert.deepEqual(values(t('int64', [2], { int64_data: [-5, 2n ** 40n] })), [-5, 2 ** 40]);
  assert.deepEqual(values(t('double', [1], { double_data: [0.1] })), [0.1]);
  assert.deepEqual(values(t('uint64', [1], { uint64_data: [2n ** 63n] })), [2 ** 63]);
});

test('a model built with every data type round-trips, inspects with lower-case names, and checks clean', () => {
  const names = ['float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'float8e8m0', 'uint4', 'int4', 'float4e2m1', 'uint2', 'int2', 'bfloat16', 'float16'];
  const inits = names.map((n) => tensorProto({ name: `w_${n}`, dims: [4], data_type: id(n), raw_data: new Uint8Array(Math.ceil((4 * dataTypeByName(n)!.bits) / 8)).fill(0x11) }));
  const m = model(graph({
    node: names.map((n) => node('Identity', [`w_${n}`], [`y_${n}`])),
    input: names.map((n) => valueInfo(`x_${n}`, tensorType(id(n), [2, 'N']))),
    output: names.map((n) => valueInfo(`y_${n}`, tensorType(id(n), [4]))),
    initializer: inits,
  }), 25, { ir_version: 13 });
  const opened = openModelBytes(bytesOf(m));
  const s = summarizeModel(opened);
  assert.deepEqual(s.inputs.map((i) => i.dtype), names);
  assert.deepEqual(s.inputs[0]!.shape, [2, 'N']);
  assert.equal(s.parameterCount, 4 * names.length);
  assert.equal(s.weightBytes, inits.reduce((a, t) => a + (t.raw_data as Uint8Array).length, 0));
  assert.deepEqual(checkModel(opened).filter((d) => d.severity === 'error'), []);
  assert.deepEqual(values(opened.graph.initializers[names.indexOf('int4')]!), [1, 1, 1, 1]);
});

test('every bit pattern of the types narrower than 16 bits prints as text that parses back to the same value', () => {
  const names = ['float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'float8e8m0', 'float4e2m1', 'uint4', 'int4', 'uint2', 'int2'];
  const inits = names.map((n) => {
    const bits = dataTypeByName(n)!.bits;
    const count = 1 << bits;
    const bytes = new Uint8Array((count * bits) / 8);
    for (let b = 0; b < count; b++) bytes[Math.floor((b * bits) / 8)]! |= b << ((b * bits) % 8);
    return tensorProto({ name: `w_${n}`, dims: [count], data_type: id(n), raw_data: bytes });
  });
  const m = model(graph({ node: names.map((n) => node('Identity', [`w_${n}`], [`y_${n}`])), output: names.map((n) => valueInfo(`y_${n}`, tensorType(id(n), null))), initializer: inits }), 25, { ir_version: 13 });
  const parsed = parseModel(printModel(m, { inlineLimit: Infinity }).text);
  assert.deepEqual(parsed.diagnostics, []);
  const back = new Map(parsed.model.graph!.initializer.map((t) => [t.name, t]));
  for (const t of inits) {
    // Values compared with Object.is: NaN equals NaN, -0 differs from 0 (the sign of NaN is not kept).
    const want = values(new Tensor(t));
    const got = values(new Tensor(back.get(t.name)!));
    assert.ok(want.length === got.length && want.every((v, i) => Object.is(v, got[i])), `${t.name}: ${got.join(' ')}`);
  }
});
