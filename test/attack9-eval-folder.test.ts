// --eval naming the calibration folder through a symlink is still the calibration folder: the
// report must say it was not computed on held-out data (attack9).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TransformReport } from '../src/optimize/report';
import { CLI, ROOT } from './helpers/corpus';

test('--eval through a symlink to the calibration folder warns that the report is on calibration data', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attack9-eval-'));
  execFileSync('/usr/bin/python3', [join(ROOT, 'test', 'helpers', 'attack9_models.py'), dir]);
  symlinkSync(join(dir, 'calib'), join(dir, 'eval-link'));
  const args = ['quantize', join(dir, 'relu_output.onnx'), '--mode', 'static', '--calib', join(dir, 'calib'), '--eval', join(dir, 'eval-link'), '--json', '-o', join(dir, 'q.onnx')];
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as TransformReport;
  assert.ok(report.warnings?.some((w) => w.startsWith('--eval is the calibration folder')), JSON.stringify(report.warnings));
});
