"""Models for test/weight-only.test.ts, written into argv[1].

Every model: X [T=5, 1, 8] -> LSTM (hidden 8) whose W and R come from float constants Wc, Rc
through data movement -> Y_h -> MatMul M [8, 4] -> y.
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.RandomState(7)
H, I, STEPS = 8, 8, 5
W = (rng.randn(4 * H, I) * 0.5).astype(np.float32)
R = (rng.randn(4 * H, H) * 0.5).astype(np.float32)
M = rng.randn(H, 4).astype(np.float32)


def const(name, value):
    return h.make_node('Constant', [], [name], name=name, value=nh.from_array(value, ''))


def i64(name, values):
    return const(name, np.array(values, dtype=np.int64))


def gates(prefix, src, dst):
    """Slice src [4H, k] into four gate blocks, Concat them in another order, Unsqueeze to [1, 4H, k]."""
    nodes = []
    for g in range(4):
        nodes += [i64(f'{prefix}_s{g}', [g * H]), i64(f'{prefix}_e{g}', [(g + 1) * H]), i64(f'{prefix}_a{g}', [0])]
        nodes.append(h.make_node('Slice', [src, f'{prefix}_s{g}', f'{prefix}_e{g}', f'{prefix}_a{g}'], [f'{prefix}_b{g}'], name=f'{prefix}_slice{g}'))
    nodes.append(h.make_node('Concat', [f'{prefix}_b0', f'{prefix}_b3', f'{prefix}_b1', f'{prefix}_b2'], [f'{prefix}_cat'], name=f'{prefix}_concat', axis=0))
    nodes += [i64(f'{prefix}_ax', [0]), h.make_node('Unsqueeze', [f'{prefix}_cat', f'{prefix}_ax'], [dst], name=f'{prefix}_unsqueeze')]
    return nodes


def lstm(name, w, r, y):
    return h.make_node('LSTM', ['X', w, r], ['', y], name=name, hidden_size=H)


def branch(name, nodes, output):
    return h.make_graph(nodes, name, [], [h.make_tensor_value_info(output, T.FLOAT, None)])


def model(name, main_nodes, initializers, inputs=(), opset=13):
    nodes = main_nodes + [h.make_node('MatMul', ['yh', 'M'], ['y'], name='head')]
    ins = [h.make_tensor_value_info('X', T.FLOAT, [STEPS, 1, I])] + list(inputs)
    g = h.make_graph(nodes, name, ins, [h.make_tensor_value_info('y', T.FLOAT, [1, 1, 4])], [nh.from_array(v, k) for k, v in {**initializers, 'M': M}.items()])
    m = h.make_model(g, opset_imports=[h.make_opsetid('', opset)])
    m.ir_version = 7
    onnx.checker.check_model(m)
    onnx.save(m, os.path.join(out, f'{name}.onnx'))


cond = h.make_tensor_value_info('cond', T.BOOL, [])
inner = h.make_node('If', ['cond'], ['yh_inner'], name='inner_if',
                    then_branch=branch('inner_then', gates('wt', 'Wc', 'W1') + gates('rt', 'Rc', 'R1') + [lstm('lstm_a', 'W1', 'R1', 'yh_inner_a'), h.make_node('Identity', ['yh_inner_a'], ['yh_inner_t'], name='id_t')], 'yh_inner_t'),
                    else_branch=branch('inner_else', [h.make_node('Identity', ['Wc'], ['Wc_id'], name='wc_id'), i64('shape_e', [1, 4 * H, I]),
                                                      h.make_node('Reshape', ['Wc_id', 'shape_e'], ['W2'], name='w_reshape'), i64('ax_e', [0]),
                                                      h.make_node('Unsqueeze', ['Rc', 'ax_e'], ['R2'], name='r_unsqueeze'), lstm('lstm_b', 'W2', 'R2', 'yh_inner_e')], 'yh_inner_e'))
outer_then = branch('outer_then', [inner, h.make_node('Identity', ['yh_inner'], ['yh_then'], name='id_then')], 'yh_then')
outer_else = branch('outer_else', gates('we', 'Wc', 'W3') + gates('re', 'Rc', 'R3') + [lstm('lstm_c', 'W3', 'R3', 'yh_else')], 'yh_else')
outer = h.make_node('If', ['cond'], ['yh'], name='outer_if', then_branch=outer_then, else_branch=outer_else)
# Wc a Constant node of the main graph, Rc an initializer; both read only inside nested If branches.
model('nested', [const('Wc', W), outer], {'Rc': R}, [cond])

# Wc is also read by an Add (not data movement): it stays float; Rc is still quantized.
model('shared_add', [const('Wc', W)] + gates('w', 'Wc', 'W1') + gates('r', 'Rc', 'R1') + [
    lstm('lstm', 'W1', 'R1', 'yh0'), h.make_node('Add', ['Wc', 'Wc'], ['w2'], name='add_w'), i64('rs_ax', [0]),
    h.make_node('ReduceSum', ['w2', 'rs_ax'], ['wsum'], name='wsum', keepdims=0), h.make_node('Add', ['yh0', 'wsum'], ['yh'], name='add')], {'Rc': R})

# Wc is also a MatMul's weight: that MatMul gets its own int8 copy, after which only data movement reads the float Wc.
z = h.make_tensor_value_info('Z', T.FLOAT, [1, 4 * H])
model('shared_matmul', [const('Wc', W)] + gates('w', 'Wc', 'W1') + gates('r', 'Rc', 'R1') + [
    lstm('lstm', 'W1', 'R1', 'yh0'), h.make_node('MatMul', ['Z', 'Wc'], ['zw'], name='mm_w'), h.make_node('Add', ['yh0', 'zw'], ['yh'], name='add')], {'Rc': R}, [z])

# W reaches the LSTM through 10,000 Identity nodes; the Gather indices are an int64 constant of 256 values (left as they are).
chain = [h.make_node('Identity', ['Wc' if k == 0 else f'id{k - 1}'], [f'id{k}'], name=f'id{k}') for k in range(10000)]
order = np.concatenate([np.arange(4 * H)[::-1]] * 8).astype(np.int64)  # 256 indices
model('deep', [const('Wc', W)] + chain + [
    const('order', order), h.make_node('Gather', ['id9999', 'order'], ['Wg'], name='gather', axis=0),
    i64('sl_s', [0]), i64('sl_e', [4 * H]), i64('sl_a', [0]), h.make_node('Slice', ['Wg', 'sl_s', 'sl_e', 'sl_a'], ['Wcut'], name='cut'),
    i64('ax', [0]), h.make_node('Unsqueeze', ['Wcut', 'ax'], ['W1'], name='w_unsqueeze'),
    i64('rax', [0]), h.make_node('Unsqueeze', ['Rc', 'rax'], ['R1'], name='r_unsqueeze'), lstm('lstm', 'W1', 'R1', 'yh')], {'Rc': R})

# W is a graph input: nothing to store; R (an initializer) still is.
w_in = h.make_tensor_value_info('W_in', T.FLOAT, [1, 4 * H, I])
model('w_input', [i64('rax', [0]), h.make_node('Unsqueeze', ['Rc', 'rax'], ['R1'], name='r_unsqueeze'), lstm('lstm', 'W_in', 'R1', 'yh')], {'Rc': R}, [w_in])

# Opset 11: DequantizeLinear has no axis, so one scale per tensor (the opset is not raised for it).
model('opset11', [h.make_node('Unsqueeze', ['Wc'], ['W1'], name='w_unsqueeze', axes=[0]), h.make_node('Unsqueeze', ['Rc'], ['R1'], name='r_unsqueeze', axes=[0]),
                  lstm('lstm', 'W1', 'R1', 'yh')], {'Wc': W, 'Rc': R}, opset=11)

# A GRU ([3H, I] gate blocks): its W and R are weight inputs as an LSTM's are.
Wg, Rg = W[:3 * H].copy(), R[:3 * H].copy()
model('gru', [const('Wc', Wg), i64('wax', [0]), h.make_node('Unsqueeze', ['Wc', 'wax'], ['W1'], name='w_unsqueeze'),
              i64('rax', [0]), h.make_node('Unsqueeze', ['Rc', 'rax'], ['R1'], name='r_unsqueeze'),
              h.make_node('GRU', ['X', 'W1', 'R1'], ['', 'yh'], name='gru', hidden_size=H)], {'Rc': Rg})
