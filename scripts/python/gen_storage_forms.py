"""Generates models covering every way a TensorProto stores its values, with python onnx's helper.

Usage: gen_storage_forms.py OUT_DIR
Writes OUT_DIR/<name>/model.onnx (external data beside it where used) and OUT_DIR/manifest.json:
for each model, every tensor (by name) with dtype, dims and the values numpy reads through
onnx.numpy_helper, as text (floats repr'd, 'nan'/'inf' spelled out, complex as [re, im] pairs),
plus the feeds and expected outputs for the models onnxruntime can run.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1]
RNG = np.random.default_rng(7)

NUMPY = {
    'float': np.float32, 'double': np.float64, 'float16': np.float16, 'int8': np.int8, 'uint8': np.uint8,
    'int16': np.int16, 'uint16': np.uint16, 'int32': np.int32, 'uint32': np.uint32, 'int64': np.int64,
    'uint64': np.uint64, 'bool': np.bool_, 'complex64': np.complex64, 'complex128': np.complex128,
}
ONNX_TYPE = {
    'float': TensorProto.FLOAT, 'double': TensorProto.DOUBLE, 'float16': TensorProto.FLOAT16, 'bfloat16': TensorProto.BFLOAT16,
    'int8': TensorProto.INT8, 'uint8': TensorProto.UINT8, 'int16': TensorProto.INT16, 'uint16': TensorProto.UINT16,
    'int32': TensorProto.INT32, 'uint32': TensorProto.UINT32, 'int64': TensorProto.INT64, 'uint64': TensorProto.UINT64,
    'bool': TensorProto.BOOL, 'complex64': TensorProto.COMPLEX64, 'complex128': TensorProto.COMPLEX128, 'string': TensorProto.STRING,
}


def sample(dtype, n):
    """Values that exercise the type: extremes, negatives, non-finite floats."""
    if dtype == 'string':
        return np.array([['', 'a', 'héllo', 'x' * 40][i % 4] + str(i) for i in range(n)], dtype=object)
    if dtype == 'bool':
        return np.arange(n) % 3 == 0
    if dtype in ('float', 'double', 'float16', 'bfloat16'):
        special = [0.0, -0.0, 1.5, -2.25, np.inf, -np.inf, np.nan, 65504.0 if dtype == 'float16' else 3.0e38, 1e-7]
        v = np.array([special[i] if i < len(special) else RNG.standard_normal() * 10 for i in range(n)])
        return v.astype(np.float32 if dtype == 'bfloat16' else NUMPY[dtype])
    if dtype.startswith('complex'):
        return (RNG.standard_normal(n) + 1j * RNG.standard_normal(n)).astype(NUMPY[dtype])
    info = np.iinfo(NUMPY[dtype])
    edge = [info.min, info.max, 0, 1, -1 if info.min < 0 else 2]
    v = [edge[i] if i < len(edge) else int(RNG.integers(info.min, info.max, dtype=NUMPY[dtype], endpoint=True)) for i in range(n)]
    return np.array(v, dtype=NUMPY[dtype])


def tensor(name, dtype, values, raw):
    """A TensorProto in typed fields (raw=False) or raw_data, as python onnx's helper writes it."""
    if dtype == 'string':
        return helper.make_tensor(name, TensorProto.STRING, values.shape, [s.encode() for s in values.ravel()])
    if dtype == 'bfloat16':
        bits = (values.astype(np.float32).view(np.uint32) >> 16).astype(np.uint16)
        if raw:
            return helper.make_tensor(name, TensorProto.BFLOAT16, values.shape, bits.tobytes(), raw=True)
        t = helper.make_tensor(name, TensorProto.INT32, values.shape, [int(b) for b in bits.ravel()])
        t.data_type = TensorProto.BFLOAT16
        return t
    if raw:
        return helper.make_tensor(name, ONNX_TYPE[dtype], values.shape, values.tobytes(), raw=True)
    return helper.make_tensor(name, ONNX_TYPE[dtype], values.shape, values.ravel().tolist())


