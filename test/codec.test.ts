import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferSource } from '../src/onnx/io/byte-source';
import { openModelBytes } from '../src/onnx/open';
import { ByteRange, StringRun } from '../src/onnx/proto/byte-range';
import { decodeMessage, LAZY_MIN_BYTES, UNKNOWN_FIELDS } from '../src/onnx/proto/decode';
import { encodeToBytes } from '../src/onnx/proto/encode';
import type { ModelProto, TensorProto } from '../src/onnx/proto/types';
import { protobufjsRoot } from '../src/onnx/proto/schema';
import { Tensor } from '../src/onnx/tensor';
import { protoDiff } from './helpers/equal';
import { attr, bytesOf, decodeBytes, graph, model, node, tensorProto, tensorType, valueInfo } from './helpers/models';

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/** A model using every part of the IR: training info, functions, sparse tensors, metadata everywhere. */
function everything(): ModelProto {
  const meta = [{ key: 'k', value: 'v' }];
  const sub = graph({ name: 'then', node: [node('Constant', [], ['c'], [attr('value_ints', [1, -1])])], output: [valueInfo('c', tensorType(7, [2]))] });
  const g = graph({
    node: [
      { ...node('Slice', ['x', 's', 'e'], ['y'], [], 'slice/with/slashes'), metadata_props: meta, doc_string: 'doc' },
      node('If', ['cond'], ['z'], [attr('then_branch', sub), attr('else_branch', sub)], 'if'),
      node('MyFunc', ['y'], ['w'], [], 'call', 'local.fns'),
    ],
    input: [valueInfo('x', tensorType(1, ['N', 3])), valueInfo('cond', tensorType(9, []))],
    output: [valueInfo('w'), valueInfo('z')],
    initializer: [
      tensorProto({ name: 's', dims: [1], data_type: 7, int64_data: [INT64_MIN] }),
      tensorProto({ name: 'e', dims: [1], data_type: 7, int64_data: [INT64_MAX] }),
      tensorProto({ name: 'big', dims: [512], data_type: 1, raw_data: new Uint8Array(2048).fill(7), metadata_props: meta }),
    ],
    sparse_initializer: [{ values: tensorProto({ name: 'sp', dims: [2], data_type: 1, float_data: [1, 2] }), indices: tensorProto({ dims: [2], data_type: 7, int64_data: [0, 5] }), dims: [10] }],
    metadata_props: meta,
  });
  return model(g, 18, {
    metadata_props: meta,
    doc_string: 'a model',
    model_version: 2 ** 40,
    opset_import: [{ domain: '', version: 18 }, { domain: 'local.fns', version: 1 }],
    functions: [{
      name: 'MyFunc', domain: 'local.fns', input: ['a'], output: ['b'], attribute: [], attribute_proto: [],
      node: [node('Relu', ['a'], ['b'])], opset_import: [{ domain: '', version: 18 }], value_info: [], metadata_props: meta,
    }],
    training_info: [{ initialization: graph({ name: 'init' }), algorithm: graph({ name: 'algo', node: [node('Identity', ['x'], ['x2'])] }), initialization_binding: [], update_binding: [{ key: 'a', value: 'b' }] }],
  });
}

test('every part of the IR survives encode → decode, int64 extremes exactly', () => {
  const m = everything();
  const back = decodeBytes(bytesOf(m));
  assert.equal(protoDiff(m, back), undefined);
  const ints = back.graph!.initializer.map((t) => t.int64_data);
  assert.deepEqual(ints.slice(0, 2), [[INT64_MIN], [INT64_MAX]]);
  assert.equal(back.model_version, 2 ** 40);
  // protobufjs reads the same bytes to the same values
  const pb = protobufjsRoot().lookupType('onnx.ModelProto').toObject(protobufjsRoot().lookupType('onnx.ModelProto').decode(bytesOf(m)), { longs: String });
  assert.equal(pb.graph.initializer[1].int64_data[0], INT64_MAX.toString());
  assert.equal(pb.training_info[0].algorithm.name, 'algo');
});

test('the graph model sees subgraphs, training graphs and escaped stable ids', () => {
  const opened = openModelBytes(bytesOf(everything()));
  assert.deepEqual(opened.graph.nodes.map((n) => n.id), ['slice%2Fwith%2Fslashes', 'if', 'call']);
  const then = opened.graph.nodes[1]!.subgraphs[0]!;
  assert.equal(then.nodes[0]!.id, 'if/then_branch/Constant_0');
  assert.equal(opened.node('if/else_branch/Constant_0')?.opType, 'Constant');
  assert.equal(opened.trainingGraphs.length, 2);
  assert.equal(opened.trainingGraphs[1]!.nodes[0]!.id, '#training0.algorithm/Identity_0');
  assert.equal(opened.functions[0]!.name, 'MyFunc');
  // the same file gives the same ids
  const again = openModelBytes(bytesOf(everything()));
  assert.deepEqual([...again.graphs()].flatMap((g) => g.nodes.map((n) => n.id)), [...opened.graphs()].flatMap((g) => g.nodes.map((n) => n.id)));
});

