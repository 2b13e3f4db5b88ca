import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inferModel } from '../src/onnx/infer/infer';
import { typeToString } from '../src/onnx/model/value-type';
import { openModelBytes } from '../src/onnx/open';
import { attr, bytesOf, graph, model, node, tensorProto, tensorType, valueInfo } from './helpers/models';

const FLOAT = 1;
const INT64 = 7;

function inferred(nodes: ReturnType<typeof node>[], inputs: ReturnType<typeof valueInfo>[], initializers: ReturnType<typeof tensorProto>[] = [], opset = 17): Record<string, string> {
  const outs = [...new Set(nodes.flatMap((n) => n.output))];
  const m = openModelBytes(bytesOf(model(graph({ node: nodes, input: inputs, initializer: initializers, output: outs.map((o) => valueInfo(o)) }), opset)));
  const r = inferModel(m);
  return Object.fromEntries(m.graph.outputs.map((o) => [o.name, typeToString(r.inferredType(o))]));
}

test('symbolic dims flow through convolution and folded shape arithmetic (Shape → Gather → Concat → Reshape)', () => {
  const t = inferred(
    [
      node('Conv', ['x', 'w'], ['c'], [attr('strides', [2, 2]), attr('pads', [1, 1, 1, 1])]),
      node('Shape', ['c'], ['s']),
      node('Gather', ['s', 'zero'], ['n'], [attr('axis', 0)]),
      node('Unsqueeze', ['n', 'axes0'], ['n1']),
      node('Concat', ['n1', 'minus1'], ['target'], [attr('axis', 0)]),
      node('Reshape', ['c', 'target'], ['flat']),
      node('MatMul', ['flat', 'm'], ['logits']),
    ],
    [valueInfo('x', tensorType(FLOAT, ['N', 3, 224, 224]))],
    [
      tensorProto({ name: 'w', dims: [16, 3, 3, 3], data_type: FLOAT, raw_data: new Uint8Array(16 * 27 * 4) }),
      tensorProto({ name: 'zero', dims: [], data_type: INT64, int64_data: [0] }),
      tensorProto({ name: 'axes0', dims: [1], data_type: INT64, int64_data: [0] }),
      tensorProto({ name: 'minus1', dims: [1], data_type: INT64, int64_data: [-1] }),
      tensorProto({ name: 'm', dims: [200704, 10], data_type: FLOAT, raw_data: new Uint8Array(0) }),
    ],
  );
  assert.equal(t.c, 'float[N,16,112,112]');
  assert.equal(t.s, 'int64[4]');
  assert.equal(t.target, 'int64[2]');
  assert.equal(t.flat, 'float[N,200704]');
  assert.equal(t.logits, 'float[N,10]');
});

test('broadcasting keeps what is certain and marks the rest unknown', () => {
  const t = inferred(
    [node('Add', ['a', 'b'], ['sum']), node('Add', ['a', 'c'], ['mixed']), node('Equal', ['a', 'b'], ['eq'])],
    [valueInfo('a', tensorType(FLOAT, ['B', 1, 5])), valueInfo('b', tensorType(FLOAT, [4, 1])), valueInfo('c', tensorType(FLOAT, ['K', 'B', 5]))],
  );
  assert.equal(t.sum, 'float[B,4,5]');
  assert.equal(t.mixed, 'float[?,B,5]'); // B or K may be 1: the first dim is either
  assert.equal(t.eq, 'bool[B,4,5]');
});

test('If joins its branches: equal dims kept, differing dims unknown', () => {
  const branch = (dims: number[]) => graph({ node: [node('Constant', [], ['k'], [attr('value', tensorProto({ dims, data_type: FLOAT, float_data: Array(dims.reduce((a, b) => a * b, 1)).fill(0) }))])], output: [valueInfo('k')] });
  const t = inferred(
    [node('If', ['cond'], ['y'], [attr('then_branch', branch([2, 3])), attr('else_branch', branch([2, 4]))])],
    [valueInfo('cond', tensorType(9, []))],
  );
  assert.equal(t.y, 'float[2,?]');
});

test('what inference cannot know stays unknown: a Reshape to a runtime shape', () => {
  const t = inferred([node('Reshape', ['x', 'shape'], ['y'])], [valueInfo('x', tensorType(FLOAT, [2, 3])), valueInfo('shape', tensorType(INT64, [3]))]);
  assert.equal(t.y, 'float[?,?,?]');
});
