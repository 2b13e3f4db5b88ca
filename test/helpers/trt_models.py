"""Small models for the trt-check tests, written with python onnx's helper (the reference
builder). Usage: trt_models.py OUT_DIR. Writes matmulnbits.onnx (a com.microsoft MatMulNBits
between float ops) and rmsnorm-attention.onnx (opset 23: RMSNormalization, Attention), and
prints, as JSON, the node names per op type that each model holds."""
import json
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

out = sys.argv[1]
F = TensorProto.FLOAT

# x[1,16] -> Relu -> MatMulNBits(4-bit, K=16, N=8, block 16) -> Add -> y
k, n, block = 16, 8, 16
blob = numpy_helper.from_array(np.arange(n * 1 * (block // 2), dtype=np.uint8).reshape(n, 1, block // 2) % 255, 'w_q')
scales = numpy_helper.from_array(np.full((n,), 0.01, np.float32), 'w_scales')
bias = numpy_helper.from_array(np.zeros((n,), np.float32), 'bias')
g = helper.make_graph(
    [
        helper.make_node('Relu', ['x'], ['r'], name='relu'),
        helper.make_node('MatMulNBits', ['r', 'w_q', 'w_scales'], ['m'], name='nbits', domain='com.microsoft', K=k, N=n, bits=4, block_size=block),
        helper.make_node('Add', ['m', 'bias'], ['y'], name='add'),
    ],
    'nbits', [helper.make_tensor_value_info('x', F, [1, k])], [helper.make_tensor_value_info('y', F, [1, n])], [blob, scales, bias])
save(helper.make_model(g, opset_imports=[helper.make_opsetid('', 17), helper.make_opsetid('com.microsoft', 1)]), f'{out}/matmulnbits.onnx')

# q,k,v [1,2,4,8] -> Attention (4D) -> RMSNormalization -> Relu
scale = numpy_helper.from_array(np.ones((8,), np.float32), 'gamma')
g = helper.make_graph(
    [
        helper.make_node('Attention', ['q', 'k', 'v'], ['a'], name='attention'),
        helper.make_node('RMSNormalization', ['a', 'gamma'], ['n'], name='rmsnorm', axis=-1),
        helper.make_node('Relu', ['n'], ['y'], name='relu'),
    ],
    'llm', [helper.make_tensor_value_info(name, F, [1, 2, 4, 8]) for name in 'qkv'], [helper.make_tensor_value_info('y', F, [1, 2, 4, 8])], [scale])
save(helper.make_model(g, opset_imports=[helper.make_opsetid('', 23)]), f'{out}/rmsnorm-attention.onnx')
print(json.dumps({'matmulnbits': {'MatMulNBits': ['nbits']}, 'rmsnorm-attention': {'Attention': ['attention'], 'RMSNormalization': ['rmsnorm']}}))
