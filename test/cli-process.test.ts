// The runner the editor's transforms use for the CLI: argv without a shell, stderr lines as
// they come, and cancel that ends the child's whole process group (its onnxruntime child too).
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../src/extension/cli-process';
import { until } from './helpers/until';

const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-cli-process-'));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('argv reaches the script as given (no shell), stdout and stderr lines come back, the exit code too', async () => {
  const script = join(dir, 'echo.js');
  writeFileSync(script, "process.stderr.write('one\\ntw'); setTimeout(() => { process.stderr.write('o\\n'); process.stdout.write(JSON.stringify(process.argv.slice(2))); process.exit(3); }, 10);");
  const lines: string[] = [];
  const args = ['$(touch x)', 'a b', '`id`', ';', '--json'];
  const r = await runCli(script, args, { cwd: dir, onStderrLine: (l) => lines.push(l) });
  assert.deepEqual(JSON.parse(r.stdout), args);
  assert.deepEqual(lines, ['one', 'two']);
  assert.equal(r.code, 3);
  assert.equal(r.cancelled, false);
});

test('cancel ends the child and the grandchild it started; the child’s SIGTERM handler runs', async () => {
  const script = join(dir, 'parent.js');
  const marker = join(dir, 'cleaned');
  writeFileSync(script, `
    const { spawn } = require('node:child_process');
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    process.on('SIGTERM', () => { require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'x'); process.exit(143); });
    process.stderr.write('grandchild ' + child.pid + '\\n');
    setInterval(() => {}, 1000);`);
  let grandchild = 0;
  let cancel!: () => void;
  const r = await runCli(script, [], {
    cwd: dir,
    onStderrLine: (l) => {
      grandchild = Number(/grandchild (\d+)/.exec(l)?.[1]);
      cancel();
    },
    cancel: new Promise<void>((resolve) => (cancel = resolve)),
  });
  assert.equal(r.cancelled, true);
  assert.equal(r.code, 143);
  assert.ok(grandchild > 0);
  await until('the grandchild to end', () => (alive(grandchild) ? undefined : true), 10_000);
  assert.equal(existsSync(marker), true, 'the SIGTERM handler (the CLI removes its temp file there) ran');
});
