"""Small CNNs and a MatMul MLP for the channel-pruning tests, written by python onnx (numpy weights, seeded).

argv: the folder to write into. Every model has input x [1, 3, 8, 8] and value_info with full shapes
for every intermediate value (so a stale channel dim would fail onnx.checker's full check).
"""
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(7)


def w(*shape):
    return rng.standard_normal(shape).astype(np.float32) * 0.5


def save(name, nodes, inits, outputs, opset=17, value_info=True):
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 3, 8, 8])], outputs,
                          [numpy_helper.from_array(v, k) for k, v in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', opset)])
    m.ir_version = 8
    m = onnx.shape_inference.infer_shapes(m, strict_mode=True)
    onnx.checker.check_model(m, full_check=True)
    if not value_info:
        del m.graph.value_info[:]
    onnx.save(m, f'{out}/{name}.onnx')


def out_info(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


# Concat along the channels, BatchNormalization over the joined channels (beta 0, mean 0: a zero
# channel stays 0), Split at a point inside the first branch, both parts read by Convs coupled by Add.
save('concat_split', [
    helper.make_node('Conv', ['x', 'w_stem', 'b_stem'], ['stem'], name='stem', pads=[1, 1, 1, 1]),
    helper.make_node('Relu', ['stem'], ['stem_r'], name='stem_relu'),
    helper.make_node('Conv', ['stem_r', 'w_a', 'b_a'], ['a'], name='conv_a', pads=[1, 1, 1, 1]),
    helper.make_node('Relu', ['a'], ['a_r'], name='relu_a'),
    helper.make_node('Conv', ['stem_r', 'w_b', 'b_b'], ['b'], name='branch/conv_b'),
    helper.make_node('Relu', ['b'], ['b_r'], name='relu_b'),
    helper.make_node('Concat', ['a_r', 'b_r'], ['ab'], name='concat', axis=1),
    helper.make_node('BatchNormalization', ['ab', 'bn_s', 'bn_b', 'bn_m', 'bn_v'], ['ab_bn'], name='bn'),
    helper.make_node('Split', ['ab_bn', 'split'], ['s0', 's1'], name='split', axis=1),
    helper.make_node('Conv', ['s0', 'w_c', 'b_c'], ['c'], name='conv_c'),
    helper.make_node('Conv', ['s1', 'w_d'], ['d'], name='conv_d'),
    helper.make_node('Add', ['c', 'd'], ['cd'], name='add'),
    helper.make_node('Relu', ['cd'], ['cd_r'], name='relu_cd'),
    helper.make_node('GlobalAveragePool', ['cd_r'], ['pool'], name='pool'),
    helper.make_node('Flatten', ['pool'], ['flat'], name='flatten'),
    helper.make_node('Gemm', ['flat', 'w_fc', 'b_fc'], ['y'], name='fc', transB=1),
], {
    'w_stem': w(8, 3, 3, 3), 'b_stem': w(8), 'w_a': w(16, 8, 3, 3), 'b_a': w(16), 'w_b': w(16, 8, 1, 1), 'b_b': w(16),
    'bn_s': np.abs(w(32)) + 0.5, 'bn_b': np.zeros(32, np.float32), 'bn_m': np.zeros(32, np.float32), 'bn_v': np.abs(w(32)) + 0.5,
    'split': np.array([8, 24], np.int64), 'w_c': w(16, 8, 1, 1), 'b_c': w(16), 'w_d': w(16, 24, 1, 1), 'w_fc': w(10, 16), 'b_fc': w(10),
}, [out_info('y', [1, 10])])

# Squeeze-excitation around a depthwise Conv, per-channel Add and PRelu constants, MaxPool, a
# Reshape whose shape constant states C·H·W, and a MatMul classifier.
save('se_depthwise', [
    helper.make_node('Conv', ['x', 'w_stem'], ['stem'], name='stem', pads=[1, 1, 1, 1]),
    helper.make_node('Conv', ['stem', 'w_e', 'b_e'], ['e'], name='conv_e'),
    helper.make_node('HardSwish', ['e'], ['e_h'], name='hswish'),
    helper.make_node('Conv', ['e_h', 'w_dw', 'b_dw'], ['dw'], name='depthwise', group=32, pads=[1, 1, 1, 1]),
    helper.make_node('GlobalAveragePool', ['dw'], ['se_pool'], name='se_pool'),
    helper.make_node('Conv', ['se_pool', 'w_fc1', 'b_fc1'], ['fc1'], name='se_fc1'),
    helper.make_node('Relu', ['fc1'], ['fc1_r'], name='se_relu'),
    helper.make_node('Conv', ['fc1_r', 'w_fc2', 'b_fc2'], ['fc2'], name='se_fc2'),
    helper.make_node('HardSigmoid', ['fc2'], ['gate'], name='se_gate'),
    helper.make_node('Mul', ['dw', 'gate'], ['scaled'], name='se_mul'),
    helper.make_node('Add', ['scaled', 'shift'], ['shifted'], name='shift_add'),
    helper.make_node('PRelu', ['shifted', 'slope'], ['act'], name='prelu'),
    helper.make_node('MaxPool', ['act'], ['pooled'], name='maxpool', kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node('Reshape', ['pooled', 'shape'], ['flat'], name='reshape'),
    helper.make_node('MatMul', ['flat', 'w_cls'], ['y'], name='classifier'),
], {
    'w_stem': w(8, 3, 3, 3), 'w_e': w(32, 8, 1, 1), 'b_e': w(32), 'w_dw': w(32, 1, 3, 3), 'b_dw': w(32),
    'w_fc1': w(8, 32, 1, 1), 'b_fc1': w(8), 'w_fc2': w(32, 8, 1, 1), 'b_fc2': w(32),
    'shift': w(1, 32, 1, 1), 'slope': np.abs(w(32, 1, 1)), 'shape': np.array([1, 32 * 4 * 4], np.int64), 'w_cls': w(32 * 4 * 4, 10),
}, [out_info('y', [1, 10])])

# What must be left: a Transpose that moves the channel axis, a Conv output that is a graph output,
# a Conv whose weight comes from DequantizeLinear, a Shape whose channel count is taken; and a pruned Conv whose weight is a Constant
# behind an Identity, shared with a Conv whose output stays.
save('left_alone', [
    helper.make_node('Conv', ['x', 'w_stem'], ['stem'], name='stem', pads=[1, 1, 1, 1]),
    helper.make_node('Conv', ['stem', 'w_t'], ['t'], name='conv_transposed'),
    helper.make_node('Transpose', ['t'], ['t_nhwc'], name='to_nhwc', perm=[0, 2, 3, 1]),
    helper.make_node('Conv', ['stem', 'w_o'], ['o'], name='conv_output'),
    helper.make_node('DequantizeLinear', ['w_q', 'q_scale'], ['w_dq'], name='dequant'),
    helper.make_node('Conv', ['stem', 'w_dq'], ['q'], name='conv_quantized'),
    helper.make_node('Constant', [], ['w_const'], name='const', value=numpy_helper.from_array(w(16, 8, 1, 1), 'w_const_value')),
    helper.make_node('Identity', ['w_const'], ['w_shared'], name='identity'),
    helper.make_node('Conv', ['stem', 'w_shared'], ['p'], name='conv_pruned'),
    helper.make_node('Relu', ['p'], ['p_r'], name='relu_p'),
    helper.make_node('Conv', ['p_r', 'w_next'], ['n'], name='conv_next'),
    helper.make_node('Conv', ['stem', 'w_shared'], ['k'], name='conv_kept_output'),
    helper.make_node('Conv', ['stem', 'w_s'], ['s'], name='conv_shape_read'),
    helper.make_node('Shape', ['s'], ['s_shape'], name='shape'),
    helper.make_node('Gather', ['s_shape', 'one'], ['s_channels'], name='gather_channels', axis=0),
], {
    'w_stem': w(8, 3, 3, 3), 'w_t': w(16, 8, 1, 1), 'w_o': w(16, 8, 1, 1), 'w_q': rng.integers(-100, 100, (16, 8, 1, 1)).astype(np.int8),
    'q_scale': np.array(0.01, np.float32), 'w_next': w(4, 16, 1, 1), 'w_s': w(16, 8, 1, 1), 'one': np.array([1], np.int64),
}, [out_info('t_nhwc', [1, 8, 8, 16]), out_info('o', [1, 16, 8, 8]), out_info('q', [1, 16, 8, 8]), out_info('n', [1, 4, 8, 8]), out_info('k', [1, 16, 8, 8]),
    helper.make_tensor_value_info('s_channels', TensorProto.INT64, [1])])

# A transformer-like MLP over tokens [1, 3, 64] (MatMul + Add bias, as PyTorch exports Linear on
# rank 3): an input projection; a block fc1 → erf GELU → fc2 whose output joins the residual
# stream, which LayerNormalization reads; then a Gemm head (transB) → HardSwish → Identity → Gemm
# (no transB). `mlp_bare` is the same model without value_info (the ranks are not declared).
def linear(name, x, weight, bias, out):
    """PyTorch's Linear on rank 3 as exported: MatMul by the [K, N] weight, then Add of the bias."""
    return [helper.make_node('MatMul', [x, weight], [f'{name}_mm'], name=name), helper.make_node('Add', [f'{name}_mm', bias], [out], name=f'{name}_bias')]


mlp = ([
    helper.make_node('Reshape', ['x', 'tokens_shape'], ['t'], name='to_tokens'),
    *linear('fc_in', 't', 'w_in', 'b_in', 'h'),
    *linear('fc1', 'h', 'w1', 'b1', 'fc1_out'),
    helper.make_node('Div', ['fc1_out', 'sqrt2'], ['gelu_div'], name='gelu_div'),
    helper.make_node('Erf', ['gelu_div'], ['gelu_erf'], name='gelu_erf'),
    helper.make_node('Add', ['gelu_erf', 'one'], ['gelu_add'], name='gelu_add'),
    helper.make_node('Mul', ['fc1_out', 'gelu_add'], ['gelu_mul'], name='gelu_mul'),
    helper.make_node('Mul', ['gelu_mul', 'half'], ['gelu'], name='gelu_half'),
    *linear('fc2', 'gelu', 'w2', 'b2', 'fc2_out'),
    helper.make_node('Add', ['h', 'fc2_out'], ['r'], name='residual'),
    helper.make_node('LayerNormalization', ['r', 'ln_s', 'ln_b'], ['ln'], name='layer_norm', axis=-1),
    helper.make_node('Reshape', ['ln', 'flat_shape'], ['flat'], name='flatten'),
    helper.make_node('Gemm', ['flat', 'w_h1', 'b_h1'], ['h1'], name='head1', transB=1),
    helper.make_node('HardSwish', ['h1'], ['h1_a'], name='head1_act'),
    helper.make_node('Identity', ['h1_a'], ['h1_i'], name='head1_dropout'),
    helper.make_node('Gemm', ['h1_i', 'w_h2', 'b_h2'], ['y'], name='head2'),
], {
    'tokens_shape': np.array([1, 3, 64], np.int64), 'w_in': w(64, 64), 'b_in': w(64), 'w1': w(64, 96), 'b1': w(96),
    'sqrt2': np.array(np.sqrt(2), np.float32), 'one': np.array(1, np.float32), 'half': np.array(0.5, np.float32),
    'w2': w(96, 64), 'b2': w(64), 'ln_s': np.abs(w(64)) + 0.5, 'ln_b': w(64), 'flat_shape': np.array([1, 192], np.int64),
    'w_h1': w(32, 192), 'b_h1': w(32), 'w_h2': w(32, 10), 'b_h2': w(1, 10),
}, [out_info('y', [1, 10])])
save('mlp', *mlp)
save('mlp_bare', *mlp, value_info=False)

# One net twice: conv_a followed by a BatchNormalization, and the same with it folded into conv_a
# (W·s, (b − mean)·s + beta, s = gamma / sqrt(var + eps)). The variances spread widely, so
# ranking by |gamma| alone keeps other channels than the folded filters' norms do; the expected
# kept channels (12 of 16: roundTo 4, ratio 0.3) are the folded filters' 12 largest L1 norms.
w_a, b_a = w(16, 8, 3, 3), w(16)
gamma, beta, mean = np.abs(w(16)) + 0.5, w(16), w(16)
var = np.exp(rng.uniform(np.log(0.01), np.log(20.0), 16)).astype(np.float32)
eps = 1e-5
s = gamma / np.sqrt(var + eps)
bn_fold_common = {'w_stem': w(8, 3, 3, 3), 'b_stem': w(8), 'w_out': w(4, 16, 1, 1)}
head = [helper.make_node('Conv', ['x', 'w_stem', 'b_stem'], ['stem'], name='stem', pads=[1, 1, 1, 1]),
        helper.make_node('Relu', ['stem'], ['stem_r'], name='stem_relu')]
tail = [helper.make_node('Relu', ['a'], ['a_r'], name='relu_a'), helper.make_node('Conv', ['a_r', 'w_out'], ['y'], name='conv_out')]
save('bn_unfolded', head + [
    helper.make_node('Conv', ['stem_r', 'w_a', 'b_a'], ['a_pre'], name='conv_a', pads=[1, 1, 1, 1]),
    helper.make_node('BatchNormalization', ['a_pre', 'bn_s', 'bn_b', 'bn_m', 'bn_v'], ['a'], name='bn_a', epsilon=eps),
] + tail, {**bn_fold_common, 'w_a': w_a, 'b_a': b_a, 'bn_s': gamma, 'bn_b': beta, 'bn_m': mean, 'bn_v': var}, [out_info('y', [1, 4, 8, 8])])
folded_w = (w_a * s[:, None, None, None]).astype(np.float32)
save('bn_folded', head + [helper.make_node('Conv', ['stem_r', 'w_a', 'b_a'], ['a'], name='conv_a', pads=[1, 1, 1, 1])] + tail,
     {**bn_fold_common, 'w_a': folded_w, 'b_a': ((b_a - mean) * s + beta).astype(np.float32)}, [out_info('y', [1, 4, 8, 8])])
l1 = np.abs(w_a.astype(np.float64)).reshape(16, -1).sum(1)
top = lambda score: sorted(np.argsort(-score, kind='stable')[:12].tolist())
expected = top(l1 * gamma / np.sqrt(var.astype(np.float64) + eps))
assert expected != top(l1 * gamma), 'the variances must change the ranking'
assert expected == top(np.abs(folded_w.astype(np.float64)).reshape(16, -1).sum(1))
import json
with open(f'{out}/bn_fold_kept.json', 'w') as f:
    json.dump(expected, f)
