import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkTensorRT } from '../src/analysis/tensorrt/compat';
import { openModel } from '../src/onnx/open';
import { CORPUS_DIR } from './helpers/corpus';

const dir = mkdtempSync(join(tmpdir(), 'trt-control-flow-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const python = (script: string, ...args: string[]): unknown => JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, ...args], { encoding: 'utf8' }));

function check(path: string): ReturnType<typeof checkTensorRT> {
  const m = openModel(path);
  try {
    return checkTensorRT(m, { version: '11.1' });
  } finally {
    m.close();
  }
}

/**
 * Built by python onnx: x + B → Relu → If(cond) → Identity. then_branch: MatMul(x, W), W an outer
 * initializer; else_branch: a custom-domain op (no plugin), so the If is rejected. python reports
 * the element counts and the top-level node order.
 */
const BUILD_IF = `
import json, sys, numpy as np, onnx
from onnx import helper as h, TensorProto as T, numpy_helper as nh
x = h.make_tensor_value_info('x', T.FLOAT, [1, 4])
y = h.make_tensor_value_info('y', T.FLOAT, [1, 4])
then_g = h.make_graph([h.make_node('MatMul', ['r', 'W'], ['t'], name='mm')], 'then', [], [h.make_tensor_value_info('t', T.FLOAT, [1, 4])])
else_g = h.make_graph([h.make_node('Foo', ['r'], ['e'], name='foo', domain='my.custom')], 'else', [], [h.make_tensor_value_info('e', T.FLOAT, [1, 4])])
nodes = [h.make_node('Add', ['x', 'B'], ['a'], name='add'), h.make_node('Relu', ['a'], ['r'], name='relu'),
         h.make_node('If', ['cond'], ['i'], name='if', then_branch=then_g, else_branch=else_g), h.make_node('Identity', ['i'], ['y'], name='id')]
W = nh.from_array(np.arange(16, dtype=np.float32).reshape(4, 4), 'W')
B = nh.from_array(np.ones(4, dtype=np.float32), 'B')
g = h.make_graph(nodes, 'g', [x, h.make_tensor_value_info('cond', T.BOOL, [])], [y], [W, B])
m = h.make_model(g, opset_imports=[h.make_opsetid('', 13), h.make_opsetid('my.custom', 1)])
onnx.checker.check_model(m)
onnx.save(m, sys.argv[1])
sizes = {t.name: int(np.prod(t.dims)) for t in m.graph.initializer}
print(json.dumps({'sizes': sizes, 'top': [n.name for n in m.graph.node], 'all': len(m.graph.node) + len(then_g.node) + len(else_g.node)}))
`;

test('a weight read only inside a rejected If is not taken; nodes of its bodies count neither in the share nor in islands', () => {
  const path = join(dir, 'if-outer-weight.onnx');
  const ref = python(BUILD_IF, path) as { sizes: Record<string, number>; top: string[]; all: number };
  const r = check(path);
  const byId = new Map(r.nodes.map((n) => [n.id, n]));
  assert.equal(byId.get('if')!.status, 'unsupported');
  // The MatMul keeps its own status (what it would be on its own); it is simply not taken.
  assert.equal(byId.get('if/then_branch/mm')!.status, 'supported');
  // W (read only by the MatMul in then_branch) is not taken; B (read by the top-level Add) is.
  assert.deepEqual(r.summary.parameters, { total: ref.sizes.W! + ref.sizes.B!, supported: ref.sizes.B! });
  assert.equal(r.summary.supportedParameterShare, ref.sizes.B! / (ref.sizes.W! + ref.sizes.B!));
  const ifAt = ref.top.indexOf('if');
  assert.equal(r.summary.supportedNodeShare, (ref.top.length - 1) / ref.all);
  assert.deepEqual(r.summary.islands.map((i) => [i.graph, i.range]), [['', [0, ifAt]], ['', [ifAt + 1, ref.top.length]]]);
});

/** Silero VAD v5: python onnx lists the top-level nodes and counts every parameter (initializers and Constant tensors of every graph). */
const SILERO_FACTS = `
import json, sys, numpy as np, onnx
m = onnx.load(sys.argv[1])
total = 0
def walk(g):
    global total
    total += sum(int(np.prod(t.dims)) for t in g.initializer)
    for n in g.node:
        if n.op_type == 'Constant':
            for a in n.attribute:
                total += int(np.prod(a.t.dims)) if a.name == 'value' else len(a.floats) + len(a.ints) if a.name in ('value_floats', 'value_ints') else 1
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH: walk(a.g)
walk(m.graph)
top = m.graph.node
read_inside = set()
def reads(g):
    for n in g.node:
        read_inside.update(n.input)
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH: reads(a.g)
for n in top:
    for a in n.attribute:
        if a.type == onnx.AttributeProto.GRAPH: reads(a.g)
# Top-level Constants read only by top-level nodes that are not If.
taken = 0
for c in top:
    if c.op_type != 'Constant' or c.output[0] in read_inside: continue
    if all(r.op_type != 'If' for r in top if c.output[0] in r.input):
        taken += sum(int(np.prod(a.t.dims)) for a in c.attribute if a.name == 'value')
print(json.dumps({'top': [[n.name, n.op_type] for n in top], 'total': total, 'taken': taken}))
`;

test('Silero VAD v5: top-level If_0 (holding the whole network) is rejected, so the parameter share is below 1 and no island lies in its body', () => {
  const path = join(CORPUS_DIR, 'silero_vad_v5.onnx');
  const ref = python(SILERO_FACTS, path) as { top: [string, string][]; total: number; taken: number };
  const r = check(path);
  const ifs = ref.top.map(([, op], i) => (op === 'If' ? i : -1)).filter((i) => i >= 0);
  assert.deepEqual(ifs.map((i) => r.nodes.find((n) => n.id === ref.top[i]![0])!.status), ifs.map(() => 'unsupported'));
  assert.equal(r.summary.parameters.total, ref.total);
  assert.equal(r.summary.parameters.supported, ref.taken);
  assert.ok(r.summary.supportedParameterShare < 1);
  assert.equal(r.summary.supportedNodeShare, (ref.top.length - ifs.length) / r.nodes.length);
  // Islands: the runs of top-level nodes between the Ifs, nothing from any body.
  const expected: [string, [number, number]][] = [];
  let start = 0;
  for (const i of [...ifs, ref.top.length]) {
    if (i > start) expected.push(['', [start, i]]);
    start = i + 1;
  }
  assert.deepEqual(r.summary.islands.map((i) => [i.graph, i.range]), expected);
});
