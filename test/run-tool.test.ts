// runTool, the one way an external program runs: argv without a shell, lines as they come, exit
// code and signal, a typed error for a program that cannot run, and cancel that ends the whole
// process group (a child that ignores SIGTERM too, after the grace period).
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { test } from 'node:test';
import { runTool } from '../src/toolchains/run-tool';
import { findOnPath, resolveToolPath, ToolUnavailableError } from '../src/toolchains/tool-path';
import { processAlive as alive } from './helpers/process-alive';
import { until } from './helpers/until';

const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-run-tool-'));

/** An executable Node script in the temp folder. */
function script(name: string, body: string, mode = 0o755): string {
  const path = join(dir, name);
  writeFileSync(path, `#!${process.execPath}\n${body}\n`);
  chmodSync(path, mode);
  return path;
}

test('argv reaches the program as given (no shell); stdout and stderr lines stream; the exit code comes back', async () => {
  const echo = script('echo', "process.stdout.write(JSON.stringify(process.argv.slice(2)) + '\\nsecond line\\r\\nlast without end'); process.stderr.write('e1\\ne2\\n'); process.exitCode = 3;");
  const marker = join(dir, 'pwned');
  const args = [`$(touch ${marker})`, 'a b', '`id`', ';', "it's", '"q"', '--x=1'];
  const out: string[] = [];
  const err: string[] = [];
  const r = await runTool(echo, args, { cwd: dir, onStdoutLine: (l) => out.push(l), onStderrLine: (l) => err.push(l) });
  assert.equal(r.code, 3);
  assert.equal(r.signal, null);
  assert.equal(r.cancelled, false);
  assert.deepEqual(JSON.parse(out[0]!), args);
  assert.deepEqual(out.slice(1), ['second line', 'last without end']);
  assert.deepEqual(err, ['e1', 'e2']);
  assert.equal(r.stderr, 'e1\ne2\n');
  assert.equal(existsSync(marker), false, 'no shell ran the $(...)');
});

test('environment additions reach the program; keepOutput false keeps nothing but still streams', async () => {
  const env = script('env', "console.log(process.env.RUN_TOOL_TEST)");
  const lines: string[] = [];
  const r = await runTool(env, [], { env: { RUN_TOOL_TEST: 'yes' }, keepOutput: false, onStdoutLine: (l) => lines.push(l) });
  assert.deepEqual(lines, ['yes']);
  assert.equal(r.stdout, '');
  assert.equal(r.code, 0);
});

test('a missing program, a directory and a file without execute permission are typed errors', async () => {
  const cases: [string, ToolUnavailableError['reason']][] = [
    [join(dir, 'no-such-program'), 'missing'],
    [dir, 'directory'],
    [script('not-executable', 'process.exit(0)', 0o644), 'not-executable'],
  ];
  for (const [program, reason] of cases) {
    await assert.rejects(runTool(program, []), (e: unknown) => e instanceof ToolUnavailableError && e.reason === reason && e.program === program);
  }
});

test('a program is found on PATH (empty PATH entries are not the current folder); an explicit path wins; none is a typed error', () => {
  const bin = join(dir, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, 'fake-tool'), '#!/bin/sh\n');
  chmodSync(join(bin, 'fake-tool'), 0o755);
  mkdirSync(join(dir, 'dir-tool', 'fake-tool'), { recursive: true });
  const env = { PATH: ['', join(dir, 'dir-tool'), bin].join(delimiter) };
  assert.equal(findOnPath('fake-tool', env), join(bin, 'fake-tool'), 'a folder of that name on PATH is skipped');
  assert.equal(resolveToolPath('fake-tool', undefined, env), join(bin, 'fake-tool'));
  const explicit = script('explicit-tool', '');
  assert.equal(resolveToolPath('fake-tool', 'explicit-tool', env, dir), explicit);
  assert.throws(() => resolveToolPath('absent-tool', undefined, env), (e: unknown) => e instanceof ToolUnavailableError && e.reason === 'not-on-path');
  assert.throws(() => resolveToolPath('fake-tool', dir, env), (e: unknown) => e instanceof ToolUnavailableError && e.reason === 'directory');
});

test('cancel ends the whole process group: a grandchild that ignores SIGTERM is killed after the grace period', async () => {
  const parent = script(
    'parent',
    `const { spawn } = require('node:child_process');
     const child = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"], { stdio: ['ignore', 'pipe', 'inherit'] });
     child.stdout.on('data', () => console.log('grandchild ' + child.pid));
     setInterval(() => {}, 1000);`,
  );
  let grandchild = 0;
  let cancel!: () => void;
  const r = await runTool(parent, [], {
    killAfterMs: 200,
    onStdoutLine: (l) => {
      grandchild = Number(/grandchild (\d+)/.exec(l)?.[1]);
      if (grandchild) cancel();
    },
    cancel: new Promise<void>((resolve) => (cancel = resolve)),
  });
  assert.equal(r.cancelled, true);
  assert.equal(r.signal, 'SIGTERM');
  assert.ok(grandchild > 0);
  await until('the grandchild to be gone', () => (alive(grandchild) ? undefined : true), 10_000);
});

test('a cancel after the program ended changes nothing', async () => {
  let cancel!: () => void;
  const r = await runTool(script('quick', 'process.exitCode = 0'), [], { cancel: new Promise<void>((resolve) => (cancel = resolve)) });
  cancel();
  assert.equal(r.code, 0);
  assert.equal(r.cancelled, false);
});

test('lines are split as they come (a \\r\\n across two writes too); a line over 1 Mi characters is cut with a marker, the next line intact', async () => {
  const writer = script(
    'long-line',
    `const parts = ['x'.repeat(3 << 20), '\\n', 'spl', 'it\\r', '\\nnext', '\\n', 'tail'];
     (function write(i) { if (i < parts.length) process.stdout.write(parts[i], () => setImmediate(write, i + 1)); })(0);`,
  );
  const lines: string[] = [];
  const r = await runTool(writer, [], { onStdoutLine: (l) => lines.push(l), keepOutput: false });
  assert.equal(r.code, 0);
  assert.equal(lines.length, 4);
  assert.equal(lines[0], 'x'.repeat(1 << 20) + ` [... line cut: ${3 << 20} characters, the first ${1 << 20} kept]`);
  assert.deepEqual(lines.slice(1), ['split', 'next', 'tail']);
});
