"""Small models of old opsets for the operator changes the conformance suite does not cover.

Usage: old-opset-models.py OUT_DIR. Writes OUT_DIR/<case>/model.onnx and
OUT_DIR/<case>/test_data_set_0/input_N.pb (the suite's layout) and OUT_DIR/cases.json:
[{name, target, refuse}] where refuse is the node name the upgrade must refuse, or null.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = sys.argv[1]
CASES = []
rng = np.random.default_rng(7)
INT64_MAX = 9223372036854775807


def vi(name, shape, elem=TensorProto.FLOAT):
    return helper.make_tensor_value_info(name, elem, shape)


def case(name, opset, nodes, inputs, outputs, target=13, refuse=None, inits=(), functions=(), ir=None, feeds=None, expected=None):
    """inputs: [(name, shape, dtype)] fed with seeded random values unless feeds gives them;
    expected(feeds) computes reference outputs with numpy, for old operators onnxruntime no longer runs."""
    graph_inputs = [vi(n, s, onnx.mapping.NP_TYPE_TO_TENSOR_TYPE[np.dtype(d)]) for n, s, d in inputs]
    if opset < 9:  # before IR 4 every initializer is also a graph input
        graph_inputs += [vi(t.name, list(t.dims), t.data_type) for t in inits]
    graph = helper.make_graph(nodes, name, graph_inputs, outputs, initializer=list(inits))
    opsets = [helper.make_opsetid('', opset)]
    if functions:
        opsets.append(helper.make_opsetid('local', 1))
    model = helper.make_model(graph, opset_imports=opsets, functions=list(functions), producer_name='old-opset-models')
    model.ir_version = ir or {6: 3, 7: 3, 8: 3, 9: 4, 10: 5, 11: 6, 12: 7}.get(opset, 8)
    # python onnx's checker wants every graph output typed with a shape: let inference supply it.
    inferred = {o.name: o for o in onnx.shape_inference.infer_shapes(model).graph.output}
    for o in model.graph.output:
        if not o.type.tensor_type.HasField('shape') and inferred[o.name].type.tensor_type.HasField('shape'):
            o.type.CopyFrom(inferred[o.name].type)
    d = os.path.join(OUT, name)
    os.makedirs(os.path.join(d, 'test_data_set_0'), exist_ok=True)
    onnx.save(model, os.path.join(d, 'model.onnx'))
    for i, (n, s, dt) in enumerate(inputs):
        value = (feeds or {}).get(n)
        if value is None:
            value = (rng.standard_normal(s) * 3).astype(dt)
        with open(os.path.join(d, 'test_data_set_0', f'input_{i}.pb'), 'wb') as f:
            f.write(numpy_helper.from_array(np.asarray(value), n).SerializeToString())
    if expected:
        values = {n: numpy_helper.to_array(onnx.load_tensor(os.path.join(d, 'test_data_set_0', f'input_{i}.pb'))) for i, (n, _, _) in enumerate(inputs)}
        for i, out in enumerate(expected(values)):
            with open(os.path.join(d, 'test_data_set_0', f'output_{i}.pb'), 'wb') as f:
                f.write(numpy_helper.from_array(out.astype(np.float32), outputs[i].name).SerializeToString())
    CASES.append({'name': name, 'target': target, 'refuse': refuse})


f32 = 'float32'
X345 = [('x', [3, 4, 5], f32)]

# Attributes that became inputs
case('slice_opset9', 9, [helper.make_node('Slice', ['x'], ['y'], name='slice', starts=[0, 1], ends=[2, INT64_MAX], axes=[0, 2])], X345, [vi('y', None)])
case('slice_no_axes_opset9', 9, [helper.make_node('Slice', ['x'], ['y'], name='slice', starts=[1, -3, 0], ends=[3, -1, 4])], X345, [vi('y', None)])
case('topk_opset9', 9, [helper.make_node('TopK', ['x'], ['v', 'i'], name='topk', k=2, axis=1)], X345, [vi('v', None), vi('i', None, TensorProto.INT64)])
case('pad_constant_opset9', 9, [helper.make_node('Pad', ['x'], ['y'], name='pad', pads=[0, 1, 2, 0, 2, 1], value=1.5)], X345, [vi('y', None)])
case('pad_reflect_opset9', 9, [helper.make_node('Pad', ['x'], ['y'], name='pad', mode='reflect', pads=[0, 1, 2, 0, 2, 1])], X345, [vi('y', None)])
case('clip_opset9', 9, [
    helper.make_node('Clip', ['x'], ['a'], name='both', min=-1.0, max=2.5),
    helper.make_node('Clip', ['x'], ['b'], name='min_only', min=-0.5),
    helper.make_node('Clip', ['x'], ['c'], name='max_only', max=0.25),
    helper.make_node('Clip', ['x'], ['d'], name='neither')], X345, [vi('a', None), vi('b', None), vi('c', None), vi('d', None)])
case('squeeze_unsqueeze_opset9', 9, [
    helper.make_node('Unsqueeze', ['x'], ['u'], name='unsqueeze', axes=[0, 4]),
    helper.make_node('Squeeze', ['u'], ['y'], name='squeeze', axes=[0])], X345, [vi('y', None), vi('u', None)])
case('split_opset9', 9, [helper.make_node('Split', ['x'], ['a', 'b'], name='split', axis=2, split=[2, 3])], X345, [vi('a', None), vi('b', None)])
case('split_equal_opset9_to18', 9, [helper.make_node('Split', ['x'], ['a', 'b', 'c'], name='split', axis=0)], X345, [vi('a', None), vi('b', None), vi('c', None)], target=18)
case('reduce_opset11_to18', 11, [
    helper.make_node('ReduceSum', ['x'], ['s'], name='sum', axes=[1], keepdims=0),
    helper.make_node('ReduceMean', ['x'], ['m'], name='mean', axes=[-1]),
    helper.make_node('ReduceMax', ['x'], ['all'], name='max_all')], X345, [vi('s', None), vi('m', None), vi('all', None)], target=18)
case('dropout_opset10_to12', 10, [helper.make_node('Dropout', ['x'], ['y'], name='dropout', ratio=0.3)], X345, [vi('y', None)])
case('dropout_unread_mask_opset7', 7, [helper.make_node('Dropout', ['x'], ['y', 'mask'], name='dropout', ratio=0.3)], X345, [vi('y', None)])
# Softmax family: the 2-D coercion
case('softmax_family_opset9', 9, [
    helper.make_node('Softmax', ['x'], ['a'], name='softmax_default_axis'),
    helper.make_node('Softmax', ['x'], ['b'], name='softmax_last_axis', axis=2),
    helper.make_node('LogSoftmax', ['x'], ['c'], name='logsoftmax_axis0', axis=0),
    helper.make_node('Hardmax', ['x'], ['d'], name='hardmax_axis1', axis=1),
    helper.make_node('Softmax', ['x'], ['e'], name='softmax_negative', axis=-2)], X345, [vi(n, None) for n in 'abcde'])
case('softmax_unknown_rank_opset11', 11, [helper.make_node('Reshape', ['x', 'shape'], ['r'], name='reshape'), helper.make_node('Softmax', ['r'], ['y'], name='softmax', axis=1)],
     [('x', [24], f32), ('shape', ['n'], 'int64')], [vi('y', [2, 3, 4])], feeds={'shape': np.array([2, 3, 4], np.int64)})
# Upsample → Resize, Resize-10 → 11
X4 = [('x', [1, 2, 3, 4], f32)]
case('upsample_nearest_opset7', 7, [helper.make_node('Upsample', ['x'], ['y'], name='up', scales=[1.0, 1.0, 2.0, 3.0])], X4, [vi('y', None)])
case('upsample_linear_opset8', 8, [helper.make_node('Upsample', ['x'], ['y'], name='up', mode='linear', scales=[1.0, 1.0, 2.0, 2.0])], X4, [vi('y', None)])
case('upsample_linear_opset9', 9, [helper.make_node('Upsample', ['x', 'scales'], ['y'], name='up', mode='linear')], X4, [vi('y', None)],
     inits=[numpy_helper.from_array(np.array([1, 1, 2, 1.5], np.float32), 'scales')])
for mode, scales in [('nearest', [1, 1, 2, 2]), ('nearest', [1, 1, 0.6, 0.7]), ('linear', [1, 1, 2.5, 1.5]), ('linear', [1, 1, 0.6, 0.5])]:
    tag = 'up' if scales[2] > 1 else 'down'
    case(f'resize_{mode}_{tag}_opset10', 10, [helper.make_node('Resize', ['x', 'scales'], ['y'], name='resize', mode=mode)], [('x', [1, 2, 6, 8], f32)], [vi('y', None)],
         inits=[numpy_helper.from_array(np.array(scales, np.float32), 'scales')])
# Other changes
bn_inits = [numpy_helper.from_array((rng.random(2) + 0.5).astype(f32), n) for n in ('scale', 'bias', 'mean', 'var')]
case('batchnorm_spatial_opset8', 8, [helper.make_node('BatchNormalization', ['x', 'scale', 'bias', 'mean', 'var'], ['y'], name='bn', spatial=1, momentum=0.8, epsilon=1e-3)], X4, [vi('y', None)], inits=bn_inits)
s_, b_, m_, v_ = (numpy_helper.to_array(t).reshape(1, 2, 1, 1) for t in bn_inits)
case('batchnorm_is_test_opset6', 6, [helper.make_node('BatchNormalization', ['x', 'scale', 'bias', 'mean', 'var'], ['y'], name='bn', is_test=1)], X4, [vi('y', None)], inits=bn_inits,
     expected=lambda f: [(f['x'] - m_) / np.sqrt(v_ + 1e-5) * s_ + b_])
case('scatter_opset9', 9, [helper.make_node('Scatter', ['x', 'idx', 'upd'], ['y'], name='scatter', axis=1)], [('x', [3, 4], f32)], [vi('y', None)],
     inits=[numpy_helper.from_array(np.array([[1, 0], [3, 2], [0, 1]], np.int64), 'idx'), numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(3, 2), 'upd')])
case('roialign_opset10_to16', 10, [helper.make_node('RoiAlign', ['x', 'rois', 'batch'], ['y'], name='roialign', output_height=2, output_width=3, sampling_ratio=2, spatial_scale=0.5)],
     [('x', [1, 2, 8, 8], f32)], [vi('y', None)], target=16,
     inits=[numpy_helper.from_array(np.array([[0, 0, 9, 9], [2, 3, 11, 13]], np.float32), 'rois'), numpy_helper.from_array(np.array([0, 0], np.int64), 'batch')])
b_, b2_, w_, c_ = (rng.random(s).astype(f32) for s in ([4, 5], [4, 5], [5, 4], [5]))
case('add_legacy_broadcast_opset6', 6, [helper.make_node('Add', ['x', 'b'], ['y'], name='add', broadcast=1), helper.make_node('Mul', ['y', 'b2'], ['z'], name='mul', broadcast=1, axis=1)],
     X345, [vi('z', None)], inits=[numpy_helper.from_array(b_, 'b'), numpy_helper.from_array(b2_, 'b2')], expected=lambda f: [(f['x'] + b_) * b2_])
case('gemm_broadcast_opset6', 6, [helper.make_node('Gemm', ['x', 'w', 'c'], ['y'], name='gemm', broadcast=1, transB=1)], [('x', [3, 4], f32)], [vi('y', [3, 5])],
     inits=[numpy_helper.from_array(w_, 'w'), numpy_helper.from_array(c_, 'c')], expected=lambda f: [f['x'] @ w_.T + c_])
# Subgraphs and functions
then_g = helper.make_graph([helper.make_node('Slice', ['x'], ['t'], name='then_slice', starts=[1], ends=[3], axes=[1]),
                            helper.make_node('Unsqueeze', ['t'], ['t2'], name='then_unsqueeze', axes=[0])], 'then', [], [vi('t2', None)])
else_g = helper.make_graph([helper.make_node('Slice', ['x'], ['e'], name='else_slice', starts=[0], ends=[2], axes=[1]),
                            helper.make_node('Unsqueeze', ['e'], ['e2'], name='else_unsqueeze', axes=[0])], 'else', [], [vi('e2', None)])
for flag in (True, False):
    case(f'if_{str(flag).lower()}_subgraphs_opset9', 9, [helper.make_node('If', ['cond'], ['y'], name='if', then_branch=then_g, else_branch=else_g)], X345, [vi('y', None)],
         inits=[numpy_helper.from_array(np.array(flag), 'cond')])
body = helper.make_graph([helper.make_node('Unsqueeze', ['acc_in'], ['u'], name='body_unsqueeze', axes=[0]),
                          helper.make_node('Squeeze', ['u'], ['acc_out'], name='body_squeeze', axes=[0]),
                          helper.make_node('Identity', ['cond_in'], ['cond_out'], name='body_cond')],
                         'body', [vi('i', [], TensorProto.INT64), vi('cond_in', [], TensorProto.BOOL), vi('acc_in', None)], [vi('cond_out', [], TensorProto.BOOL), vi('acc_out', None)])
case('loop_body_opset11', 11, [helper.make_node('Loop', ['n', '', 'x'], ['y'], name='loop', body=body)], X345, [vi('y', [3, 4, 5])],
     inits=[numpy_helper.from_array(np.array(3, np.int64), 'n')])
fn = helper.make_function('local', 'AddAxis', ['a'], ['b'], [helper.make_node('Unsqueeze', ['a'], ['b'], name='fn_unsqueeze', axes=[0])], [helper.make_opsetid('', 11)])
case('function_body_opset11', 11, [helper.make_node('AddAxis', ['x'], ['y'], name='call', domain='local')], X345, [vi('y', None)], functions=[fn], ir=8)
# Refusals
case('refuse_read_mask_opset7', 7, [helper.make_node('Dropout', ['x'], ['y', 'mask'], name='dropout_with_mask', ratio=0.3)], X345, [vi('y', None), vi('mask', None)], refuse='dropout_with_mask')
case('refuse_bn_per_element_opset8', 8, [helper.make_node('BatchNormalization', ['x', 's', 'b', 'm', 'v'], ['y'], name='bn_spatial0', spatial=0)], X4, [vi('y', None)], refuse='bn_spatial0',
     inits=[numpy_helper.from_array(np.ones([2, 3, 4], np.float32), n) for n in ('s', 'b', 'm', 'v')])
case('refuse_broadcast_axis_opset6', 6, [helper.make_node('Add', ['x', 'b'], ['y'], name='add_axis1', broadcast=1, axis=1)], X345, [vi('y', None)], refuse='add_axis1',
     inits=[numpy_helper.from_array(np.ones([4], np.float32), 'b')])
for rounding in ('floor', 'round_prefer_floor'):
    case(f'resize_tf_half_pixel_for_nn_{rounding}_opset11', 11, [helper.make_node('Resize', ['x', 'roi', 'scales'], ['y'], name='resize', coordinate_transformation_mode='tf_half_pixel_for_nn', nearest_mode=rounding)],
         [('x', [1, 2, 6, 8], f32)], [vi('y', None)], inits=[numpy_helper.from_array(np.array([], np.float32), 'roi'), numpy_helper.from_array(np.array([1, 1, 0.6, 1.7], np.float32), 'scales')])
case('refuse_resize_tf_half_pixel_for_nn_ceil_opset11', 11, [helper.make_node('Resize', ['x', 'roi', 'scales'], ['y'], name='resize_ceil', coordinate_transformation_mode='tf_half_pixel_for_nn', nearest_mode='ceil')],
     [('x', [1, 2, 6, 8], f32)], [vi('y', None)], refuse='resize_ceil', inits=[numpy_helper.from_array(np.array([], np.float32), 'roi'), numpy_helper.from_array(np.array([1, 1, 0.6, 1.7], np.float32), 'scales')])
scan_body = helper.make_graph([helper.make_node('Add', ['sum_in', 'x_in'], ['sum_out'], name='body_add'), helper.make_node('Identity', ['sum_out'], ['scan_out'], name='body_out')], 'scan_body',
                              [vi('sum_in', [2]), vi('x_in', [2])], [vi('sum_out', [2]), vi('scan_out', [2])])
case('scan8_reverse_opset8', 8, [helper.make_node('Scan', ['', 'init', 'x'], ['final', 'each'], name='scan', num_scan_inputs=1, directions=[1], body=scan_body)],
     [('init', [1, 2], f32), ('x', [1, 3, 2], f32)], [vi('final', [1, 2]), vi('each', [1, 3, 2])])
case('refuse_scan8_batch2_opset8', 8, [helper.make_node('Scan', ['', 'init', 'x'], ['final', 'each'], name='scan_batch2', num_scan_inputs=1, body=scan_body)],
     [('init', [2, 2], f32), ('x', [2, 3, 2], f32)], [vi('final', [2, 2]), vi('each', [2, 3, 2])], refuse='scan_batch2')
case('refuse_resize_mixed_opset10', 10, [helper.make_node('Resize', ['x', 'scales'], ['y'], name='resize_mixed')], [('x', [1, 2, 6, 8], f32)], [vi('y', None)], refuse='resize_mixed',
     inits=[numpy_helper.from_array(np.array([1, 1, 0.5, 2], np.float32), 'scales')])
gs_, gb_ = np.array([1.5, 0.5], np.float32), np.array([0.1, -0.2], np.float32)


def group_norm(x, groups=2, eps=1e-5):
    n, c = x.shape[:2]
    g = x.reshape(n, groups, -1)
    y = ((g - g.mean(-1, keepdims=True)) / np.sqrt(g.var(-1, keepdims=True) + eps)).reshape(x.shape)
    per_channel = (-1,) + (1,) * (x.ndim - 2)
    return y * np.repeat(gs_, c // groups).reshape(per_channel) + np.repeat(gb_, c // groups).reshape(per_channel)


case('groupnorm_opset18_to21', 18, [helper.make_node('GroupNormalization', ['x', 's', 'b'], ['y'], name='groupnorm', num_groups=2)], [('x', [2, 4, 3, 3], f32)], [vi('y', [2, 4, 3, 3])],
     target=21, inits=[numpy_helper.from_array(gs_, 's'), numpy_helper.from_array(gb_, 'b')], expected=lambda f: [group_norm(f['x'])])
case('refuse_groupnorm_unknown_channels_opset18', 18, [helper.make_node('GroupNormalization', ['x', 's', 'b'], ['y'], name='groupnorm')], [('x', ['n', 'c', 3], f32)], [vi('y', None)], feeds={'x': np.zeros([1, 4, 3], np.float32)},
     target=21, refuse='groupnorm', inits=[numpy_helper.from_array(gs_, 's'), numpy_helper.from_array(gb_, 'b')])
slope_ = np.array([0.1, 0.5, 2.0], np.float32)
case('prelu_channel_slope_opset6', 6, [helper.make_node('PRelu', ['x', 'slope'], ['y'], name='prelu')], [('x', [2, 3, 4, 5], f32)], [vi('y', [2, 3, 4, 5])],
     inits=[numpy_helper.from_array(slope_, 'slope')], expected=lambda f: [np.where(f['x'] < 0, f['x'] * slope_.reshape(3, 1, 1), f['x'])])
case('refuse_in_subgraph_opset9', 9, [helper.make_node('If', ['cond'], ['y'], name='if', then_branch=helper.make_graph(
    [helper.make_node('Dropout', ['x'], ['t', 'tmask'], name='inner_dropout')], 'then', [], [vi('t', None), vi('tmask', None)]), else_branch=helper.make_graph(
    [helper.make_node('Identity', ['x'], ['e'], name='e'), helper.make_node('Identity', ['x'], ['emask'], name='em')], 'else', [], [vi('e', None), vi('emask', None)]))],
    X345, [vi('y', None)], refuse='inner_dropout', inits=[numpy_helper.from_array(np.array(True), 'cond')])

with open(os.path.join(OUT, 'cases.json'), 'w') as f:
    json.dump(CASES, f, indent=1)
