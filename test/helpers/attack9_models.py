"""Models for test/attack9-*.test.ts: a Relu the cpu preset would fold, whose output is read where no
Q/DQ pair can clamp it (a graph output, an If branch, a node kept float), and calibration .npy files."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

out = sys.argv[1]
rng = np.random.default_rng(0)


def conv_w(name):
    return nh.from_array((rng.standard_normal((3, 3, 3, 3)) * 0.2).astype(np.float32), name)


def vi(name):
    return h.make_tensor_value_info(name, T.FLOAT, [1, 3, 8, 8])


def conv(x, w, y, name):
    return h.make_node('Conv', [x, w], [y], name=name, pads=[1, 1, 1, 1])


def save(graph, name):
    m = h.make_model(graph, opset_imports=[h.make_opsetid('', 13)])
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, os.path.join(out, name))


# Conv -> Relu whose output is the graph output (and a Conv -> Add before it).
save(h.make_graph([conv('x', 'w', 'a1', 'c1'), h.make_node('Relu', ['a1'], ['a2'], name='relu1'), conv('a2', 'w2', 'a3', 'c2'),
                   h.make_node('Add', ['a3', 'cst'], ['a4'], name='add'), h.make_node('Relu', ['a4'], ['y'], name='relu2')],
                  'g', [vi('x')], [vi('y')], [conv_w('w'), conv_w('w2'), nh.from_array(np.full((1, 3, 1, 1), 0.1, np.float32), 'cst')]),
     'relu_output.onnx')
# Relu output read by a quantized Conv and by a Conv the test excludes (c3).
save(h.make_graph([conv('x', 'w', 'a', 'c1'), h.make_node('Relu', ['a'], ['r'], name='relu'), conv('r', 'w2', 'y1', 'c2'), conv('r', 'w3', 'y2', 'c3')],
                  'g', [vi('x')], [vi('y1'), vi('y2')], [conv_w('w'), conv_w('w2'), conv_w('w3')]),
     'relu_excluded_reader.onnx')
# Relu output read inside both If branches.
then_g = h.make_graph([h.make_node('Mul', ['r', 'two'], ['t'], name='sub_mul')], 'then', [], [vi('t')])
else_g = h.make_graph([h.make_node('Identity', ['r'], ['e'], name='sub_id')], 'else', [], [vi('e')])
save(h.make_graph([conv('x', 'w', 'a', 'c1'), h.make_node('Relu', ['a'], ['r'], name='relu'), conv('r', 'w2', 'y1', 'c2'),
                   h.make_node('If', ['c'], ['y2'], then_branch=then_g, else_branch=else_g, name='if')],
                  'g', [vi('x')], [vi('y1'), vi('y2')],
                  [conv_w('w'), conv_w('w2'), nh.from_array(np.array(2, np.float32), 'two'), nh.from_array(np.array(True), 'c')]),
     'relu_in_if.onnx')

calib = os.path.join(out, 'calib')
os.makedirs(calib, exist_ok=True)
data = np.random.default_rng(1)
for i in range(10):
    np.save(os.path.join(calib, f's{i:02d}.npy'), data.standard_normal((1, 3, 8, 8)).astype(np.float32))

# sqrt_nan.onnx: Sqrt of inputs with -1 in one lane of every four (NaN there), the largest values
# in another lane; Mul reads it, so its range is calibrated. calib-nan/ holds its samples.
vi64 = lambda n: h.make_tensor_value_info(n, T.FLOAT, [1, 64])
m = h.make_model(h.make_graph([h.make_node('Sqrt', ['x'], ['s'], name='sqrt'), h.make_node('Mul', ['s', 'c'], ['y'], name='mul')], 'g', [vi64('x')], [vi64('y')],
                              [nh.from_array(np.linspace(0.5, 1.5, 64, dtype=np.float32).reshape(1, 64), 'c')]), opset_imports=[h.make_opsetid('', 13)])
onnx.checker.check_model(m, full_check=True)
onnx.save(m, os.path.join(out, 'sqrt_nan.onnx'))
for sub in ('calib-nan', 'eval-nan'):
    os.makedirs(os.path.join(out, sub), exist_ok=True)
data = np.random.default_rng(3)
for i in range(6):
    x = data.uniform(0, 4, (1, 64)).astype(np.float32)
    x[0, 1::4] = -1
    x[0, 3::8] = float(9 + i)
    np.save(os.path.join(out, 'calib-nan', f's{i}.npy'), x)
np.save(os.path.join(out, 'eval-nan', 'e0.npy'), data.uniform(0, 4, (1, 64)).astype(np.float32))

# node_names.onnx: relu_output.onnx's graph with node names the in-graph calibration would give its own nodes.
m = onnx.load(os.path.join(out, 'relu_output.onnx'))
for node, name in zip(m.graph.node, ['a1__calib_min', 'a2__calib_max', 'a3__calib_top', 'x__calib_size', 'a4__calib_sum']):
    node.name = name
onnx.checker.check_model(m, full_check=True)
onnx.save(m, os.path.join(out, 'node_names.onnx'))

# argmax_outputs.onnx: Conv -> y (float), ArgMax(y) -> idx (int64), Greater(y, 0) -> flag (bool):
# integer and bool outputs, compared element by element rather than by cosine.
save(h.make_graph([conv('x', 'w', 'y', 'c1'), h.make_node('ArgMax', ['y'], ['idx'], name='argmax', axis=1),
                   h.make_node('Greater', ['y', 'zero'], ['flag'], name='greater')],
                  'g', [vi('x')], [vi('y'), h.make_tensor_value_info('idx', T.INT64, [1, 1, 8, 8]), h.make_tensor_value_info('flag', T.BOOL, [1, 3, 8, 8])],
                  [conv_w('w'), nh.from_array(np.array(0, np.float32), 'zero')]),
     'argmax_outputs.onnx')
