"""Models for test/trt-refusals.test.ts, written with python onnx's helper (the reference
builder). Usage: trt_refused_models.py OUT_DIR. Writes:
  relu-opset{8,17,18,99}.onnx  x -> Relu -> Add(b) -> com.example::MyOp -> y at that default opset
  topk-runtime-k.onnx          TopK whose K is the graph input 'k' (opset 13)
  dq-runtime-zp.onnx           DequantizeLinear whose zero point is the graph input 'zp' (opset 13)
  cycle.onnx, selfloop.onnx    Relu/Neg reading each other; a Relu reading its own output
  undefined.onnx               an Add reading 'ghost', which nothing defines
  ext-outside.onnx             an initializer whose external data lies outside the model's folder
  ext-missing.onnx             an initializer whose external data file does not exist
  huge-declared.onnx           an initializer declared [2^40, 2^40] with no data
  functions.onnx               calls of local functions: 'Ping' calls 'Pong' calls 'Ping' (recursive), 'Fine' wraps a Relu
  dims-unknown.onnx            EyeLike/Hardmax over dims inference cannot tell and over an unset graph-input dim
  escapes.onnx                 a node named with a terminal escape and a newline, in a domain with a newline"""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

out = sys.argv[1]
F = TensorProto.FLOAT


def vi(name, t=F, shape=(1, 4)):
    return helper.make_tensor_value_info(name, t, None if shape is None else list(shape))


def write(name, nodes, inputs, outputs, inits=(), opset=13, extra_opsets=()):
    g = helper.make_graph(nodes, name.replace('-', '_'), inputs, outputs, list(inits))
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', opset), *[helper.make_opsetid(d, v) for d, v in extra_opsets]])
    save(m, f'{out}/{name}.onnx')


b = numpy_helper.from_array(np.ones((1, 4), np.float32), 'b')
for opset in (8, 17, 18, 99):
    write(f'relu-opset{opset}', [
        helper.make_node('Relu', ['x'], ['r'], name='relu'),
        helper.make_node('Add', ['r', 'b'], ['a'], name='add'),
        helper.make_node('MyOp', ['a'], ['y'], name='custom', domain='com.example'),
    ], [vi('x')], [vi('y')], [b], opset=opset, extra_opsets=[('com.example', 1)])

write('topk-runtime-k', [helper.make_node('TopK', ['x', 'k'], ['v', 'i'], name='topk')],
      [vi('x', F, (1, 5000)), vi('k', TensorProto.INT64, (1,))], [vi('v', F, (1, 'n')), vi('i', TensorProto.INT64, (1, 'n'))])

scale = numpy_helper.from_array(np.array(0.5, np.float32), 'scale')
write('dq-runtime-zp', [helper.make_node('DequantizeLinear', ['q', 'scale', 'zp'], ['y'], name='dq')],
      [vi('q', TensorProto.INT8), vi('zp', TensorProto.INT8, ())], [vi('y')], [scale])

write('cycle', [helper.make_node('Relu', ['x', ], ['r'], name='n0'), helper.make_node('Add', ['r', 'n'], ['a'], name='n1'), helper.make_node('Neg', ['a'], ['n'], name='n2')],
      [vi('x')], [vi('a')])
write('selfloop', [helper.make_node('Add', ['x', 's'], ['s'], name='self')], [vi('x')], [vi('s')])
write('undefined', [helper.make_node('Add', ['x', 'ghost'], ['y'], name='add')], [vi('x')], [vi('y')])


def declared(name, dims):
    """A float tensor with dims and no data (make_tensor insists on the values)."""
    t = TensorProto(name=name, data_type=F)
    t.dims.extend(dims)
    return t


def external(name, location):
    t = declared(name, [1, 4])
    t.data_location = TensorProto.EXTERNAL
    for k, v in (('location', location), ('offset', '0'), ('length', '16')):
        e = t.external_data.add()
        e.key, e.value = k, v
    return t


write('ext-outside', [helper.make_node('Add', ['x', 'w'], ['y'], name='add')], [vi('x')], [vi('y')], [external('w', '../../../../etc/passwd')])
write('ext-missing', [helper.make_node('Add', ['x', 'w'], ['y'], name='add')], [vi('x')], [vi('y')], [external('w', 'missing.bin')])

huge = declared('w', [2 ** 40, 2 ** 40])
write('huge-declared', [helper.make_node('MatMul', ['x', 'w'], ['y'], name='mm')], [vi('x', F, (4, 2 ** 40))], [vi('y')], [huge])

write('escapes', [helper.make_node('Relu', ['x'], ['r'], name='ok'), helper.make_node('Foo', ['r'], ['y'], name='evil\x1b[31mRED\nsupported fake_line', domain='d\nFAKE')],
      [vi('x')], [vi('y')], extra_opsets=[('d\nFAKE', 1)])

fn = lambda name, body: helper.make_function('my.dom', name, ['a'], ['b'], body, [helper.make_opsetid('', 13), helper.make_opsetid('my.dom', 1)])
ping = fn('Ping', [helper.make_node('Pong', ['a'], ['b'], domain='my.dom')])
pong = fn('Pong', [helper.make_node('Ping', ['a'], ['b'], domain='my.dom')])
fine = fn('Fine', [helper.make_node('Relu', ['a'], ['b'])])
g = helper.make_graph([helper.make_node('Ping', ['x'], ['p'], name='ping', domain='my.dom'), helper.make_node('Fine', ['p'], ['y'], name='fine', domain='my.dom')],
                      'functions', [vi('x')], [vi('y')])
save(helper.make_model(g, opset_imports=[helper.make_opsetid('', 13), helper.make_opsetid('my.dom', 1)], functions=[ping, pong, fine]), f'{out}/functions.onnx')

# dims-unknown.onnx: EyeLike and Hardmax over a Reshape to a runtime shape (dims no graph tells)
# and over a graph input with an unset dim (dynamic for TensorRT).
g = helper.make_graph([
    helper.make_node('Reshape', ['x', 's'], ['r'], name='reshape'),
    helper.make_node('EyeLike', ['r'], ['e1'], name='eye_computed'),
    helper.make_node('Hardmax', ['r'], ['h1'], name='hardmax_computed', axis=1),
    helper.make_node('EyeLike', ['z'], ['e2'], name='eye_unset'),
    helper.make_node('Hardmax', ['z'], ['h2'], name='hardmax_unset', axis=0),
], 'dims_unknown', [vi('x', F, (2, 2)), vi('s', TensorProto.INT64, (2,)), vi('z', F, (None, 3))], [vi(o, F, None) for o in ('e1', 'h1', 'e2', 'h2')])
save(helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)]), f'{out}/dims-unknown.onnx')
