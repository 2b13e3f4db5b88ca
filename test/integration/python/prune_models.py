"""Writes the pruning tests' generated models into OUTDIR with python onnx (the reference):
hostile-convs.onnx: four 3x3 Convs with ReLUs between, 32 channels inside, node and weight names
built to break markup (listed in hostile-convs.json, in model order); weights from a seeded normal.
nothing-prunable.onnx: Add and Relu only, no weight a pruner could take."""
import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(11)

NAMES = [
    '<img src=x onerror="window.hacked=1">',
    '</td><script>window.hacked=2</script>',
    '"><svg onload="window.hacked=3">',
    'conv &amp; <b>last</b>',
]
channels = [3, 32, 32, 32, 8]
nodes, inits = [], []
x = 'input'
for i, name in enumerate(NAMES):
    w = rng.standard_normal((channels[i + 1], channels[i], 3, 3)).astype(np.float32) * 0.2
    b = rng.standard_normal(channels[i + 1]).astype(np.float32) * 0.1
    inits += [numpy_helper.from_array(w, f'{name}.weight'), numpy_helper.from_array(b, f'{name}.bias')]
    y = f'{name}.out'
    nodes.append(helper.make_node('Conv', [x, f'{name}.weight', f'{name}.bias'], [y], name=name, pads=[1, 1, 1, 1]))
    x = y
    if i < len(NAMES) - 1:
        nodes.append(helper.make_node('Relu', [x], [f'{name}.relu'], name=f'relu{i}'))
        x = f'{name}.relu'
nodes.append(helper.make_node('Identity', [x], ['output'], name='out'))
g = helper.make_graph(nodes, 'hostile_convs', [helper.make_tensor_value_info('input', TensorProto.FLOAT, [1, 3, 16, 16])],
                      [helper.make_tensor_value_info('output', TensorProto.FLOAT, [1, 8, 16, 16])], inits)
m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)])
onnx.checker.check_model(m)
onnx.save(m, f'{out}/hostile-convs.onnx')
with open(f'{out}/hostile-convs.json', 'w') as f:
    json.dump(NAMES, f)

c = numpy_helper.from_array(np.ones((1, 4), np.float32), 'c')
g = helper.make_graph([helper.make_node('Add', ['x', 'c'], ['s'], name='add'), helper.make_node('Relu', ['s'], ['y'], name='relu')], 'nothing_prunable',
                      [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 4])], [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, 4])], [c])
m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)])
onnx.checker.check_model(m)
onnx.save(m, f'{out}/nothing-prunable.onnx')
