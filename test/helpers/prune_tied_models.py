"""Small CNNs whose Convs share one weight initializer (tied weights), for the channel-pruning tie tests.

argv: the folder to write into. Input x [1, 3, 8, 8]; full value_info (strict shape inference), seeded numpy weights.
"""
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
rng = np.random.default_rng(11)


def w(*shape):
    return rng.standard_normal(shape).astype(np.float32) * 0.5


def save(name, nodes, inits):
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, 3, 8, 8])],
                          [helper.make_tensor_value_info('y', TensorProto.FLOAT, [1, 10])],
                          [numpy_helper.from_array(v, k) for k, v in inits.items()])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)])
    m.ir_version = 8
    m = onnx.shape_inference.infer_shapes(m, strict_mode=True)
    onnx.checker.check_model(m, full_check=True)
    onnx.save(m, f'{out}/{name}.onnx')


def stem():
    return [helper.make_node('Conv', ['x', 'w_stem'], ['stem'], name='stem', pads=[1, 1, 1, 1]),
            helper.make_node('Relu', ['stem'], ['s'], name='stem_relu')]


def head(value):
    return [helper.make_node('GlobalAveragePool', [value], ['pool'], name='pool'),
            helper.make_node('Flatten', ['pool'], ['flat'], name='flatten'),
            helper.make_node('Gemm', ['flat', 'w_fc', 'b_fc'], ['y'], name='fc', transB=1)]


def bn(name, value, gamma):
    return helper.make_node('BatchNormalization', [value, f'{name}_s', f'{name}_b', f'{name}_m', f'{name}_v'], [f'{value}_bn'], name=name), {
        f'{name}_s': gamma, f'{name}_b': w(16), f'{name}_m': np.zeros(16, np.float32), f'{name}_v': np.ones(16, np.float32)}


# conv_a and conv_b read one weight and start two channel groups (each goes its own way to conv_c and
# conv_d, which an Add couples); the BatchNormalization gammas rank opposite halves first, so the two
# groups keep different channels of the tied weight. Both also read one zero bias (equal tensors
# PyTorch's exporter merges). merged_bias: the same with a weight of its own for conv_b.
big, small = np.full(8, 1.0, np.float32), np.full(8, 0.01, np.float32)
bn_a, inits_a = bn('bn_a', 'a', np.concatenate([big, small]))
bn_b, inits_b = bn('bn_b', 'b', np.concatenate([small, big]))
for name, weight_b in [('tied_groups', 'w_tied'), ('merged_bias', 'w_b')]:
    save(name, stem() + [
        helper.make_node('Conv', ['s', 'w_tied', 'b_zero'], ['a'], name='conv_a'),
        bn_a,
        helper.make_node('Relu', ['a_bn'], ['a_r'], name='relu_a'),
        helper.make_node('Conv', ['s', weight_b, 'b_zero'], ['b'], name='conv_b'),
        bn_b,
        helper.make_node('Relu', ['b_bn'], ['b_r'], name='relu_b'),
        helper.make_node('Conv', ['a_r', 'w_c'], ['c'], name='conv_c'),
        helper.make_node('Conv', ['b_r', 'w_d'], ['d'], name='conv_d'),
        helper.make_node('Add', ['c', 'd'], ['cd'], name='add'),
        helper.make_node('Relu', ['cd'], ['cd_r'], name='relu_cd'),
    ] + head('cd_r'), {
        'w_stem': w(8, 3, 3, 3), 'w_tied': w(16, 8, 1, 1), **({'w_b': w(16, 8, 1, 1)} if weight_b == 'w_b' else {}), 'b_zero': np.zeros(16, np.float32),
        **inits_a, **inits_b, 'w_c': w(16, 16, 1, 1), 'w_d': w(16, 16, 1, 1), 'w_fc': w(10, 16), 'b_fc': w(10),
    })

# tied_groups with the tied weight a Constant node that conv_b reads through an Identity.
m = onnx.load(f'{out}/tied_groups.onnx')
tied = next(t for t in m.graph.initializer if t.name == 'w_tied')
m.graph.initializer.remove(tied)
conv_b = next(n for n in m.graph.node if n.name == 'conv_b')
conv_b.input[1] = 'w_tied_id'
m.graph.node.insert(0, helper.make_node('Identity', ['w_tied'], ['w_tied_id'], name='identity'))
m.graph.node.insert(0, helper.make_node('Constant', [], ['w_tied'], name='constant', value=tied))
m = onnx.shape_inference.infer_shapes(m, strict_mode=True)
onnx.checker.check_model(m, full_check=True)
onnx.save(m, f'{out}/tied_constant.onnx')

# conv_a and conv_b read one weight and feed one residual Add: one channel group, cut alike.
save('tied_same_group', stem() + [
    helper.make_node('Conv', ['s', 'w_tied', 'b_a'], ['a'], name='conv_a'),
    helper.make_node('Conv', ['s', 'w_tied', 'b_b'], ['b'], name='conv_b'),
    helper.make_node('Add', ['a', 'b'], ['ab'], name='add'),
    helper.make_node('Relu', ['ab'], ['ab_r'], name='relu_ab'),
    helper.make_node('Conv', ['ab_r', 'w_c'], ['c'], name='conv_c'),
    helper.make_node('Relu', ['c'], ['c_r'], name='relu_c'),
] + head('c_r'), {
    'w_stem': w(8, 3, 3, 3), 'w_tied': w(16, 8, 1, 1), 'b_a': w(16), 'b_b': w(16), 'w_c': w(16, 16, 1, 1), 'w_fc': w(10, 16), 'b_fc': w(10),
})

# conv_q applies conv_p's weight to conv_p's output: pruning conv_p's channels would cut the weight on
# its output axis for conv_p and on its input axis for conv_q.
save('tied_axes', stem() + [
    helper.make_node('Conv', ['s', 'w_square'], ['p'], name='conv_p'),
    helper.make_node('Relu', ['p'], ['p_r'], name='relu_p'),
    helper.make_node('Conv', ['p_r', 'w_square'], ['q'], name='conv_q'),
    helper.make_node('Relu', ['q'], ['q_r'], name='relu_q'),
    helper.make_node('Conv', ['q_r', 'w_r'], ['r'], name='conv_r'),
    helper.make_node('Relu', ['r'], ['r_r'], name='relu_r'),
] + head('r_r'), {
    'w_stem': w(8, 3, 3, 3), 'w_square': w(8, 8, 1, 1), 'w_r': w(16, 8, 1, 1), 'w_fc': w(10, 16), 'b_fc': w(10),
})
