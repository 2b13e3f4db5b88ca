import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { summarizeModel } from '../src/analysis/summary';
import { openModel } from '../src/onnx/open';
import { corpusModels, ROOT, suiteCases } from './helpers/corpus';

/** Runs python onnx (Debian's /usr/bin/python3) over the files in one process. */
function pythonCounts(paths: string[]): Record<string, Record<string, unknown>> {
  const script = join(ROOT, 'scripts', 'python', 'inspect_counts.py');
  const out = execFileSync('/usr/bin/python3', [script, ...paths], { maxBuffer: 256 * 1024 * 1024 });
  return JSON.parse(out.toString()) as Record<string, Record<string, unknown>>;
}

function compare(paths: string[]): number {
  const expected = pythonCounts(paths);
  let compared = 0;
  for (const path of paths) {
    const py = expected[path]!;
    if ('error' in py) continue; // python 1.12 cannot load it; our decode is covered elsewhere
    const model = openModel(path);
    try {
      const s = summarizeModel(model);
      const ours = {
        irVersion: s.irVersion,
        producerName: s.producerName,
        producerVersion: s.producerVersion,
        opsetImports: s.opsetImports,
        inputNames: s.inputs.map((i) => i.name),
        outputNames: s.outputs.map((o) => o.name),
        nodeCount: s.nodeCount,
        totalNodeCount: s.totalNodeCount,
        subgraphCount: s.subgraphCount,
        opTypes: s.opTypes,
        initializerCount: s.initializerCount,
        parameterCount: s.parameterCount,
        metadataProps: s.metadataProps,
      };
      assert.deepEqual(ours, py, `${path}: inspect differs from python onnx`);
      compared++;
    } finally {
      model.close();
    }
  }
  return compared;
}

test('inspect --json counts equal python onnx on every corpus model', () => {
  const models = corpusModels();
  assert.equal(compare(models), models.length);
});

test('inspect --json counts equal python onnx on every conformance-suite model', () => {
  const paths = suiteCases().map((c) => c.model);
  const n = compare(paths);
  assert.ok(n > 1000, `compared ${n}`);
});
