import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, ROOT } from './helpers/corpus';
import { until } from './helpers/until';

// SIGTERM in the middle of a static quantization (attack8): the CLI exits 143 and takes its onnxruntime child with it.
const VIT = join(ROOT, '.cache', 'models', 'vit_b_16.onnx');

/** Alive and not a zombie (a zombie has ended; init reaps it). */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

test('SIGTERM during calibration: exit 143, the runtime-worker child ends with the CLI, no temp file or output left', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'attack8-signal-'));
  const model = join(dir, 'vit.onnx');
  copyFileSync(VIT, model);
  const cli = spawn(process.execPath, [CLI, 'quantize', model, '--mode', 'static', '-o', join(dir, 'q.onnx')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  cli.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
  await until('calibration to start', () => (/calibrating/.test(stderr) ? true : undefined), 120_000);
  const workers = execFileSync('ps', ['-o', 'pid=', '--ppid', String(cli.pid)], { encoding: 'utf8' }).trim().split(/\s+/).map(Number);
  assert.equal(workers.length, 1, `children of the CLI: ${workers.join(', ')}`);
  cli.kill('SIGTERM');
  assert.equal(await exited, 143, stderr);
  // Without the kill on exit the child runs on until its current inference ends (seen: over 2 s for this model;
  // a signal between two inferences is seen at once, so this check does not always fail without the fix).
  await until('the runtime child to end', () => (running(workers[0]!) ? undefined : true), 1_500);
  assert.deepEqual(readdirSync(dir), ['vit.onnx']);
});

test('a temp folder left by a transform that was killed outright (SIGKILL) is removed by the next transform; a live process\'s folder stays', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'attack8-tmp-'));
  const dead = spawnSync(process.execPath, ['-e', '']).pid!;
  const left = join(tmp, `onnx-studio-${dead}-AbC123`);
  const ours = join(tmp, `onnx-studio-${process.pid}-AbC123`);
  for (const d of [left, ours]) {
    mkdirSync(d);
    writeFileSync(join(d, 'preprocessed.onnx'), 'a copy of the model');
  }
  const dir = mkdtempSync(join(tmpdir(), 'attack8-'));
  copyFileSync(join(ROOT, '.cache', 'corpus', 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), join(dir, 'cls.onnx'));
  const r = spawnSync(process.execPath, [CLI, 'quantize', join(dir, 'cls.onnx'), '--mode', 'static'], { encoding: 'utf8', env: { ...process.env, TMPDIR: tmp } });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(tmp).filter((n) => n.startsWith('onnx-studio-')), [`onnx-studio-${process.pid}-AbC123`]);
});

test('the temp file of a write killed outright (SIGKILL) is removed by the next write of the same output once stale; a fresh one (a live writer) stays', () => {
  const dir = mkdtempSync(join(tmpdir(), 'attack8-'));
  copyFileSync(join(ROOT, '.cache', 'corpus', 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), join(dir, 'cls.onnx'));
  const stale = join(dir, '.cls.int8.onnx.0123456789abcdef.tmp');
  const fresh = join(dir, '.cls.int8.onnx.fedcba9876543210.tmp');
  for (const f of [stale, fresh]) writeFileSync(f, 'the first bytes of a model');
  const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
  utimesSync(stale, twoHoursAgo, twoHoursAgo);
  const r = spawnSync(process.execPath, [CLI, 'quantize', join(dir, 'cls.onnx'), '--mode', 'dynamic'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(readdirSync(dir).sort(), ['.cls.int8.onnx.fedcba9876543210.tmp', 'cls.int8.onnx', 'cls.onnx']);
});