def text_values(t):
    """The values numpy reads, as exact text."""
    if t.data_type in (TensorProto.COMPLEX64, TensorProto.COMPLEX128) and not t.raw_data:
        # numpy_helper 1.12 fails on typed complex fields with current numpy: pair them here.
        parts = np.array(t.float_data if t.data_type == TensorProto.COMPLEX64 else t.double_data, np.float32 if t.data_type == TensorProto.COMPLEX64 else np.float64)
        a = parts[0::2] + 1j * parts[1::2]
    else:
        a = numpy_helper.to_array(t)
    if t.data_type == TensorProto.BFLOAT16 and a.dtype != np.float32:
        a = (a.astype(np.uint32) << 16).view(np.float32)
    def one(x):
        if isinstance(x, (bytes, str)):
            return x.decode() if isinstance(x, bytes) else x
        if isinstance(x, (complex, np.complexfloating)):
            return [one(x.real), one(x.imag)]
        if isinstance(x, (float, np.floating)):
            return 'nan' if np.isnan(x) else repr(float(x))
        return str(int(x))
    return [one(x) for x in a.ravel().tolist()]


def all_tensors(model):
    """(label, TensorProto): initializers, sparse initializers' parts and attribute tensors of graphs and functions."""
    out = []
    def graph(g):
        out.extend((t.name, t) for t in g.initializer)
        for s in g.sparse_initializer:
            out.extend([(s.values.name, s.values), (s.indices.name, s.indices)])
        nodes(g.node)
    def nodes(ns):
        for n in ns:
            for a in n.attribute:
                if a.HasField('t'):
                    out.append((a.t.name, a.t))
                for g in [a.g] if a.HasField('g') else []:
                    graph(g)
    graph(model.graph)
    for f in model.functions:
        nodes(f.node)
    return out


manifest = {}


def save(name, model, feeds=None, external=False, runs=True):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, 'model.onnx')
    expected = {label: {'dtype': t.data_type, 'dims': list(t.dims), 'values': text_values(t)} for label, t in all_tensors(model)}
    if external:
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True, location='weights.bin', size_threshold=0)
    else:
        onnx.save_model(model, path)
    manifest[name] = {'path': path, 'tensors': expected, 'runs': runs, 'feeds': {k: {'dtype': str(v.dtype), 'dims': list(v.shape), 'values': v.ravel().tolist()} for k, v in (feeds or {}).items()}}


def identity_model(tensors, opset=17, ir=8):
    """Each tensor an initializer passed through Identity to an output of its own."""
    outs = [helper.make_tensor_value_info(f'y_{t.name}', t.data_type, list(t.dims)) for t in tensors]
    nodes = [helper.make_node('Identity', [t.name], [f'y_{t.name}']) for t in tensors]
    g = helper.make_graph(nodes, 'g', [], outs, initializer=tensors)
    return helper.make_model(g, opset_imports=[helper.make_opsetid('', opset)], ir_version=ir)


SMALL = 7  # fewer than the printer's inline limit
LARGE = 1100  # over 1 KiB in every typed field: kept lazily by the decoder

for raw in (False, True):
    form = 'raw' if raw else 'typed'
    for size, n in (('small', SMALL), ('large', LARGE)):
        dtypes = [d for d in ONNX_TYPE if not (raw and d == 'string')]
        runnable = [d for d in dtypes if d not in ('bfloat16', 'complex64', 'complex128')]
        tensors = [tensor(f'{d}_{form}_{size}', d, sample(d, n).reshape(-1) if n == SMALL else sample(d, n).reshape(11, 100), raw) for d in dtypes]
        save(f'{form}_{size}_ort', identity_model([t for t, d in zip(tensors, dtypes) if d in runnable]))
        save(f'{form}_{size}_other', identity_model([t for t, d in zip(tensors, dtypes) if d not in runnable]), runs=False)

