"""same_graph.py A.onnx B.onnx: prints how B's graphs differ from A's, per python onnx: nodes and
their attributes (tensors by value, subgraphs recursively), inputs, outputs, initializer values,
opset imports; prints nothing if they are the same. Storage forms (raw_data or typed fields) may differ."""
import sys

import numpy as np
import onnx
from onnx import AttributeProto, helper, numpy_helper


def same_tensor(x, y):
    a, b = numpy_helper.to_array(x), numpy_helper.to_array(y)
    return x.name == y.name and a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind in 'fc')


def attribute_problems(x, y, where):
    if (x.name, x.type) != (y.name, y.type):
        return [f'{where}: attribute {x.name} ({x.type}) vs {y.name} ({y.type})']
    if x.type == AttributeProto.GRAPH:
        return graph_problems(x.g, y.g, f'{where}.{x.name}')
    if x.type == AttributeProto.GRAPHS:
        return sum((graph_problems(a, b, f'{where}.{x.name}[{i}]') for i, (a, b) in enumerate(zip(x.graphs, y.graphs))), [])
    if x.type == AttributeProto.TENSOR:
        return [] if same_tensor(x.t, y.t) else [f'{where}: attribute {x.name} value']
    if x.type == AttributeProto.TENSORS:
        return [] if len(x.tensors) == len(y.tensors) and all(map(same_tensor, x.tensors, y.tensors)) else [f'{where}: attribute {x.name} values']
    return [] if helper.get_attribute_value(x) == helper.get_attribute_value(y) else [f'{where}: attribute {x.name} value']


def graph_problems(a, b, where):
    problems = []
    if len(a.node) != len(b.node):
        return [f'{where}: {len(b.node)} nodes instead of {len(a.node)}']
    for i, (x, y) in enumerate(zip(a.node, b.node)):
        if (x.op_type, x.domain, x.name, list(x.input), list(x.output)) != (y.op_type, y.domain, y.name, list(y.input), list(y.output)):
            problems.append(f'{where}: node {i} ({x.name})')
        elif len(x.attribute) != len(y.attribute):
            problems.append(f'{where}: node {i} ({x.name}) attribute count')
        else:
            for p, q in zip(sorted(x.attribute, key=lambda t: t.name), sorted(y.attribute, key=lambda t: t.name)):
                problems += attribute_problems(p, q, f'{where}: node {i} ({x.name})')
    for what in ('input', 'output'):
        va = [(v.name, v.type.SerializeToString()) for v in getattr(a, what)]
        vb = [(v.name, v.type.SerializeToString()) for v in getattr(b, what)]
        if va != vb:
            problems.append(f'{where}: {what}s')
    if len(a.initializer) != len(b.initializer) or not all(map(same_tensor, a.initializer, b.initializer)):
        problems.append(f'{where}: initializers')
    return problems


a, b = (onnx.load(p) for p in sys.argv[1:3])
problems = graph_problems(a.graph, b.graph, 'graph')
if sorted((o.domain, o.version) for o in a.opset_import) != sorted((o.domain, o.version) for o in b.opset_import):
    problems.append('opset imports')
print('\n'.join(problems), end='')
