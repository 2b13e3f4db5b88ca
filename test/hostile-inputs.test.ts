import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { checkModel } from '../src/onnx/check/checker';
import { inferModel } from '../src/onnx/infer/infer';
import { openModel } from '../src/onnx/open';
import { CLI } from './helpers/corpus';
import { HOSTILE_MODELS, scanModel } from './helpers/hostile-models';
import { bytesOf } from './helpers/models';

// Tiny models whose values once made `check` allocate gigabytes or loop: each must finish in a
// 300 MB heap (V8 aborts past it, which fails the test). Timings are in bench/hostile.ts.

const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-hostile-'));
const files = new Map(HOSTILE_MODELS.map((h) => {
  const path = join(dir, `${h.name}.onnx`);
  writeFileSync(path, bytesOf(h.model()));
  return [h.name, path];
}));
/** Models onnxruntime refuses to run (see the last test): the checker reports them as E401. */
const REFUSED = new Set(['range-delta-zero', 'slice-step-zero', 'scan-inputs']);
/** Models whose check stayed within bounds, so inferring them in this process is safe. */
const bounded = new Set<string>();

for (const h of HOSTILE_MODELS) {
  test(`check stays within a 300 MB heap on ${h.name}: ${h.asks}`, () => {
    // The timeout is a hang guard only; a loaded machine may be slow, but never this slow.
    const r = spawnSync(process.execPath, ['--max-old-space-size=300', CLI, 'check', '--json', files.get(h.name)!], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.signal, null, `check was killed (${r.signal}): out of memory or hung\n${r.stderr.slice(-500)}`);
    assert.ok(r.status === 0 || r.status === 1, `exit ${r.status}: ${r.stderr}`);
    const codes = (JSON.parse(r.stdout) as { diagnostics: { code: string }[] }).diagnostics.map((d) => d.code);
    assert.equal(codes.includes('E401'), REFUSED.has(h.name), `codes: ${codes.join(', ')}`);
    bounded.add(h.name);
  });
}

test('output shapes of the hostile models agree with python onnx wherever it determines them', () => {
  const judged = [...files].filter(([name]) => bounded.has(name) && !name.includes('declared-length') && !REFUSED.has(name));
  const py = spawnSync('/usr/bin/python3', ['-c', PY_SHAPES, ...judged.map(([, p]) => p)], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(py.status, 0, py.stderr);
  const reference = JSON.parse(py.stdout) as Record<string, { elem: number; shape: (number | null)[] | null }>;
  let compared = 0;
  for (const [name, path] of judged) {
    const ref = reference[path]!;
    if (!ref.shape || ref.shape.includes(null)) continue;
    const model = openModel(path);
    const y = model.graph.outputs[0]!;
    const t = inferModel(model).inferredType(y);
    model.close();
    assert.deepEqual(t && t.kind === 'tensor' ? { elem: t.elemType, shape: t.shape } : t, ref, name);
    compared++;
  }
  assert.ok(compared >= 9, `only ${compared} hostile models compared`);
});

test('what the checker reports as E401 on the hostile models, onnxruntime refuses to run', async () => {
  // onnxruntime takes seconds over 2^28 scan inputs; 2 of 1 are refused alike.
  const scan = join(dir, 'scan-2.onnx');
  writeFileSync(scan, bytesOf(scanModel(2)));
  assert.ok(checkModel(openModel(scan)).some((d) => d.code === 'E401'));
  for (const path of [...REFUSED].map((name) => (name === 'scan-inputs' ? scan : files.get(name)!))) {
    const run = async (): Promise<void> => {
      const session = await ort.InferenceSession.create(path, { logSeverityLevel: 4 });
      const feeds = Object.fromEntries(session.inputNames.map((n) => [n, new ort.Tensor('float32', new Float32Array(1), [1])]));
      await session.run(feeds);
    };
    await assert.rejects(run, `${path} ran in onnxruntime`);
  }
});

/** python onnx 1.12 shape inference: the element type and dims of output 'y' per model. */
const PY_SHAPES = `
import json, sys, onnx
from onnx import shape_inference
out = {}
for path in sys.argv[1:]:
    g = shape_inference.infer_shapes(onnx.load(path)).graph
    t = {v.name: v.type for v in list(g.output) + list(g.value_info)}['y'].tensor_type
    dims = [d.dim_value if d.HasField('dim_value') else None for d in t.shape.dim] if t.HasField('shape') else None
    out[path] = {'elem': t.elem_type, 'shape': dims}
print(json.dumps(out))
`;
