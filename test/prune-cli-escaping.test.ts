// `onnx-studio prune`'s warnings and progress lines name weights and nodes from the file: a name
// with terminal escape sequences or a newline must come out escaped, on one line.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI } from './helpers/corpus';

/** Three 8→8 1×1 Convs; the middle one's weight has a hostile name and is also a graph output, so pruning copies it and warns. */
const MODEL = `
import sys, numpy as np, onnx
from onnx import helper as h, numpy_helper as nh, TensorProto as T
bad = 'w\\x1b[31mRED\\nFAKE'
ws = [nh.from_array(np.random.RandomState(i).randn(8, 8, 1, 1).astype(np.float32), n) for i, n in enumerate(['w0', bad, 'w2'])]
nodes = [h.make_node('Conv', ['x', 'w0'], ['a'], name='c0'), h.make_node('Conv', ['a', bad], ['b'], name='c1\\x1b]0;t\\x07'), h.make_node('Conv', ['b', 'w2'], ['y'], name='c2')]
g = h.make_graph(nodes, 'g', [h.make_tensor_value_info('x', T.FLOAT, [1, 8, 4, 4])], [h.make_tensor_value_info('y', T.FLOAT, [1, 8, 4, 4]), h.make_tensor_value_info(bad, T.FLOAT, [8, 8, 1, 1])], ws)
onnx.save(h.make_model(g, opset_imports=[h.make_opsetid('', 13)]), sys.argv[1])
`;

test('prune: a weight name with escape sequences and a newline is printed escaped in the warning, never raw', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prune-escaping-'));
  const path = join(dir, 'hostile.onnx');
  execFileSync('/usr/bin/python3', ['-c', MODEL, path]);
  const r = spawnSync(process.execPath, [CLI, 'prune', path, '--method', 'unstructured', '--ratio', '0.5'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(!/[\u001b\u0007]/.test(r.stderr), r.stderr);
  const warning = r.stderr.split('\n').find((l) => l.startsWith('warning: '));
  assert.ok(warning?.includes("weight 'w\\x1b[31mRED\\nFAKE' is also read by a graph output"), r.stderr);
  assert.ok(!r.stderr.split('\n').some((l) => l.startsWith('FAKE')), 'no line forged by the name');
});
