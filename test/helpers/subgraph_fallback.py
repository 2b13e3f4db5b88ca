"""For test/accuracy-aware-subgraph.test.ts.

`model DIR`: writes DIR/if.onnx and calibration/eval folders of .npy samples (DIR/calib,
DIR/eval). X [1, 128, 16] -> Conv `A` (128 -> 128, its output channel 0 always zero) -> Y ->
If (condition a Constant true): then branch Conv `B` (Y -> 2, each row 100 at channel 0 and
small values elsewhere: per-channel int8 rounds every small value to 0, and channel 0 carries
nothing) + Conv `E` (Y -> 2, plain values); else branch Conv `D` (Y -> 2, plain values).
B's int8 weights are the only lossy ones.

`inspect MODEL`: JSON on stdout after onnx.checker: every node by id (`<node>/<attribute>/`
prefixes for subgraph nodes, node names being unique in these models) with its op type and,
for Conv/LSTM, whether its weight input is float or comes out of a DequantizeLinear.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh


def write_model(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.RandomState(11)
    a = (rng.randn(128, 128, 1) / np.sqrt(128)).astype(np.float32)
    a[0] = 0
    b = (rng.randn(2, 128, 1) * 0.3).astype(np.float32)
    b[:, 0, 0] = 100
    e = (rng.randn(2, 128, 1) * 0.3).astype(np.float32)
    d = (rng.randn(2, 128, 1) * 0.3).astype(np.float32)
    then_branch = h.make_graph(
        [h.make_node('Conv', ['Y', 'WB'], ['ZB'], name='B'), h.make_node('Conv', ['Y', 'WE'], ['ZE'], name='E'), h.make_node('Add', ['ZB', 'ZE'], ['Zt'], name='sum')],
        'then', [], [h.make_tensor_value_info('Zt', T.FLOAT, [1, 2, 16])], [nh.from_array(b, 'WB'), nh.from_array(e, 'WE')])
    else_branch = h.make_graph([h.make_node('Conv', ['Y', 'WD'], ['Ze'], name='D')], 'else', [], [h.make_tensor_value_info('Ze', T.FLOAT, [1, 2, 16])], [nh.from_array(d, 'WD')])
    graph = h.make_graph(
        [
            h.make_node('Conv', ['X', 'WA'], ['Y'], name='A'),
            h.make_node('Constant', [], ['cond'], name='cond', value=nh.from_array(np.array(True), '')),
            h.make_node('If', ['cond'], ['Z'], name='branch', then_branch=then_branch, else_branch=else_branch),
        ],
        'if_fallback', [h.make_tensor_value_info('X', T.FLOAT, [1, 128, 16])], [h.make_tensor_value_info('Z', T.FLOAT, [1, 2, 16])], [nh.from_array(a, 'WA')])
    model = h.make_model(graph, opset_imports=[h.make_opsetid('', 13)], ir_version=7)
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(out, 'if.onnx'))
    for folder, count in (('calib', 48), ('eval', 24)):
        os.makedirs(os.path.join(out, folder), exist_ok=True)
        for i in range(count):
            np.save(os.path.join(out, folder, f'{i:03d}.npy'), rng.randn(1, 128, 16).astype(np.float32))


def inspect(path):
    model = onnx.load(path)
    onnx.checker.check_model(model)
    nodes = {}
    work = [('', model.graph, [])]
    while work:
        prefix, g, scopes = work.pop()
        scopes = scopes + [g]
        producers = {o: n for n in g.node for o in n.output}
        for n in g.node:
            info = {'op': n.op_type}
            if n.op_type in ('Conv', 'LSTM') and len(n.input) > 1:
                info['weight'] = weight_kind(n.input[1], scopes)
            nodes[prefix + n.name] = info
            for a in n.attribute:
                if a.type == onnx.AttributeProto.GRAPH:
                    work.append((f'{prefix}{n.name}/{a.name}/', a.g, scopes))
    print(json.dumps(nodes))


def weight_kind(name, scopes):
    """'float' (a float initializer or Constant), 'dequantized' (a DequantizeLinear's output) or what produces it, innermost scope first."""
    for g in reversed(scopes):
        for t in g.initializer:
            if t.name == name:
                return 'float' if t.data_type == T.FLOAT else f'initializer {t.data_type}'
        for n in g.node:
            if name in n.output:
                if n.op_type == 'DequantizeLinear':
                    return 'dequantized'
                if n.op_type == 'Constant':
                    return 'float' if n.attribute[0].t.data_type == T.FLOAT else 'constant'
                return n.op_type
    return 'unknown'


if sys.argv[1] == 'model':
    write_model(sys.argv[2])
else:
    inspect(sys.argv[2])
