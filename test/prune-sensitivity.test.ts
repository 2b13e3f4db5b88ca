import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DiskModelFiles } from '../src/onnx/io/model-files';
import { writeModel } from '../src/onnx/io/write-model';
import { decodeModelProto } from '../src/onnx/open';
import { RuntimeClient } from '../src/runtime/client';
import type { Sample } from '../src/runtime/types';
import { greedySteps, longestMeeting } from '../src/optimize/prune/ratio-choice';
import { SCAN_RATIOS, sensitivityScan } from '../src/optimize/prune/sensitivity';
import { python, RUNTIME_WORKER, tempDir } from './helpers/runtime';
import { mlpModel, seeded, testPruner } from './helpers/test-pruner';

let client: RuntimeClient;
before(async () => {
  client = await RuntimeClient.start({ workerScript: RUNTIME_WORKER });
});
after(async () => {
  await client.close();
});

const SAMPLES: Sample[] = Array.from({ length: 8 }, (_, i) => ({ id: `s${i}`, feeds: { x: { dtype: 1, dims: [1, 16], data: seeded(16, 100 + i) } } }));

/**
 * numpy: worst per-sample cosine of the MLP's output with the given weights' smallest
 * magnitudes zeroed (floor(ratio · n) of each), against the unpruned model.
 */
function numpyWorstCosine(dir: string, ratios: Record<string, number>): number {
  writeFileSync(join(dir, 'x.json'), JSON.stringify(SAMPLES.map((s) => [...(s.feeds.x!.data as Float32Array)])));
  const out = python(
    `
import sys, json, numpy as np, onnx
from onnx import numpy_helper
m = onnx.load(sys.argv[1] + '/model.onnx')
W = {t.name: numpy_helper.to_array(t).astype(np.float64) for t in m.graph.initializer}
x = np.array(json.load(open(sys.argv[1] + '/x.json')), dtype=np.float32).astype(np.float64)
def run(W):
  h = np.maximum(x @ W['w1'], 0); h = np.maximum(h @ W['w2'], 0); return h @ W['w3'] + W['b3']
ref = run(W)
P = dict(W)
for name, r in json.loads(sys.argv[2]).items():
  w = W[name].ravel().copy(); k = int(np.floor(r * w.size)); w[np.argsort(np.abs(w), kind='stable')[:k]] = 0; P[name] = w.reshape(W[name].shape)
got = run(P)
cos = [float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b))) for a, b in zip(ref, got)]
print(repr(min(cos)))
`,
    [dir, JSON.stringify(ratios)],
  );
  return Number(out.trim());
}

test('the scan measures each unit alone at its ratios (numpy agrees), stops a unit at the first miss, and its choice meets the target on the combined model', async () => {
  const dir = tempDir();
  const path = join(dir, 'model.onnx');
  writeModel(mlpModel(), undefined, path, { protect: [] });
  const files = new DiskModelFiles(path);
  const lines: string[] = [];
  try {
    const target = 0.99;
    const r = await sensitivityScan({
      pruner: testPruner,
      options: { method: 'unstructured', ratio: 0.8 },
      fresh: () => decodeModelProto(files.model),
      files,
      floatPath: path,
      client,
      settings: {},
      samples: SAMPLES,
      tempFolder: dir,
      targetCosine: target,
      protect: [path],
      progress: (l) => lines.push(l),
    });
    const weightOf: Record<string, string> = { fc1: 'w1', fc2: 'w2', fc3: 'w3' };
    assert.deepEqual(r.scan.ratios, SCAN_RATIOS);
    assert.deepEqual(r.scan.units.map((u) => u.nodes), [['fc1'], ['fc2'], ['fc3']]);
    assert.deepEqual(r.scan.units.map((u) => u.parameters), [512, 1024, 256]);
    const aim = target + (1 - target) * 0.5;
    for (const u of r.scan.units) {
      assert.ok(u.cosine.length >= 1 && u.cosine.length <= SCAN_RATIOS.length);
      u.cosine.forEach((c, i) => {
        const expected = numpyWorstCosine(dir, { [weightOf[u.id]!]: SCAN_RATIOS[i]! });
        assert.ok(Math.abs(c - expected) < 1e-5, `${u.id} at ${SCAN_RATIOS[i]}: ${c} vs numpy ${expected}`);
        // Every ratio but the last measured met the aim; a shorter list ends on a miss.
        if (i < u.cosine.length - 1) assert.ok(c >= aim, `${u.id}: ${c}`);
      });
      if (u.cosine.length < SCAN_RATIOS.length) assert.ok(u.cosine.at(-1)! < aim);
      assert.ok(u.chosen === 0 || SCAN_RATIOS.includes(u.chosen));
    }
    assert.ok(r.scan.units.some((u) => u.chosen > 0), JSON.stringify(r.scan));
    const combined = numpyWorstCosine(dir, Object.fromEntries(r.scan.units.filter((u) => u.chosen > 0).map((u) => [weightOf[u.id]!, u.chosen])));
    assert.ok(Math.abs(combined - r.scan.cosineChosen) < 1e-5, `${r.scan.cosineChosen} vs numpy ${combined}`);
    assert.ok(r.met && combined >= target, `${combined}`);
    assert.deepEqual(r.unitRatios, Object.fromEntries(r.scan.units.map((u) => [u.id, u.chosen])));
    assert.ok(lines.some((l) => /^sensitivity: unit 1 of 3 \(fc1\)/.test(l)), lines.join('\n'));
  } finally {
    files.close();
  }
});

