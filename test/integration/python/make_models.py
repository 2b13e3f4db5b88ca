"""Writes the integration tests' generated models into OUTDIR with python onnx (the reference):
dtypes.onnx: one initializer per dtype, each read by an Identity node named id_<initializer>;
hostile.onnx: node and value names built to break markup (names listed in hostile-names.json)."""
import json
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(7)

arrays = {
    'w_f32': rng.standard_normal((3, 4)).astype(np.float32),
    'w_f16': np.array([1.5, -0.0, 65504, np.inf, -np.inf, np.nan, 6e-8], dtype=np.float16),
    'w_f64': np.array([[1 / 3, -2.5e300], [5e-324, 0]], dtype=np.float64),
    'w_i64': np.array([2**62 + 1, -(2**63), 0, -1, 2**53 + 1], dtype=np.int64),
    'w_u64': np.array([2**64 - 1, 2**63, 1], dtype=np.uint64),
    'w_i32': np.array([-(2**31), 2**31 - 1, 7], dtype=np.int32),
    'w_u8': np.array([0, 255, 128], dtype=np.uint8),
    'w_i8': np.array([-128, 127, 0], dtype=np.int8),
    'w_bool': np.array([True, False, True], dtype=np.bool_),
}
nodes, outputs, inits = [], [], []
for name, a in arrays.items():
    inits.append(numpy_helper.from_array(a, name))
    nodes.append(helper.make_node('Identity', [name], [f'{name}_out'], name=f'id_{name}'))
    outputs.append(helper.make_tensor_value_info(f'{name}_out', inits[-1].data_type, list(a.shape)))
g = helper.make_graph(nodes, 'dtypes', [], outputs, inits)
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)]), f'{out}/dtypes.onnx')

HOSTILE = [
    '<script>alert(1)</script>',
    '"><img src=x onerror=alert(1)>',
    ']]>',
    'a & b &amp; c <!-- d',
    "ctl\x01\x02\x08\x0b\x0c\x1b\x1f end 'q'",
    'n' * (1 << 20),
]
nodes, inputs, outputs = [], [], []
for i, name in enumerate(HOSTILE):
    inputs.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, 4]))
    nodes.append(helper.make_node('Relu', [name], [f'{name}#{i}'], name=name))
    outputs.append(helper.make_tensor_value_info(f'{name}#{i}', TensorProto.FLOAT, [1, 4]))
g = helper.make_graph(nodes, 'hostile', inputs, outputs)
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)]), f'{out}/hostile.onnx')
with open(f'{out}/hostile-names.json', 'w') as f:
    json.dump(HOSTILE, f)
