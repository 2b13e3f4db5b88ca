// In-graph calibration names each node it adds as its output (`<value>__calib_min`, ...). A
// model whose own nodes already carry those names is valid, but onnxruntime refuses two nodes of
// one name: the added ones must avoid node names too (attack9).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, ROOT } from './helpers/corpus';
import { npyFiles, readNpy } from './helpers/quantize-run';
import { intermediates } from './helpers/static-calibration';

const dir = mkdtempSync(join(tmpdir(), 'attack9-names-'));
execFileSync('/usr/bin/python3', [join(ROOT, 'test', 'helpers', 'attack9_models.py'), dir]);

/** The scales the quantizer wrote, by initializer name (python onnx reads them). */
function writtenScales(model: string): Record<string, number> {
  const code = 'import onnx, sys, json\nfrom onnx import numpy_helper as nh\nm = onnx.load(sys.argv[1])\nprint(json.dumps({t.name: float(nh.to_array(t)) for t in m.graph.initializer if t.name.endswith("_scale") and not t.dims}))';
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', code, model]).toString()) as Record<string, number>;
}

for (const method of ['minmax', 'percentile']) {
  test(`${method}: node names equal to the calibration's own are no clash; ranges are the float model's`, async () => {
    const out = join(dir, `q-${method}.onnx`);
    const model = join(dir, 'node_names.onnx');
    const calib = join(dir, 'calib');
    const r = spawnSync(process.execPath, [CLI, 'quantize', model, '--mode', 'static', '--preset', 'tensorrt', '--method', method, '--calib', calib, '--eval', calib, '-o', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    // Reference: onnxruntime's float activations (exposed as outputs), max |value| / 127 over the ten samples.
    const names = ['a2', 'a3'];
    const values = await intermediates(new Uint8Array(readFileSync(model)), names, 'x', npyFiles(calib).map(readNpy));
    const scales = writtenScales(out);
    for (const name of names) {
      const amax = Math.max(...values.flatMap((v) => Array.from(v[name]!, Math.abs)));
      // MinMax is exact; Percentile (99.999 % of 640 values per file) lands on the largest value's bin.
      const tolerance = method === 'minmax' ? 1e-6 : 2e-3;
      assert.ok(Math.abs(scales[`${name}_scale`]! - amax / 127) <= tolerance * (amax / 127), `${name}: ${scales[`${name}_scale`]} vs ${amax / 127}`);
    }
  });
}
