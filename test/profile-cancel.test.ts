// Cancelling a profile run as the VS Code command does (SIGTERM to our CLI, src/extension/cli-process.ts):
// the CLI stops, its onnxruntime child goes with it, and ORT's trace folder is not left in the temp folder.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, CORPUS_DIR } from './helpers/corpus';
import { processAlive } from './helpers/process-alive';
import { until } from './helpers/until';

const CLS = join(CORPUS_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');

/** The pids of a process's children (Linux /proc). */
function children(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

test('a profile run cancelled mid-run: exit 143, no onnxruntime child left, no trace folder left', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'profile-cancel-'));
  const cli = spawn(process.execPath, [CLI, 'profile', CLS, '--runs', '1000', '--warmup', '0', '--json'], { env: { ...process.env, TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  cli.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
  cli.stdout.resume();
  const exited = new Promise<number | null>((resolve) => cli.once('exit', (code) => resolve(code)));
  // Cancelled once the measured runs are under way (the trace is being written).
  await until('the first measured run', () => {
    assert.equal(cli.exitCode, null, `the CLI ended early: ${stderr}`);
    return /profile: run \d+\/1000\b/.test(stderr) ? true : undefined;
  }, 120_000);
  const runtime = children(cli.pid!);
  assert.ok(runtime.length > 0, 'the onnxruntime child runs');
  assert.ok(readdirSync(tmp).some((f) => f.startsWith('onnx-studio-profile')), 'the trace folder exists while it runs');
  cli.kill('SIGTERM');
  assert.equal(await exited, 143, stderr);
  await until('the onnxruntime child to end', () => (runtime.every((pid) => !processAlive(pid)) ? true : undefined));
  assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('onnx-studio-profile')), []);
  rmSync(tmp, { recursive: true, force: true });
});
