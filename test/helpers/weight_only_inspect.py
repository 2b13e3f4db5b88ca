"""Facts about a quantized model for test/weight-only.test.ts, as JSON on stdout.

argv: QUANTIZED ORIGINAL [DEQ_OUT]. Runs onnx.checker; lists every graph's nodes; for each
weight-only int8 tensor `<w>_int8` (Constant node or initializer, any graph) compares its
values and `<w>_scale` with numpy's symmetric int8 quantization of the original constant `<w>`
(one scale per row along the DequantizeLinear's axis, or per tensor; the scale is the DequantizeLinear's input 1). With DEQ_OUT, also
writes ORIGINAL with each such constant replaced by numpy's dequantized values.
"""
import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper as nh


def graphs(model):
    work = [('main', model.graph)]
    while work:
        path, g = work.pop(0)
        yield path, g
        for n in g.node:
            for a in n.attribute:
                if a.type == onnx.AttributeProto.GRAPH:
                    work.append((f'{path}/{n.name}.{a.name}', a.g))


def tensors(model):
    """Every initializer and Constant `value` by the name it defines: (graph path, tensor proto)."""
    out = {}
    for path, g in graphs(model):
        for t in g.initializer:
            out[t.name] = (path, t)
        for n in g.node:
            if n.op_type == 'Constant':
                for a in n.attribute:
                    if a.name == 'value':
                        out[n.output[0]] = (path, a.t)
    return out


def reference(w, axis):
    if axis is None:
        absmax = np.abs(w).max().reshape(1)
        shape = ()
    else:
        absmax = np.abs(np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1)).max(axis=1)
        shape = [1] * w.ndim
        shape[axis] = -1
    scale = ((2 * absmax.astype(np.float32)).astype(np.float64) / 254).astype(np.float32)
    scale[scale < np.finfo(np.float32).tiny] = 1
    s = scale.reshape(shape) if axis is not None else scale[0]
    q = np.clip(np.rint((w / s).astype(np.float32)), -128, 127)
    return q.astype(np.int8), scale, (q.astype(np.float32) * s).astype(np.float32)


quantized = onnx.load(sys.argv[1])
original = onnx.load(sys.argv[2])
onnx.checker.check_model(quantized)
qt = tensors(quantized)
ot = tensors(original)
dqs = {n.input[0]: n for _, g in graphs(quantized) for n in g.node if n.op_type == 'DequantizeLinear'}
weights = {}
deq = {}
for name, (path, t) in qt.items():
    base = name[:-len('_int8')]
    if not name.endswith('_int8') or base not in ot:
        continue
    dq = dqs[name]
    scale = qt[dq.input[1]][1]
    axis = next((a.i for a in dq.attribute if a.name == 'axis'), 1) if scale.dims else None
    q_ref, scale_ref, deq[base] = reference(nh.to_array(ot[base][1]), axis)
    weights[base] = {
        'graph': path, 'originalGraph': ot[base][0], 'dtype': t.data_type, 'dims': list(t.dims), 'axis': axis,
        'dqInputs': list(dq.input), 'dqOutput': dq.output[0], 'maxIntDiff': int(np.abs(nh.to_array(t).astype(np.int32) - q_ref).max()),
        'scaleEqual': bool(np.array_equal(nh.to_array(scale).reshape(-1), scale_ref)),
    }
facts = {
    'irVersion': quantized.ir_version,
    'opsets': {o.domain: o.version for o in quantized.opset_import},
    'graphs': {path: [{'op': n.op_type, 'name': n.name, 'inputs': list(n.input), 'outputs': list(n.output)} for n in g.node] for path, g in graphs(quantized)},
    'floatConstants': {k: list(t.dims) for k, (_, t) in qt.items() if t.data_type == 1},
    'int64Total': sum(1 for _, t in ot.values() if t.data_type == 7),
    'int64Kept': sum(1 for k, (_, t) in ot.items() if t.data_type == 7 and k in qt and np.array_equal(nh.to_array(t), nh.to_array(qt[k][1]))),
    'weights': weights,
}
if len(sys.argv) > 3:
    for _, g in graphs(original):
        for t in g.initializer:
            if t.name in deq:
                t.CopyFrom(nh.from_array(deq[t.name], t.name))
        for n in g.node:
            if n.op_type == 'Constant' and n.output[0] in deq:
                n.attribute[0].t.CopyFrom(nh.from_array(deq[n.output[0]], ''))
    onnx.save(original, sys.argv[3])
json.dump(facts, sys.stdout)
