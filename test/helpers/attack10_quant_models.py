"""Models for test/attack10-quant.test.ts, written into argv[1]; prints facts numpy computed as JSON."""
import json, sys
import numpy as np
import onnx
from onnx import helper as h, TensorProto as T, numpy_helper as nh

out = sys.argv[1]
rng = np.random.default_rng(3)
H = I = 16
f = lambda n, s: h.make_tensor_value_info(n, T.FLOAT, s)
facts = {}


def save(m, name):
    onnx.checker.check_model(m)
    onnx.save(m, f'{out}/{name}.onnx')


def restore_error(w, axis):
    """Squared error of symmetric int8 with one scale per slice along `axis`."""
    a = np.moveaxis(w, axis, 0).reshape(w.shape[axis], -1).astype(np.float64)
    s = np.abs(a).max(1, keepdims=True) / 127
    s[s == 0] = 1
    return float(((np.clip(np.round(a / s), -127, 127) * s - a) ** 2).sum())


# D6: W stored as [1, I, 4H] and transposed to [1, 4H, I]; the input gate 100x the others.
W2 = rng.standard_normal((1, I, 4 * H)).astype(np.float32)
W2[:, :, :H] *= 100
R = rng.standard_normal((1, 4 * H, H)).astype(np.float32)
nodes = [h.make_node('Constant', [], ['Wt'], value=nh.from_array(W2, 'w'), name='cW'),
         h.make_node('Transpose', ['Wt'], ['W'], perm=[0, 2, 1], name='tW'),
         h.make_node('LSTM', ['x', 'W', 'R'], ['Y', 'Yh'], hidden_size=H, name='lstm')]
g = h.make_graph(nodes, 'g', [f('x', [5, 1, I])], [f('Yh', [1, 1, H])], [nh.from_array(R, 'R')])
save(h.make_model(g, opset_imports=[h.make_opsetid('', 13)]), 'lstm_transposed')
errors = {a: restore_error(W2, a) for a in range(3) if W2.shape[a] > 1}
facts['transposedBestAxis'] = min(errors, key=errors.get)

# D8: an initializer and a Constant output of the same name; two nodes writing one output.
K = rng.standard_normal((16, 16)).astype(np.float32)
nodes = [h.make_node('Constant', [], ['K'], value=nh.from_array(K * 2, 'k'), name='cK'), h.make_node('MatMul', ['x', 'K'], ['y'], name='mm')]
g = h.make_graph(nodes, 'g', [f('x', [1, 16])], [f('y', [1, 16])], [nh.from_array(K, 'K')])
m = h.make_model(g, opset_imports=[h.make_opsetid('', 13)])
onnx.save(m, f'{out}/const_eq_init.onnx')
nodes = [h.make_node('MatMul', ['x', 'K'], ['t'], name='mm1'), h.make_node('Relu', ['x'], ['t'], name='twice'), h.make_node('Relu', ['t'], ['y'], name='r')]
g = h.make_graph(nodes, 'g', [f('x', [1, 16])], [f('y', [1, 16])], [nh.from_array(K, 'K')])
onnx.save(h.make_model(g, opset_imports=[h.make_opsetid('', 13)]), f'{out}/two_producers.onnx')

# D12, D13: LSTM-only models at opsets 9, 10 and 13.
Wp = rng.standard_normal((1, 4 * H, I)).astype(np.float32)
for opset in (9, 10, 13):
    g = h.make_graph([h.make_node('LSTM', ['x', 'W', 'R'], ['Y', 'Yh'], hidden_size=H, name='lstm')], 'g',
                     [f('x', [5, 1, I])], [f('Yh', [1, 1, H])], [nh.from_array(Wp, 'W'), nh.from_array(R, 'R')])
    save(h.make_model(g, opset_imports=[h.make_opsetid('', opset)]), f'lstm_op{opset}')

# D19: a Conv path and an LSTM path.
C = rng.standard_normal((8, 3, 3, 3)).astype(np.float32)
nodes = [h.make_node('Conv', ['img', 'Ca'], ['ya'], name='conv_a', pads=[1, 1, 1, 1]),
         h.make_node('Conv', ['img', 'Cb'], ['yb'], name='conv_b', pads=[1, 1, 1, 1]),
         h.make_node('LSTM', ['x', 'W', 'R'], ['Y', 'Yh'], hidden_size=H, name='lstm')]
g = h.make_graph(nodes, 'g', [f('img', [1, 3, 8, 8]), f('x', [5, 1, I])], [f('ya', [1, 8, 8, 8]), f('yb', [1, 8, 8, 8]), f('Yh', [1, 1, H])],
                 [nh.from_array(C, 'Ca'), nh.from_array(C * 0.5, 'Cb'), nh.from_array(Wp, 'W'), nh.from_array(R, 'R')])
save(h.make_model(g, opset_imports=[h.make_opsetid('', 13)]), 'conv_lstm')

# D14: an initializer the graph also declares as an input (overridable), beside a plain weight.
nodes = [h.make_node('MatMul', ['x', 'W'], ['t'], name='mm'), h.make_node('MatMul', ['t', 'V'], ['y'], name='mm2')]
g = h.make_graph(nodes, 'g', [f('x', [1, 16]), f('W', [16, 16])], [f('y', [1, 16])], [nh.from_array(K, 'W'), nh.from_array(K.T.copy(), 'V')])
save(h.make_model(g, opset_imports=[h.make_opsetid('', 13)]), 'init_as_input')
g = h.make_graph(nodes[:1], 'g', [f('x', [1, 16]), f('W', [16, 16])], [f('t', [1, 16])], [nh.from_array(K, 'W')])
save(h.make_model(g, opset_imports=[h.make_opsetid('', 13)]), 'only_input_init')
# Before IR 4 every initializer is listed as an input: there W and V are plain weights.
g = h.make_graph(nodes, 'g', [f('x', [1, 16]), f('W', [16, 16]), f('V', [16, 16])], [f('y', [1, 16])], [nh.from_array(K, 'W'), nh.from_array(K.T.copy(), 'V')])
save(h.make_model(g, opset_imports=[h.make_opsetid('', 8)], ir_version=3), 'init_as_input_ir3')

print(json.dumps(facts))