test('greedy steps: most weights saved per cosine lost first, each unit past its level only, levels that miss the aim never taken', () => {
  const units = [
    { id: 'a', nodes: ['a'], parameters: 100 },
    { id: 'b', nodes: ['b'], parameters: 100 },
  ];
  const levels = new Map([
    // a: cheap at first, then steep.
    ['a', [{ ratio: 0.1, cosine: 0.999, saved: 10 }, { ratio: 0.2, cosine: 0.99, saved: 20 }, { ratio: 0.3, cosine: 0.9, saved: 30 }]],
    // b: 0.1 costs as much per weight as a's 0.2 step; 0.2 more.
    ['b', [{ ratio: 0.1, cosine: 0.995, saved: 10 }, { ratio: 0.2, cosine: 0.98, saved: 20 }]],
  ]);
  const steps = greedySteps(units, levels, 0.95);
  // Efficiencies: a0.1 = 10/0.001; then a0.2 = 10/0.009 ≈ 1111, b0.1 = 10/0.005 = 2000 → b0.1; then a0.2 (1111) vs b0.2 (10/0.015 ≈ 667) → a0.2; then b0.2; a0.3 misses the aim.
  assert.deepEqual(steps.map((s) => `${s.unit}${s.ratio}`), ['a0.1', 'b0.1', 'a0.2', 'b0.2']);
  const losses = steps.map((s) => Number(s.loss.toFixed(6)));
  assert.deepEqual(losses, [0.001, 0.006, 0.015, 0.03]);
});

test('a level past the first one may be taken directly when it saves more per loss', () => {
  const units = [{ id: 'a', nodes: ['a'], parameters: 100 }];
  const levels = new Map([['a', [{ ratio: 0.1, cosine: 0.99, saved: 10 }, { ratio: 0.2, cosine: 0.99, saved: 20 }]]]);
  assert.deepEqual(greedySteps(units, levels, 0.95).map((s) => s.ratio), [0.2]);
});

test('longestMeeting finds the largest k of a monotone predicate from any start, in few probes', async () => {
  for (const n of [1, 2, 7, 40]) {
    for (let best = 0; best <= n; best++) {
      for (const start of [1, Math.ceil(n / 2), n]) {
        const probes: number[] = [];
        const k = await longestMeeting(n, start, async (x) => (probes.push(x), x <= best));
        assert.equal(k, best, `n ${n} best ${best} start ${start}`);
        assert.ok(probes.length <= 2 * Math.ceil(Math.log2(n + 1)) + 2, `${probes.length} probes for n ${n}`);
        assert.ok(probes.every((p) => p >= 1 && p <= n));
      }
    }
  }
});
