import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FloatReference } from '../src/optimize/flow/float-reference';
import { RuntimeClient } from '../src/runtime/client';
import type { Sample } from '../src/runtime/types';
import { python, RUNTIME_WORKER, tempDir, wave } from './helpers/runtime';

let client: RuntimeClient;
before(async () => {
  client = await RuntimeClient.start({ workerScript: RUNTIME_WORKER });
});
after(async () => {
  await client.close();
});

const N = 6;
/** ref.onnx: z = Tanh(x @ W); cand.onnx: the same with W + 0.05·sin(W·7) (a perturbed weight). Prints numpy's per-sample cosines of z. */
const SCRIPT = `
import sys, json, numpy as np, onnx
from onnx import helper, TensorProto, numpy_helper
d, n = sys.argv[1], int(sys.argv[2])
xs = [np.array(x, dtype=np.float32).reshape(1, n) for x in json.loads(sys.argv[3])]
W = (np.arange(n * n, dtype=np.float32).reshape(n, n) - n * n / 2) / (n * n)
W2 = (W + 0.05 * np.sin(W * 7)).astype(np.float32)
for name, w in (('ref', W), ('cand', W2)):
  g = helper.make_graph([helper.make_node('MatMul', ['x', 'W'], ['y'], name='mm'), helper.make_node('Tanh', ['y'], ['z'], name='tanh')], 'g',
    [helper.make_tensor_value_info('x', TensorProto.FLOAT, [1, n])], [helper.make_tensor_value_info('z', TensorProto.FLOAT, [1, n])], [numpy_helper.from_array(w, 'W')])
  m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 13)]); m.ir_version = 8
  onnx.save(m, d + '/' + name + '.onnx')
cos = []
for x in xs:
  a = np.tanh(x.astype(np.float64) @ W.astype(np.float64)).ravel()
  b = np.tanh(x.astype(np.float64) @ W2.astype(np.float64)).ravel()
  cos.append(float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))))
print(json.dumps(cos))
`;

test('the float reference computed once gives the per-sample worst and mean cosine numpy computes, on all samples or the first k', async () => {
  const dir = tempDir();
  const xs = [0, 1, 2, 3].map((k) => wave(N, 0.37 + 0.2 * k, k));
  const cos = JSON.parse(python(SCRIPT, [dir, String(N), JSON.stringify(xs.map((x) => [...x]))])) as number[];
  const samples: Sample[] = xs.map((x, k) => ({ id: `s${k}`, feeds: { x: { dtype: 1, dims: [1, N], data: x } } }));
  const reference = await FloatReference.create(client, join(dir, 'ref.onnx'), samples, {}, new Set());
  assert.ok(reference);
  const all = await reference.compare(join(dir, 'cand.onnx'));
  assert.equal(all.length, 1);
  assert.ok(Math.abs(all[0]!.cosine - Math.min(...cos)) < 1e-6, `${all[0]!.cosine} vs numpy ${Math.min(...cos)}`);
  assert.ok(Math.abs(all[0]!.meanCosine - cos.reduce((a, b) => a + b, 0) / cos.length) < 1e-6);
  const first = await reference.compare(join(dir, 'cand.onnx'), 2);
  assert.ok(Math.abs(first[0]!.cosine - Math.min(cos[0]!, cos[1]!)) < 1e-6);
  // The same figures as the runtime's own comparison, which runs both models.
  const both = await client.compareOutputs(join(dir, 'ref.onnx'), join(dir, 'cand.onnx'), samples);
  assert.ok(Math.abs(both[0]!.cosine - all[0]!.cosine) < 1e-9 && Math.abs(both[0]!.meanCosine - all[0]!.meanCosine) < 1e-9);
});
