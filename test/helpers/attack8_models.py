"""Models the attack8 tests feed the CLI, written into the folder given as argv[1]."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

out = sys.argv[1]
x = h.make_tensor_value_info('x', T.FLOAT, [1, 16])
y = h.make_tensor_value_info('y', T.FLOAT, [1, 8])


def save(name, nodes, weights, opsets=(('', 13),), **kw):
    g = h.make_graph(nodes, 'g', [x], [y], [nh.from_array(w, n) for n, w in weights.items()])
    m = h.make_model(g, opset_imports=[h.make_opsetid(d, v) for d, v in opsets], **kw)
    m.ir_version = 8
    path = os.path.join(out, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if name.startswith('ext/'):
        onnx.save_model(m, path, save_as_external_data=True, location='model.onnx.data', size_threshold=0)
    else:
        onnx.save(m, path)


w = np.random.RandomState(0).randn(16, 8).astype(np.float32)
save('plain.onnx', [h.make_node('MatMul', ['x', 'W'], ['y'], name='mm')], {'W': w})
save('ext/model.onnx', [h.make_node('MatMul', ['x', 'W'], ['y'], name='mm')], {'W': w})
bad = w.copy()
bad[0, 0], bad[1, 1] = np.nan, np.inf
save('nan.onnx', [h.make_node('MatMul', ['x', 'W'], ['y'], name='mm')], {'W': bad})
# ORT refuses the model (two nodes named 'dup'); our reader and transforms take it.
sq = np.random.RandomState(1).randn(16, 16).astype(np.float32)
save('dup.onnx', [h.make_node('MatMul', ['x', 'S'], ['t'], name='dup'), h.make_node('MatMul', ['t', 'W'], ['y'], name='dup')], {'S': sq, 'W': w})
# The only MatMul is inside a model-local function: no activation to calibrate.
f = h.make_function('my', 'F', ['a', 'b'], ['c'], [h.make_node('MatMul', ['a', 'b'], ['c'])], [h.make_opsetid('', 13)])
save('func.onnx', [h.make_node('F', ['x', 'W'], ['y'], domain='my', name='f')], {'W': w}, opsets=(('', 13), ('my', 1)), functions=[f])
os.makedirs(os.path.join(out, 'calib'), exist_ok=True)
for i in range(5):
    np.save(os.path.join(out, 'calib', '%d.npy' % i), np.random.RandomState(10 + i).randn(1, 16).astype(np.float32))