# A float attribute of +inf (a real audio front end clips with max = inf) and non-finite attribute floats.
x = helper.make_tensor_value_info('x', TensorProto.FLOAT, [4])
clip = helper.make_node('Clip', ['x'], ['c'], min=float('-inf'), max=float('inf'))
lrelu = helper.make_node('LeakyRelu', ['c'], ['y'], alpha=float('inf'))
g = helper.make_graph([clip, lrelu], 'g', [x], [helper.make_tensor_value_info('y', TensorProto.FLOAT, [4])])
save('nonfinite_attributes', helper.make_model(g, opset_imports=[helper.make_opsetid('', 10)], ir_version=7), feeds={'x': np.array([-1e30, -1, 0, 1e30], np.float32)})

# External data: every tensor of mixed dtypes moved to weights.bin.
ext = [tensor(f'{d}_ext', d, sample(d, 300).reshape(3, 100), raw=True) for d in ('float', 'double', 'int64', 'uint8', 'float16', 'int32', 'bool')]
save('external', identity_model(ext), external=True)

# A model-local function whose body holds tensors (Constant with a large int64 and a small float value).
big = sample('int64', LARGE)
fn = helper.make_function('local', 'AddConsts', ['a'], ['b'], [
    helper.make_node('Constant', [], ['k'], value=tensor('k', 'float', np.array([0.5, -np.inf, np.nan], np.float32), raw=False)),
    helper.make_node('Constant', [], ['big'], value=tensor('big', 'int64', big, raw=False)),
    helper.make_node('Add', ['a', 'k'], ['s']),
    helper.make_node('ReduceSum', ['big'], ['bsum'], keepdims=0),
    helper.make_node('Cast', ['bsum'], ['bf'], to=TensorProto.FLOAT),
    helper.make_node('Mul', ['s', 'bf'], ['b']),
], [helper.make_opsetid('', 17)])
xf = helper.make_tensor_value_info('x', TensorProto.FLOAT, [3])
g = helper.make_graph([helper.make_node('AddConsts', ['x'], ['y'], domain='local')], 'g', [xf], [helper.make_tensor_value_info('y', TensorProto.FLOAT, [3])])
save('function_tensors', helper.make_model(g, opset_imports=[helper.make_opsetid('', 17), helper.make_opsetid('local', 1)], functions=[fn], ir_version=8),
     feeds={'x': np.array([1, 2, 3], np.float32)})

# A sparse initializer (values + linear indices) used by a node.
values = tensor('sw', 'float', np.array([1.5, -2, 4], np.float32), raw=True)
indices = tensor('sw_indices', 'int64', np.array([1, 5, 10], np.int64), raw=False)
sparse = helper.make_sparse_tensor(values, indices, [3, 4])
xs = helper.make_tensor_value_info('x', TensorProto.FLOAT, [3, 4])
g = helper.make_graph([helper.make_node('Add', ['x', 'sw'], ['y'])], 'g', [xs], [helper.make_tensor_value_info('y', TensorProto.FLOAT, [3, 4])])
g.sparse_initializer.append(sparse)
save('sparse_initializer', helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)], ir_version=8), feeds={'x': np.arange(12, dtype=np.float32).reshape(3, 4)})

# The forms ONNX Runtime's quantizer writes: QLinearConv, MatMulInteger, ConvInteger, DynamicQuantizeLinear, QGemm.
def q(name, dtype, shape, low, high):
    return numpy_helper.from_array(RNG.integers(low, high, size=shape, endpoint=True).astype(dtype), name)
def scale(name, shape):
    return numpy_helper.from_array((RNG.random(shape) * 0.1 + 0.01).astype(np.float32), name)

