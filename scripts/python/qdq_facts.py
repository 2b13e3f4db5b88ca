"""Facts about a QDQ model, read with python onnx (tests compare them with what a preset promises).

Prints JSON: op counts over every graph; per Q/DQ node its name, first input, output and zero
point (name, or null when absent), the dtype of its quantized side and of its zero point, the
zero point's values; and for Conv/Gemm whose bias comes from an int32 DequantizeLinear, the
largest relative gap between the bias scale and input scale x weight scale.
"""
import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper

model = onnx.load(sys.argv[1])
graphs = [model.graph]
for g in graphs:
    for n in g.node:
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH:
                graphs.append(a.g)
            graphs.extend(a.graphs)

consts = {}
producers = {}
for g in graphs:
    for t in g.initializer:
        consts[t.name] = numpy_helper.to_array(t)
    for n in g.node:
        for o in n.output:
            producers[o] = n
        if n.op_type == "Constant":
            for a in n.attribute:
                if a.name == "value":
                    consts[n.output[0]] = numpy_helper.to_array(a.t)

ops = {}
qdq = []
for g in graphs:
    for n in g.node:
        ops[n.op_type] = ops.get(n.op_type, 0) + 1
        if n.op_type in ("QuantizeLinear", "DequantizeLinear"):
            zp = consts.get(n.input[2]) if len(n.input) > 2 and n.input[2] else None
            x = consts.get(n.input[0]) if n.op_type == "DequantizeLinear" else None
            qdq.append({
                "op": n.op_type, "name": n.name, "input": n.input[0], "output": n.output[0],
                "zeroPoint": (n.input[2] or None) if len(n.input) > 2 else None,
                "zeroPointType": None if zp is None else str(zp.dtype),
                "zeroPointValues": [] if zp is None else sorted(set(int(v) for v in zp.reshape(-1))),
                "constantInputType": None if x is None else str(x.dtype),
            })


def dq_of(name):
    n = producers.get(name)
    return n if n is not None and n.op_type == "DequantizeLinear" else None


bias_gap = 0.0
int32_biases = 0
float_biases = 0
for n in model.graph.node:
    if n.op_type not in ("Conv", "Gemm") or len(n.input) < 3:
        continue
    b, x, w = dq_of(n.input[2]), dq_of(n.input[0]), dq_of(n.input[1])
    if b is None:
        float_biases += 1
        continue
    if str(consts[b.input[0]].dtype) != "int32" or x is None or w is None:
        continue
    int32_biases += 1
    expected = (consts[x.input[1]].astype(np.float32) * consts[w.input[1]].astype(np.float32)).astype(np.float32)
    got = consts[b.input[1]]
    bias_gap = max(bias_gap, float(np.max(np.abs(got - expected) / np.abs(expected))))

print(json.dumps({"ops": ops, "qdq": qdq, "int32Biases": int32_biases, "floatBiases": float_biases, "biasScaleGap": bias_gap}))
