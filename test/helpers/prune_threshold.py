"""Global-cut check without a sort, for models too large for prune_check.py's argsort.

argv: ORIGINAL PRUNED NODES_JSON (node names). Per node: the weight (initializer, through
Identity) before and after. Prints JSON: elements and zeros over the distinct tensors, whether
every kept value is the original's, and the largest |w| zeroed against the smallest kept.
"""
import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper as nh

orig, pruned = (onnx.load(p) for p in sys.argv[1:3])
nodes = json.loads(sys.argv[3])


def weight(model, node_name):
    g = model.graph
    node = next(n for n in g.node if n.name == node_name)
    name = node.input[1]
    producers = {o: n for n in g.node for o in n.output}
    inits = {t.name: t for t in g.initializer}
    while name not in inits:
        name = producers[name].input[0]
    return name, nh.to_array(inits[name])


seen = set()
elements = zeros = 0
kept_same = True
max_zeroed, min_kept = 0.0, float('inf')
for n in nodes:
    name, after = weight(pruned, n)
    if name in seen:
        continue
    seen.add(name)
    before = weight(orig, n)[1].astype(np.float32)
    zero = after == 0
    elements += after.size
    zeros += int(zero.sum())
    kept_same = kept_same and bool(np.array_equal(after[~zero], before[~zero]))
    if zero.any():
        max_zeroed = max(max_zeroed, float(np.abs(before[zero]).max()))
    if (~zero).any():
        min_kept = min(min_kept, float(np.abs(before[~zero]).min()))
print(json.dumps({'elements': elements, 'zeros': zeros, 'keptSame': kept_same, 'maxZeroed': max_zeroed, 'minKept': min_kept}))
