"""Reproduces a channel-pruning recipe with numpy: slices each listed weight of the original model
along the recipe's `axis` (kept channels, `featuresPerChannel` rows each, at the `segments`
positions), every unit's cut applied, and compares with the pruned model's weight of the node
of the same `name`, at the same input.

argv: ORIGINAL PRUNED RECIPE.json. Prints JSON: checked (weights compared), readers (op type:
count of checked readers), mismatches (what differs).
"""
import json
import sys
from collections import defaultdict

import numpy as np
import onnx
from onnx import numpy_helper


def weights(path):
    m = onnx.load(path)
    g = m.graph
    values = {t.name: t for t in g.initializer}
    for n in g.node:
        if n.op_type == 'Constant':
            values[n.output[0]] = next(a.t for a in n.attribute if a.name == 'value')
    identity = {n.output[0]: n.input[0] for n in g.node if n.op_type == 'Identity'}

    def resolve(name):
        for _ in range(64):
            if name in values or name not in identity:
                break
            name = identity[name]
        return name

    return {n.name: n for n in g.node}, values, resolve


nodes, values, resolve = weights(sys.argv[1])
pruned_nodes, pruned_values, pruned_resolve = weights(sys.argv[2])
recipe = json.load(open(sys.argv[3]))

removed = defaultdict(set)  # (node name, input index, axis) -> removed positions
ops = {}
for unit in recipe['units']:
    gone = sorted(set(range(unit['channelsBefore'])) - set(unit['keptChannels']))
    for entry in unit['producers'] + unit['readers']:
        if 'weight' not in entry or 'axis' not in entry:
            continue
        node = nodes[entry['name']]
        k = next(i for i, x in enumerate(node.input) if x and resolve(x) == entry['weight'])
        n = entry.get('featuresPerChannel', 1)
        segments = entry.get('segments', [{'at': 0, 'from': 0, 'count': unit['channelsBefore']}])
        for s in segments:
            for c in gone:
                if s['from'] <= c < s['from'] + s['count']:
                    p = s['at'] + c - s['from']
                    removed[(entry['name'], k, entry['axis'])].update(range(p * n, p * n + n))
        if entry in unit['readers']:
            ops[(entry['name'], k)] = node.op_type

by_input = defaultdict(dict)
for (name, k, axis), gone in removed.items():
    by_input[(name, k)][axis] = gone
mismatches = []
for (name, k), axes in by_input.items():
    original = numpy_helper.to_array(values[resolve(nodes[name].input[k])])
    expected = original
    for axis, gone in axes.items():
        expected = np.take(expected, [i for i in range(original.shape[axis]) if i not in gone], axis=axis)
    actual = numpy_helper.to_array(pruned_values[pruned_resolve(pruned_nodes[name].input[k])])
    if actual.shape != expected.shape or not np.array_equal(actual, expected):
        mismatches.append(f'{name} input {k}: {actual.shape} vs sliced {expected.shape}')
readers = defaultdict(int)
for op in ops.values():
    readers[op] += 1
print(json.dumps({'checked': len(by_input), 'readers': readers, 'mismatches': mismatches}))
