import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkModel } from '../src/onnx/check/checker';
import { openModelBytes } from '../src/onnx/open';
import type { FunctionProto, SparseTensorProto, TensorProto } from '../src/onnx/proto/types';
import { encodeToBytes } from '../src/onnx/proto/encode';
import { CLI } from './helpers/corpus';
import { attr, bytesOf, graph, model, node, tensorProto, tensorType, valueInfo } from './helpers/models';

const run = (cwd: string, ...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd, timeout: 60_000 });

/** A folder holding model.onnx whose one initializer `w` is `t` (passed through Identity). */
function modelWith(t: TensorProto): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-badtensor-'));
  const m = model(graph({
    node: [node('Identity', ['w'], ['y'])],
    output: [valueInfo('y', tensorType(t.data_type ?? 1, null))],
    initializer: [t],
  }));
  const path = join(dir, 'model.onnx');
  writeFileSync(path, bytesOf(m));
  return { dir, path };
}

/** Packed varints as the decoder keeps them lazily (over 1 KiB). */
const manyInt64 = (n: number): number[] => Array.from({ length: n }, (_, i) => (i % 2 ? -i : i * 1_000_000_007));

test('text answers a tensor it cannot print with one line and exit 2, never a stack trace', () => {
  const away = mkdtempSync(join(tmpdir(), 'onnx-studio-away-'));
  const cases: [string, TensorProto, RegExp][] = [
    ['raw_data too short', tensorProto({ name: 'w', dims: [4], data_type: 1, raw_data: new Uint8Array(3) }), /3 bytes of raw_data, expected 16/],
    ['unknown dtype', tensorProto({ name: 'w', dims: [2], data_type: 99, raw_data: new Uint8Array(8) }), /unknown data type 99/],
    ['typed field count', tensorProto({ name: 'w', dims: [10], data_type: 7, int64_data: manyInt64(1100) }), /1100 values in int64_data, expected 10/],
    ['claims petabytes', tensorProto({ name: 'w', dims: [2 ** 30, 2 ** 30, 2 ** 30], data_type: 1, raw_data: new Uint8Array(4) }), /more than can be stored/],
    ['negative dim', tensorProto({ name: 'w', dims: [-3], data_type: 1, raw_data: new Uint8Array(0) }), /invalid dims/],
  ];
  for (const [what, t, message] of cases) {
    const { path } = modelWith(t);
    const r = run(away, 'text', path);
    assert.equal(r.status, 2, `${what}: ${r.stderr}`);
    assert.match(r.stderr, message, what);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line: ${r.stderr}`);
  }
});

const varint = (n: number): number[] => {
  const out: number[] = [];
  for (; n >= 0x80; n = Math.floor(n / 128)) out.push((n % 128) | 0x80);
  return [...out, n];
};
const field = (num: number, length: number): Uint8Array => Uint8Array.from([...varint(num * 8 + 2), ...varint(length)]);
const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));

test('a tensor over 2 GiB in the model file: a reference beside its model, a one-line refusal (exit 2) where it would be inline', () => {
  // The model file ends with the tensor's raw_data, so the file can be sparse: 2.4 GB of zeros on disk cost nothing.
  const payload = 600_000_000 * 4;
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-huge-'));
  const head = encodeToBytes(tensorProto({ name: 'w', dims: [600_000_000], data_type: 1 }) as never, 'TensorProto');
  const tensorHead = concat(head, field(9, payload));
  const g = encodeToBytes(graph({ node: [node('Identity', ['w'], ['y'])], output: [valueInfo('y', tensorType(1, [600_000_000]))] }) as never, 'GraphProto');
  const graphHead = concat(g, field(5, tensorHead.length + payload));
  const m = model(graph({}));
  delete m.graph;
  const fileHead = concat(encodeToBytes(m as never, 'ModelProto'), field(7, graphHead.length + tensorHead.length + payload), graphHead, tensorHead);
  const path = join(dir, 'model.onnx');
  writeFileSync(path, fileHead);
  const fd = openSync(path, 'r+');
  ftruncateSync(fd, fileHead.length + payload);
  closeSync(fd);
  const beside = run(dir, 'text', path);
  assert.equal(beside.status, 0, beside.stderr);
  assert.match(beside.stdout, new RegExp(`float\\[600000000\\] w = \\["location": "model.onnx", "offset": "${fileHead.length}", "length": "${payload}"\\]`));
  const away = run(mkdtempSync(join(tmpdir(), 'onnx-studio-away-')), 'text', path);
  assert.equal(away.status, 2, away.stderr);
  assert.match(away.stderr, /600000000 elements, too many to print inline/);
  assert.equal(away.stderr.trim().split('\n').length, 1, away.stderr);
  rmSync(dir, { recursive: true, force: true });
});

test('a large int64_data field (kept lazily) prints its exact integers', () => {
  const values = manyInt64(1100);
  const { path } = modelWith(tensorProto({ name: 'w', dims: [1100], data_type: 7, int64_data: values }));
  const r = run(tmpdir(), 'text', path);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`int64\\[1100\\] w = \\{${values.slice(0, 4).join(', ')},`));
});

test('check reads tensors in model-local function bodies and sparse initializers: a bad payload there is reported', () => {
  const bad = tensorProto({ name: 'k', dims: [4], data_type: 1, raw_data: new Uint8Array(5) });
  const fn: FunctionProto = {
    name: 'F', domain: 'local', input: ['a'], output: ['b'], attribute: [], attribute_proto: [], value_info: [], metadata_props: [],
    opset_import: [{ domain: '', version: 17 }],
    node: [node('Constant', [], ['k'], [attr('value', bad)]), node('Add', ['a', 'k'], ['b'])],
  };
  const sparse: SparseTensorProto = { values: tensorProto({ name: 'sw', dims: [2], data_type: 1, float_data: [1] }), indices: tensorProto({ name: 'si', dims: [2], data_type: 7, int64_data: [0, 3] }), dims: [4] };
  const m = model(graph({
    node: [node('F', ['x'], ['f'], [], '', 'local'), node('Add', ['f', 'sw'], ['y'])],
    input: [valueInfo('x', tensorType(1, [4]))],
    output: [valueInfo('y', tensorType(1, [4]))],
    sparse_initializer: [sparse],
  }), 17, { functions: [fn], opset_import: [{ domain: '', version: 17 }, { domain: 'local', version: 1 }] });
  const found = checkModel(openModelBytes(bytesOf(m))).map((d) => `${d.rule}: ${d.message}`);
  assert.ok(found.some((d) => /tensor-data: tensor 'k' has 5 bytes of raw_data, expected 16/.test(d)), found.join('\n'));
  assert.ok(found.some((d) => /tensor-data: tensor 'sw' has 1 values in float_data, expected 2/.test(d)), found.join('\n'));
  assert.ok(!found.some((d) => /undefined-value/.test(d)), found.join('\n'));
});
