// In-graph calibration statistics (ReduceMin/ReduceMax inside onnxruntime) on an activation that
// holds NaN: onnxruntime's vectorized ReduceMax then returns a finite but wrong maximum (the
// lanes a NaN touched drop out). The range must equal numpy's nanmax, as the full path's (attack9).
// The tensorrt preset leaves Mul float: --include-ops Mul quantizes it, symmetric int8.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, ROOT } from './helpers/corpus';

const dir = mkdtempSync(join(tmpdir(), 'attack9-nan-'));
execFileSync('/usr/bin/python3', [join(ROOT, 'test', 'helpers', 'attack9_models.py'), dir]);

/** numpy: the symmetric int8 scale of sqrt(x) over every calibration file, NaN ignored. */
const numpyScale = Number(
  execFileSync('/usr/bin/python3', ['-c', 'import numpy as np, glob, sys\nnp.seterr(all="ignore")\nx = np.concatenate([np.load(f) for f in sorted(glob.glob(sys.argv[1] + "/*.npy"))])\nprint(repr(float(np.nanmax(np.abs(np.sqrt(x))) / 127)))', join(dir, 'calib-nan')]).toString(),
);

/** The scale the quantizer wrote for `s` (python onnx reads it). */
function writtenScale(model: string): number {
  return Number(execFileSync('/usr/bin/python3', ['-c', 'import onnx, sys\nfrom onnx import numpy_helper as nh\nm = onnx.load(sys.argv[1])\nprint(repr(float([nh.to_array(t) for t in m.graph.initializer if t.name == "s_scale"][0])))', model]).toString());
}

for (const method of ['minmax', 'percentile']) {
  test(`${method}: the range of an activation holding NaN is numpy's nanmax, not onnxruntime's NaN-touched ReduceMax`, () => {
    const out = join(dir, `q-${method}.onnx`);
    const args = ['quantize', join(dir, 'sqrt_nan.onnx'), '--mode', 'static', '--preset', 'tensorrt', '--include-ops', 'Mul', '--method', method, '--calib', join(dir, 'calib-nan'), '--eval', join(dir, 'eval-nan'), '-o', out];
    const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const got = writtenScale(out);
    assert.ok(Math.abs(got - numpyScale) <= 1e-6 * numpyScale, `scale ${got} vs numpy ${numpyScale}`);
  });
}
