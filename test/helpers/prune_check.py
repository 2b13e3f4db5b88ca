"""Independent numpy reference for test/prune-*.test.ts.

argv: ORIGINAL PRUNED SPEC_JSON REFERENCE_OUT
spec: {"mode": "layer" | "global" | "2:4", "ratio": r,
       "layers": [{"node": name, "ratio": r or null}], "untouched": [node names]}
Reference selection: the k smallest |w| by a stable argsort (ties: lower flat index first; in
'global', over the pruned tensors concatenated in the order of the layers given, each tensor
once); 2:4: along the node's reduction axis (Conv 1, Gemm K per transB, MatMul B's second to
last), in each group of 4 keep the 2 largest |w|, ties to the lower index.
Writes REFERENCE_OUT: the original model where each pruned node reads its own initializer
holding the reference values. Prints JSON facts about PRUNED against the reference.
"""
import json
import sys

import numpy as np
import onnx
from onnx import numpy_helper as nh

orig_path, pruned_path, spec_path, ref_out = sys.argv[1:5]
spec = json.load(open(spec_path))
orig = onnx.load(orig_path)
pruned = onnx.load(pruned_path)
onnx.checker.check_model(pruned)


def weight(model, node_name, index=1):
    g = model.graph
    node = next(n for n in g.node if n.name == node_name)
    name = node.input[index]
    producers = {o: n for n in g.node for o in n.output}
    inits = {t.name: t for t in g.initializer}
    while True:
        if name in inits:
            return node, name, inits[name]
        p = producers[name]
        if p.op_type == 'Identity':
            name = p.input[0]
            continue
        assert p.op_type == 'Constant', p.op_type
        return node, name, next(a.t for a in p.attribute if a.name == 'value')


def reduction_axis(node, w):
    if node.op_type == 'Conv':
        return 1
    if node.op_type == 'Gemm':
        trans_b = next((a.i for a in node.attribute if a.name == 'transB'), 0)
        return 1 if trans_b else 0
    return w.ndim - 2


def smallest(flat, k):
    mask = np.zeros(flat.size, dtype=bool)
    mask[np.argsort(np.abs(flat), kind='stable')[:k]] = True
    return mask


def two_four(w, axis):
    moved = np.moveaxis(w, axis, -1)
    groups = moved.reshape(-1, 4)
    order = np.argsort(-np.abs(groups), axis=1, kind='stable')
    out = groups.copy()
    np.put_along_axis(out, order[:, 2:], 0, axis=1)
    return np.moveaxis(out.reshape(moved.shape), -1, axis), np.all((out == 0).sum(axis=1) >= 2)


originals = {}
for entry in spec['layers']:
    node, name, t = weight(orig, entry['node'])
    originals[entry['node']] = (node, name, nh.to_array(t).astype(np.float32))

reference = {}
if spec['mode'] == 'global':
    ranked = [e for e in spec['layers'] if e.get('ratio') is None]
    tensors = []
    for e in ranked:
        name = originals[e['node']][1]
        if name not in [n for n, _ in tensors]:
            tensors.append((name, originals[e['node']][2]))
    flat = np.concatenate([w.ravel() for _, w in tensors]) if tensors else np.zeros(0, np.float32)
    mask = smallest(flat, int(np.floor(spec['ratio'] * flat.size + 0.5)))
    at = 0
    by_name = {}
    for name, w in tensors:
        v = w.ravel().copy()
        v[mask[at:at + v.size]] = 0
        by_name[name] = v.reshape(w.shape)
        at += w.size
    for e in ranked:
        reference[e['node']] = by_name[originals[e['node']][1]]
for e in spec['layers']:
    node, name, w = originals[e['node']]
    if spec['mode'] == '2:4':
        reference[e['node']] = two_four(w, reduction_axis(node, w))[0]
    elif e['node'] not in reference:
        r = e['ratio'] if e.get('ratio') is not None else spec['ratio']
        v = w.ravel().copy()
        v[smallest(v, int(np.floor(r * v.size + 0.5)))] = 0
        reference[e['node']] = v.reshape(w.shape)

facts = {'layers': {}, 'untouched': {}}
seen = {}
for e in spec['layers']:
    node, name, t = weight(pruned, e['node'])
    got = nh.to_array(t)
    want = reference[e['node']]
    zeros = int((got == 0).sum())
    entry = {'weight': name, 'elements': int(got.size), 'zeros': zeros, 'equal': bool(got.shape == want.shape and np.array_equal(got, want)),
             'referenceZeros': int((want == 0).sum())}
    if spec['mode'] == '2:4':
        entry['pattern'] = bool(two_four(got, reduction_axis(node, got))[1])
    facts['layers'][e['node']] = entry
    seen[name] = (zeros, int(got.size))
facts['sparsity'] = sum(z for z, _ in seen.values()) / max(1, sum(n for _, n in seen.values()))
for name in spec.get('untouched', []):
    _, a_name, a = weight(orig, name)
    _, b_name, b = weight(pruned, name)
    facts['untouched'][name] = {'name': b_name, 'same': a_name == b_name and nh.to_array(a).tobytes() == nh.to_array(b).tobytes()}

for e in spec['layers']:
    node = next(n for n in orig.graph.node if n.name == e['node'])
    ref_name = 'ref_' + e['node']
    orig.graph.initializer.append(nh.from_array(reference[e['node']], ref_name))
    node.input[1] = ref_name
onnx.save(orig, ref_out)
print(json.dumps(facts))