xq = helper.make_tensor_value_info('x', TensorProto.UINT8, [1, 3, 8, 8])
inits = [scale('x_s', []), q('x_zp', np.uint8, [], 100, 140), q('w', np.int8, [4, 3, 3, 3], -127, 127), scale('w_s', [4]), q('w_zp', np.int8, [4], 0, 0),
         scale('y_s', []), q('y_zp', np.uint8, [], 120, 130), q('bias', np.int32, [4], -5000, 5000)]
node = helper.make_node('QLinearConv', ['x', 'x_s', 'x_zp', 'w', 'w_s', 'w_zp', 'y_s', 'y_zp', 'bias'], ['y'], pads=[1, 1, 1, 1])
g = helper.make_graph([node], 'g', [xq], [helper.make_tensor_value_info('y', TensorProto.UINT8, [1, 4, 8, 8])], initializer=inits)
save('qlinearconv', helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)], ir_version=7), feeds={'x': RNG.integers(0, 255, (1, 3, 8, 8)).astype(np.uint8)})

xa = helper.make_tensor_value_info('a', TensorProto.UINT8, [2, 16])
inits = [q('b', np.int8, [16, 8], -128, 127), q('a_zp', np.uint8, [], 120, 130), q('b_zp', np.int8, [8], -3, 3),
         q('cw', np.int8, [2, 1, 3, 3], -128, 127), q('c_zp', np.uint8, [], 128, 128)]
nodes = [helper.make_node('MatMulInteger', ['a', 'b', 'a_zp', 'b_zp'], ['m']),
         helper.make_node('DynamicQuantizeLinear', ['f'], ['fq', 'fs', 'fz']),
         helper.make_node('ConvInteger', ['img', 'cw', 'c_zp'], ['conv'])]
g = helper.make_graph(nodes, 'g', [xa, helper.make_tensor_value_info('f', TensorProto.FLOAT, [5]), helper.make_tensor_value_info('img', TensorProto.UINT8, [1, 1, 5, 5])],
                      [helper.make_tensor_value_info('m', TensorProto.INT32, [2, 8]), helper.make_tensor_value_info('fq', TensorProto.UINT8, [5]),
                       helper.make_tensor_value_info('fs', TensorProto.FLOAT, []), helper.make_tensor_value_info('fz', TensorProto.UINT8, []),
                       helper.make_tensor_value_info('conv', TensorProto.INT32, [1, 2, 3, 3])], initializer=inits)
save('integer_ops', helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)], ir_version=7),
     feeds={'a': RNG.integers(0, 255, (2, 16)).astype(np.uint8), 'f': np.array([-1, 0, 0.5, 2, 3.25], np.float32), 'img': RNG.integers(0, 255, (1, 1, 5, 5)).astype(np.uint8)})

xg = helper.make_tensor_value_info('a', TensorProto.UINT8, [2, 16])
inits = [scale('a_s', []), q('a_zp', np.uint8, [], 120, 130), q('b', np.int8, [16, 300], -128, 127), scale('b_s', []), q('b_zp', np.int8, [], 0, 0),
         q('c', np.int32, [300], -2000, 2000), scale('y_s', []), q('y_zp', np.uint8, [], 128, 128)]
node = helper.make_node('QGemm', ['a', 'a_s', 'a_zp', 'b', 'b_s', 'b_zp', 'c', 'y_s', 'y_zp'], ['y'], domain='com.microsoft', alpha=1.0)
g = helper.make_graph([node], 'g', [xg], [helper.make_tensor_value_info('y', TensorProto.UINT8, [2, 300])], initializer=inits)
save('qgemm', helper.make_model(g, opset_imports=[helper.make_opsetid('', 13), helper.make_opsetid('com.microsoft', 1)], ir_version=7),
     feeds={'a': RNG.integers(0, 255, (2, 16)).astype(np.uint8)})

with open(os.path.join(OUT, 'manifest.json'), 'w') as f:
    json.dump(manifest, f)
print(len(manifest))
