"""The synthetic model of the pruning tests (test/prune-*.test.ts), written to argv[1].

x [1, 8, 6, 6] (and cond: bool, w_in [32, 32]) through every case layers.ts tells apart:
  c0   Conv W0                       first prunable layer
  c1   Conv W_shared                 shares W_shared with c2 (through an Identity)
  c2   Conv Identity(W_shared)
  c3   Conv W_const (Constant node)  many equal magnitudes and zeros (ties)
  c5a  Conv W_pair                   c5a and c5b read one tensor
  c5b  Conv W_pair
  c4   Conv DequantizeLinear(...)    weight computed by another op
  g    Conv W_g, group 2 (C/group 4)
  dw   Conv W_dw, depthwise (C/group 1)
  Flatten -> gemm1 Gemm B1 [64, 288] transB=1
  mm   MatMul B2 [64, 32]
  mm_in   MatMul w_in (a graph input)
  mm_cast MatMul Cast(float16 B3)
  if   If(cond): MatMul in each branch (subgraph layers) -> z
  gemm_y  Gemm B4 [32, 10] -> Relu -> mm10 MatMul B6 [10, 12] (K 10) -> last Gemm B7 [12, 5] -> y
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.RandomState(11)


def w(*shape):
    return (rng.randn(*shape) * 0.3).astype(np.float32)


W_const = (np.round(rng.randn(8, 8, 3, 3) * 4) / 8).astype(np.float32)  # eighth steps: many ties, ~10 % zeros
W_const[0, 0:4, 0, 0] = 0  # a 2:4 group (along the input channels) of four zeros
W_const[1, 4:7, 1, 1] = 0  # and one of three
inits = {
    'W0': w(8, 8, 3, 3), 'W_shared': w(8, 8, 1, 1), 'W_pair': w(8, 8, 1, 1), 'W_g': w(8, 4, 3, 3), 'W_dw': w(8, 1, 3, 3),
    'B1': w(64, 288), 'B2': w(64, 32), 'B4': w(32, 10), 'B6': w(10, 12), 'B7': w(12, 5), 'Bt': w(32, 4), 'Be': w(32, 4),
    'W_q': (rng.randint(-100, 100, size=(8, 8, 1, 1))).astype(np.int8), 'W_q_scale': np.array(0.01, dtype=np.float32),
    'B3': w(32, 32).astype(np.float16),
}
conv = lambda name, x, wname, y, **kw: h.make_node('Conv', [x, wname], [y], name=name, **kw)
nodes = [
    conv('c0', 'x', 'W0', 'a0', pads=[1, 1, 1, 1]),
    conv('c1', 'a0', 'W_shared', 'a1'),
    h.make_node('Identity', ['W_shared'], ['W_shared_id'], name='id_shared'),
    conv('c2', 'a1', 'W_shared_id', 'a2'),
    h.make_node('Constant', [], ['W_const'], name='W_const', value=nh.from_array(W_const, '')),
    conv('c3', 'a2', 'W_const', 'a3', pads=[1, 1, 1, 1]),
    conv('c5a', 'a3', 'W_pair', 'b1'),
    conv('c5b', 'b1', 'W_pair', 'b2'),
    h.make_node('DequantizeLinear', ['W_q', 'W_q_scale'], ['W_dq'], name='dq'),
    conv('c4', 'b2', 'W_dq', 'a4'),
    conv('g', 'a4', 'W_g', 'a5', pads=[1, 1, 1, 1], group=2),
    conv('dw', 'a5', 'W_dw', 'a6', pads=[1, 1, 1, 1], group=8),
    h.make_node('Flatten', ['a6'], ['f'], name='flatten'),
    h.make_node('Gemm', ['f', 'B1'], ['h1'], name='gemm1', transB=1),
    h.make_node('MatMul', ['h1', 'B2'], ['h2'], name='mm'),
    h.make_node('MatMul', ['h2', 'w_in'], ['h2b'], name='mm_in'),
    h.make_node('Cast', ['B3'], ['B3f'], name='cast', to=T.FLOAT),
    h.make_node('MatMul', ['h2b', 'B3f'], ['h3'], name='mm_cast'),
    h.make_node('If', ['cond'], ['z'], name='if',
                then_branch=h.make_graph([h.make_node('MatMul', ['h3', 'Bt'], ['zt'], name='mm_then')], 'then', [], [h.make_tensor_value_info('zt', T.FLOAT, [1, 4])]),
                else_branch=h.make_graph([h.make_node('MatMul', ['h3', 'Be'], ['ze'], name='mm_else')], 'else', [], [h.make_tensor_value_info('ze', T.FLOAT, [1, 4])])),
    h.make_node('Gemm', ['h3', 'B4'], ['y10'], name='gemm_y'),
    h.make_node('Relu', ['y10'], ['y10r'], name='relu'),
    h.make_node('MatMul', ['y10r', 'B6'], ['y12'], name='mm10'),
    h.make_node('Gemm', ['y12', 'B7'], ['y'], name='gemm_last'),
]
graph = h.make_graph(
    nodes, 'prune-cases',
    [h.make_tensor_value_info('x', T.FLOAT, [1, 8, 6, 6]), h.make_tensor_value_info('cond', T.BOOL, []), h.make_tensor_value_info('w_in', T.FLOAT, [32, 32])],
    [h.make_tensor_value_info('y', T.FLOAT, [1, 5]), h.make_tensor_value_info('z', T.FLOAT, [1, 4])],
    [nh.from_array(v, k) for k, v in inits.items()],
)
m = h.make_model(graph, opset_imports=[h.make_opsetid('', 17)], producer_name='prune-tests')
m.ir_version = 8
onnx.checker.check_model(m)
onnx.save(m, os.path.join(out, 'cases.onnx'))

# IR 3 (every initializer listed as a graph input too): x [1, 4, 5, 5] -> k0 Conv V0 -> k1 Conv V_shared
# -> k2 Conv V_shared -> Flatten -> k3 Gemm V3 [100, 6] (bias V3b) -> y. k2 excluded in the tests: k1 reads a copy.
old = {'V0': w(4, 4, 3, 3), 'V_shared': w(4, 4, 1, 1), 'V3': w(100, 6), 'V3b': w(6)}
old_nodes = [
    conv('k0', 'x', 'V0', 'e0', pads=[1, 1, 1, 1]),
    conv('k1', 'e0', 'V_shared', 'e1'),
    conv('k2', 'e1', 'V_shared', 'e2'),
    h.make_node('Flatten', ['e2'], ['fe'], name='flat'),
    h.make_node('Gemm', ['fe', 'V3', 'V3b'], ['y'], name='k3'),
]
old_inits = [nh.from_array(v, k) for k, v in old.items()]
old_graph = h.make_graph(
    old_nodes, 'prune-ir3',
    [h.make_tensor_value_info('x', T.FLOAT, [1, 4, 5, 5])] + [h.make_tensor_value_info(t.name, T.FLOAT, list(t.dims)) for t in old_inits],
    [h.make_tensor_value_info('y', T.FLOAT, [1, 6])], old_inits,
)
m3 = h.make_model(old_graph, opset_imports=[h.make_opsetid('', 8)], producer_name='prune-tests')
m3.ir_version = 3
onnx.checker.check_model(m3)
onnx.save(m3, os.path.join(out, 'ir3.onnx'))

# One tensor read along two reduction axes: g1 Gemm(x, T, transB=1) reads T [N, K] along axis 1,
# m1 MatMul(h, T) along axis 0. 2:4 prunes a copy for each; T itself is then unread.
T_w = w(8, 8)
lay_graph = h.make_graph(
    [h.make_node('Gemm', ['x', 'T'], ['h'], name='g1', transB=1), h.make_node('MatMul', ['h', 'T'], ['y'], name='m1')], 'prune-layouts',
    [h.make_tensor_value_info('x', T.FLOAT, [2, 8])], [h.make_tensor_value_info('y', T.FLOAT, [2, 8])], [nh.from_array(T_w, 'T')],
)
ml = h.make_model(lay_graph, opset_imports=[h.make_opsetid('', 17)], producer_name='prune-tests')
ml.ir_version = 8
onnx.checker.check_model(ml)
onnx.save(ml, os.path.join(out, 'layouts.onnx'))
