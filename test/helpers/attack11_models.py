"""Models for test/attack11-prune.test.ts, written into argv[1].

many.onnx: 300 chained 1x1 Conv layers of 8x8 weights on a grid of 0.25 (many equal |w|: ties).
ext.onnx + ext.bin: 5 Conv layers whose weights live in an external data file.
const.onnx: MatMul layers whose weights are Constant nodes behind Identity chains.
small.onnx: 4 MatMul layers of 4x4 (16 weights each).
hugetiny.onnx: MatMul layers of 16x1024, 1024x8, 8x8 (large weights), 8x4.
qop.onnx: float Conv layers around a QLinearConv (a quantized model).
nan.onnx: Conv layers, one weight with NaN and Inf values.
dq_false.onnx / dq_true.onnx: a Conv reading DequantizeLinear(uint8, zero point 128): raw 0 in
2 of every 4 input channels (dequantized -1.28: dense) / raw 128 there (dequantized 0: 2:4).
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

out = sys.argv[1]
rng = np.random.default_rng(11)


def save(nodes, inits, x_shape, y_shape, name, opsets=(('', 13),), **kw):
    g = h.make_graph(nodes, 'g', [h.make_tensor_value_info('x', T.FLOAT, x_shape)], [h.make_tensor_value_info('y', T.FLOAT, y_shape)], inits)
    m = h.make_model(g, opset_imports=[h.make_opsetid(d, v) for d, v in opsets])
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(out, name), **kw)


def grid(*shape):
    return (np.round(rng.standard_normal(shape) * 4) / 4 * 0.3).astype(np.float32)


def chain(op, weights, prefix):
    nodes = []
    for i in range(len(weights)):
        nodes.append(h.make_node(op, ['x' if i == 0 else f'h{i - 1}', f'{prefix}{i}'], ['y' if i == len(weights) - 1 else f'h{i}'], name=f'{prefix.lower()}{i}'))
    return nodes


ws = [grid(8, 8, 1, 1) for _ in range(300)]
save(chain('Conv', ws, 'W'), [nh.from_array(w, f'W{i}') for i, w in enumerate(ws)], [1, 8, 2, 2], [1, 8, 2, 2], 'many.onnx')

ws = [grid(8, 8, 3, 3) for _ in range(5)]
nodes = chain('Conv', ws, 'E')
for n in nodes:
    n.attribute.append(h.make_attribute('pads', [1, 1, 1, 1]))
save(nodes, [nh.from_array(w, f'E{i}') for i, w in enumerate(ws)], [1, 8, 4, 4], [1, 8, 4, 4], 'ext.onnx',
     save_as_external_data=True, all_tensors_to_one_file=True, location='ext.bin', size_threshold=0)

nodes = []
for i in range(4):
    nodes.append(h.make_node('Constant', [], [f'K{i}_0'], value=nh.from_array(grid(8, 8), f'kv{i}')))
    for j in range(3):
        nodes.append(h.make_node('Identity', [f'K{i}_{j}'], [f'K{i}_{j + 1}']))
nodes += chain('MatMul', [None] * 4, 'K')
for i, n in enumerate(nodes[-4:]):
    n.input[1] = f'K{i}_3'
save(nodes, [], [2, 8], [2, 8], 'const.onnx')

ws = [grid(4, 4) for _ in range(4)]
save(chain('MatMul', ws, 'S'), [nh.from_array(w, f'S{i}') for i, w in enumerate(ws)], [2, 4], [2, 4], 'small.onnx')

ws = [rng.standard_normal(s).astype(np.float32) for s in [(16, 1024), (1024, 8), (8, 8)]] + [rng.standard_normal((8, 4)).astype(np.float32)]
ws[2] *= 10
nodes = chain('MatMul', ws, 'H')
save(nodes, [nh.from_array(w, f'H{i}') for i, w in enumerate(ws)], [2, 16], [2, 4], 'hugetiny.onnx')

f = lambda *s: rng.standard_normal(s).astype(np.float32)
inits = [nh.from_array(f(8, 8, 1, 1), 'W0'), nh.from_array(f(8, 8, 1, 1), 'W2'), nh.from_array(f(8, 8, 1, 1), 'W3'),
         nh.from_array(np.array(0.1, np.float32), 's'), nh.from_array(np.array(0, np.uint8), 'z'),
         nh.from_array(rng.integers(0, 255, (8, 8, 1, 1)).astype(np.uint8), 'qW'), nh.from_array(np.array(0.02, np.float32), 'ws'), nh.from_array(np.array(128, np.uint8), 'wz')]
nodes = [h.make_node('Conv', ['x', 'W0'], ['a'], name='c0'), h.make_node('QuantizeLinear', ['a', 's', 'z'], ['qa'], name='q'),
         h.make_node('QLinearConv', ['qa', 's', 'z', 'qW', 'ws', 'wz', 's', 'z'], ['qb'], name='qconv'), h.make_node('DequantizeLinear', ['qb', 's', 'z'], ['b'], name='dq'),
         h.make_node('Conv', ['b', 'W2'], ['c'], name='c2'), h.make_node('Conv', ['c', 'W3'], ['y'], name='c3')]
save(nodes, inits, [1, 8, 4, 4], [1, 8, 4, 4], 'qop.onnx')


def dq_model(name, wq):
    inits = [nh.from_array(wq, 'Wq'), nh.from_array(np.array(0.01, np.float32), 'ws'), nh.from_array(np.array(128, np.uint8), 'wz'), nh.from_array(f(16, 16, 1, 1), 'W0')]
    nodes = [h.make_node('Conv', ['x', 'W0'], ['a'], name='c0'), h.make_node('DequantizeLinear', ['Wq', 'ws', 'wz'], ['W1'], name='dq'), h.make_node('Conv', ['a', 'W1'], ['y'], name='c1')]
    save(nodes, inits, [1, 16, 4, 4], [1, 16, 4, 4], name)


w = rng.integers(1, 255, (16, 16, 1, 1)).astype(np.uint8)
w[w == 128] = 129
raw_zero = w.copy()
raw_zero[:, 0::4] = 0
raw_zero[:, 1::4] = 0
dq_model('dq_false.onnx', raw_zero)
zp = w.copy()
zp[:, 0::4] = 128
zp[:, 1::4] = 128
dq_model('dq_true.onnx', zp)

# nan.onnx: 4 chained 3x3 Conv layers; the second's weight holds NaN, +Inf and -Inf.
ws = [f(8, 8, 3, 3) for _ in range(4)]
ws[1][0, 0, 0, 0] = np.nan
ws[1][1, 1, 1, 1] = np.inf
ws[1][2, 2, 2, 2] = -np.inf
nodes = chain('Conv', ws, 'N')
for n in nodes:
    n.attribute.append(h.make_attribute('pads', [1, 1, 1, 1]))
save(nodes, [nh.from_array(w, f'N{i}') for i, w in enumerate(ws)], [1, 8, 4, 4], [1, 8, 4, 4], 'nan.onnx')
