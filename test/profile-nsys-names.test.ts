// TensorRT layer names (as nsys shows its NVTX ranges) onto the nodes of a small model through
// the trtexec reader's LayerMapper: fused layers, nsys's `Domain:` prefix, `[profile N]`,
// reformats charged to the layer they serve, ForeignNode ends through node or initializer names.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { openModelBytes } from '../src/onnx/open';
import { nsysLayerMapper } from '../src/profiles/nsys/layer-names';
import { bytesOf, graph, model, node, tensorProto, tensorType, valueInfo } from './helpers/models';

const FLOAT = 1;
const m = openModelBytes(
  bytesOf(
    model(
      graph({
        input: [valueInfo('x', tensorType(FLOAT, [1, 4]))],
        output: [valueInfo('y', tensorType(FLOAT, [1, 2]))],
        initializer: [tensorProto({ name: 'fc.weight', dims: [2, 4], data_type: FLOAT, float_data: [1, 2, 3, 4, 5, 6, 7, 8] })],
        node: [
          node('Relu', ['x'], ['a'], [], '/conv1/Conv'),
          node('Relu', ['a'], ['b'], [], '/relu/Relu'),
          node('Sigmoid', ['b'], ['t_out'], [], ''),
          node('Gemm', ['t_out', 'fc.weight'], ['y'], [], '/fc/Gemm'),
        ],
      }),
    ),
  ),
);
after(() => m.close());
const nodes = [...m.graphs()][0]!.nodes;
const id = (name: string): string => nodes.find((n) => n.name === name)!.id;
const target = (layer: string): { ids: string[]; overhead: boolean } => {
  const t = nsysLayerMapper(m, [layer])(layer);
  return { ids: t.nodes.map((n) => n.id), overhead: t.overhead };
};

test('fused layer names split on " + ", with or without nsys\'s domain prefix and TensorRT\'s [profile N]', () => {
  const both = { ids: [id('/conv1/Conv'), id('/relu/Relu')], overhead: false };
  assert.deepEqual(target('/conv1/Conv + /relu/Relu'), both);
  assert.deepEqual(target('TensorRT:/conv1/Conv + /relu/Relu'), both);
  assert.deepEqual(target('/conv1/Conv + /relu/Relu [profile 1]'), both);
});

test('reformats are overhead charged to the layer they convert for, input or output side', () => {
  const both = { ids: [id('/conv1/Conv'), id('/relu/Relu')], overhead: true };
  assert.deepEqual(target('Reformatting CopyNode for Input Tensor 0 to /conv1/Conv + /relu/Relu'), both);
  assert.deepEqual(target('TensorRT:Reformatting CopyNode for Output Tensor 0 to /conv1/Conv + /relu/Relu'), both);
});

test('ForeignNode[first...last]: the nodes from one end to the other, an initializer standing for its reader', () => {
  assert.deepEqual(target('Reformatting CopyNode for Input Tensor 0 to {ForeignNode[fc.weight.../fc/Gemm]}'), { ids: [id('/fc/Gemm')], overhead: true });
  assert.deepEqual(target('{ForeignNode[/relu/Relu.../fc/Gemm]}'), { ids: [id('/relu/Relu'), nodes[2]!.id, id('/fc/Gemm')], overhead: false });
});

test('a layer named after the tensor it writes lands on that tensor\'s producer; unknown names on nothing', () => {
  assert.deepEqual(target('t_out'), { ids: [nodes[2]!.id], overhead: false });
  assert.deepEqual(target('__myl_MulSumAdd_myl24_1'), { ids: [], overhead: false });
  assert.deepEqual(target('TensorRT:ExecutionContext::enqueueV3'), { ids: [], overhead: false });
});