test('unnamed and duplicate node names get OpType_index ids', () => {
  const g = graph({ node: [node('Relu', ['x'], ['a'], [], 'n'), node('Relu', ['a'], ['b'], [], 'n'), node('Relu', ['b'], ['c']), node('Relu', ['c'], ['d'], [], 'Relu_2')] });
  const ids = openModelBytes(bytesOf(model(g))).graph.nodes.map((n) => n.id);
  assert.deepEqual(ids, ['n', 'Relu_1', 'Relu_2', 'Relu_3']);
});

test('large tensor payloads stay in the file as byte ranges; small ones are decoded', () => {
  const back = decodeBytes(bytesOf(everything()));
  const big = back.graph!.initializer[2]!;
  assert.ok(big.raw_data instanceof ByteRange);
  assert.equal(big.raw_data.length, 2048);
  assert.ok(2048 >= LAZY_MIN_BYTES);
  assert.deepEqual([...big.raw_data.read(0, 4)], [7, 7, 7, 7]);
  const floats = tensorProto({ name: 'f', dims: [1000], data_type: 1, float_data: Array.from({ length: 1000 }, (_, i) => i) });
  const t = decodeMessage<TensorProto>(new BufferSource(encodeToBytes(floats as never, 'TensorProto')), 'TensorProto');
  assert.ok(t.float_data instanceof ByteRange, 'a 4000-byte packed float_data stays lazy');
  assert.deepEqual(new Tensor(t).read(Infinity).values, Float32Array.from(floats.float_data as number[]));
  assert.deepEqual(new Tensor(t).read(3), { values: Float32Array.from([0, 1, 2]), total: 1000, truncated: true });
});

test('unknown fields are kept and written back verbatim', () => {
  const bytes = Buffer.concat([Buffer.from(bytesOf(model(graph({})))), Buffer.from([0xf8, 0x07, 0x2a])]); // field 127, varint 42
  const m = decodeBytes(bytes);
  assert.equal((m as unknown as Record<string, ByteRange[]>)[UNKNOWN_FIELDS]!.length, 1);
  assert.deepEqual(Buffer.from(bytesOf(m)).subarray(-3), Buffer.from([0xf8, 0x07, 0x2a]));
});

test('repeated numbers are accepted packed and unpacked', () => {
  // TensorProto.dims (field 1) packed: tag 0x0a, length 2, values 3, 4; float_data (field 4) unpacked: tag 0x25 + fixed32
  const f = Buffer.alloc(4);
  f.writeFloatLE(1.5);
  const bytes = Buffer.concat([Buffer.from([0x0a, 0x02, 0x03, 0x04, 0x10, 0x01, 0x25]), f]);
  const t = decodeMessage<TensorProto>(new BufferSource(bytes), 'TensorProto');
  assert.deepEqual(t.dims, [3, 4]);
  assert.deepEqual(t.float_data, [1.5]);
});

test('many strings stay in the file as one run (no object per string), read back in order and re-encode to the same bytes', () => {
  const strings = Array.from({ length: 5000 }, (_, i) => (i % 3 ? `s${i}` : ''));
  const t = tensorProto({ name: 's', dims: [5000], data_type: 8, string_data: strings.map((s) => new TextEncoder().encode(s)) });
  const bytes = encodeToBytes(t as never, 'TensorProto');
  // protobufjs (the reference decoder) reads the same strings.
  const reference = protobufjsRoot().lookupType('onnx.TensorProto').decode(bytes) as unknown as { string_data: Uint8Array[] };
  assert.deepEqual(reference.string_data.map((b) => new TextDecoder().decode(b)), strings);
  const back = decodeMessage<TensorProto>(new BufferSource(bytes), 'TensorProto');
  assert.ok(back.string_data instanceof StringRun && back.string_data.count === 5000);
  assert.deepEqual(new Tensor(back).read(Infinity).values, strings);
  assert.deepEqual([...new Tensor(back).chunks(16)].flat().slice(4990), strings.slice(4990));
  assert.deepEqual(encodeToBytes(back as never, 'TensorProto'), bytes);
  // A second run after another field (legal, rare) joins the first.
  const tail = encodeToBytes(tensorProto({ string_data: [new TextEncoder().encode('last')] }) as never, 'TensorProto');
  const split = decodeMessage<TensorProto>(new BufferSource(Buffer.concat([bytes, tail])), 'TensorProto');
  assert.ok(Array.isArray(split.string_data));
  assert.deepEqual(split.string_data.map((b) => new TextDecoder().decode(b)), [...strings, 'last']);
});
