// Attack 10: every command that runs an external tool ends the tool's process group on SIGHUP
// (a closed terminal) as on SIGINT/SIGTERM; `build --probe` and `lint-polygraphy` own their
// signals; a hanging or foreign `--help`; a folder at a temp output path; a closed stdout.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { CLI, ROOT } from './helpers/corpus';
import { processAlive as alive } from './helpers/process-alive';
import { until } from './helpers/until';

const STAND_IN = join(ROOT, 'test', 'fixtures', 'trtexec-stand-in', 'trtexec');
const RESNET18 = join(ROOT, '.cache', 'models', 'resnet18.onnx');
const CLS = join(ROOT, '.cache', 'corpus', 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const tools = mkdtempSync(join(tmpdir(), 'attack10-tools-'));

/** A Node script as an executable program. */
function program(name: string, body: string): string {
  const path = join(tools, name);
  writeFileSync(path, `#!${process.execPath}\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

/**
 * A tool that starts a child ignoring SIGTERM, prints `pids TOOL CHILD` on stderr (and into
 * PIDS_FILE: a probe's stderr is not shown) and waits forever (for `--help` too with
 * HANG_ON_HELP set); otherwise `--help` is the stand-in's.
 */
const HANGING_TOOL = `
const { spawn, execFileSync } = require('node:child_process');
if (process.argv[2] === '--help' && !process.env.HANG_ON_HELP) { process.stdout.write(execFileSync(${JSON.stringify(STAND_IN)}, ['--help'])); process.exit(0); }
process.on('SIGTERM', () => {});
const child = spawn(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"], { stdio: 'ignore' });
process.stderr.write('pids ' + process.pid + ' ' + child.pid + '\\n');
if (process.env.PIDS_FILE) require('node:fs').writeFileSync(process.env.PIDS_FILE, 'pids ' + process.pid + ' ' + child.pid + '\\n');
setInterval(() => {}, 1000);`;
const hanging = program('hanging-tool', HANGING_TOOL);

function folderWith(name: string, source: string): { dir: string; model: string } {
  const dir = mkdtempSync(join(tmpdir(), 'attack10-'));
  const model = join(dir, name);
  copyFileSync(source, model);
  return { dir, model };
}

/** Starts the CLI; resolves the tool's pids once it printed them, and the exit code at the end. */
function startCli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const pidsFile = join(mkdtempSync(join(tmpdir(), 'attack10-pids-')), 'pids');
  env = { PIDS_FILE: pidsFile, ...env };
  const cli: ChildProcess = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  cli.stdout!.resume();
  cli.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => cli.on('close', (c) => resolve(c)));
  const pids = until('the tool to print its pids', () => {
    const m = /pids (\d+) (\d+)\n/.exec(stderr) ?? (existsSync(pidsFile) ? /pids (\d+) (\d+)\n/.exec(readFileSync(pidsFile, 'utf8')) : null);
    return m ? [Number(m[1]), Number(m[2])] : undefined;
  });
  return { cli, exited, pids, stderr: () => stderr };
}

async function allGone(pids: number[]): Promise<void> {
  for (const pid of pids) await until(`process ${pid} to be gone`, () => (alive(pid) ? undefined : true), 15_000);
}

test('SIGHUP to build mid-run: exit 129, trtexec\'s process group killed (a member ignoring SIGTERM too), no temp file or log left', async () => {
  const { dir, model } = folderWith('m.onnx', RESNET18);
  const run = startCli(['build', model, '--trtexec', hanging, '--profile']);
  const pids = await run.pids;
  assert.ok(readdirSync(dir).some((f) => f.endsWith('.tmp')), 'the build is under way: its temp files exist');
  run.cli.kill('SIGHUP');
  assert.equal(await run.exited, 129, run.stderr());
  await allGone(pids);
  assert.deepEqual(readdirSync(dir), ['m.onnx']);
});

for (const [signal, code] of [['SIGHUP', 129], ['SIGTERM', 143], ['SIGINT', 130]] as const) {
  test(`${signal} to lint-polygraphy: exit ${code}, polygraphy's process group killed, its report folder removed`, async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'attack10-tmp-'));
    const run = startCli(['lint-polygraphy', RESNET18, '--polygraphy', hanging], { TMPDIR: tmp });
    const pids = await run.pids;
    run.cli.kill(signal);
    assert.equal(await run.exited, code, run.stderr());
    await allGone(pids);
    assert.deepEqual(readdirSync(tmp), []);
  });
}

test('SIGINT to build --probe: exit 130 and `trtexec --help` ends with its group', async () => {
  const run = startCli(['build', '--probe', '--trtexec', hanging], { HANG_ON_HELP: '1' });
  const pids = await run.pids;
  run.cli.kill('SIGINT');
  assert.equal(await run.exited, 130, run.stderr());
  await allGone(pids);
});

test('a `--help` that never ends: build --probe and build give up after the probe timeout with exit 2, the program ended', async () => {
  for (const args of [['build', '--probe', '--trtexec', hanging], ['build', folderWith('m.onnx', RESNET18).model, '--trtexec', hanging]]) {
    const run = startCli(args, { HANG_ON_HELP: '1', ONNX_STUDIO_PROBE_TIMEOUT_MS: '5000' });
    const pids = await run.pids;
    assert.equal(await run.exited, 2, run.stderr());
    assert.match(run.stderr(), /--help did not finish within 5 s/);
    await allGone(pids);
  }
});

test('build --probe of a program that is not trtexec (no version line, none of its flags) exits 2 and says so', () => {
  const silent = program('silent', '');
  const garbage = program('garbage', "console.log('usage: frobnicate [--fast] [--loud]\\n  --fast   go fast');");
  for (const p of [silent, garbage]) {
    const r = spawnSync(process.execPath, [CLI, 'build', '--probe', '--trtexec', p, '--json'], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /does not look like trtexec: its --help printed no TensorRT version line and none of trtexec's flags \(--onnx, --saveEngine, --loadEngine\)/);
  }
});

test('a trtexec that leaves a folder at the temp engine path: the folder is removed too', () => {
  const maker = program(
    'makes-a-folder',
    `const fs = require('node:fs');
     if (process.argv[2] === '--help') { process.stdout.write(require('node:child_process').execFileSync(${JSON.stringify(STAND_IN)}, ['--help'])); process.exit(0); }
     const engine = process.argv.find((a) => a.startsWith('--saveEngine=')).slice('--saveEngine='.length);
     fs.mkdirSync(engine); fs.writeFileSync(engine + '/f', 'x');`,
  );
  const { dir, model } = folderWith('m.onnx', RESNET18);
  const r = spawnSync(process.execPath, [CLI, 'build', model, '--trtexec', maker], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stderr, /trtexec exited 0 but wrote no engine/);
  assert.deepEqual(readdirSync(dir).sort(), ['m.fp32.build.log', 'm.onnx']);
});

test('SIGHUP while fp16 writes: no temp file stays; exit 129 (or 0 when the write had finished), the output absent or whole', async () => {
  const { dir, model } = folderWith('r.onnx', join(ROOT, '.cache', 'models', 'resnet50.onnx'));
  const child = spawn(process.execPath, [CLI, 'fp16', model], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let sawTemp = false;
  for (let polls = 0; polls < 1_000_000 && child.exitCode === null && !sawTemp; polls++) {
    sawTemp = readdirSync(dir).some((f) => f.endsWith('.tmp'));
    if (!sawTemp) await new Promise((r) => setImmediate(r));
  }
  assert.ok(sawTemp, 'the write was seen under way');
  child.kill('SIGHUP');
  const code = await exited;
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), []);
  assert.ok(code === 129 || code === 0, `exit ${code}`);
  // The signal may come after the rename (while the report is printed): then the output is whole.
  if (existsSync(join(dir, 'r.fp16.onnx'))) assert.equal(spawnSync(process.execPath, [CLI, 'check', join(dir, 'r.fp16.onnx')]).status, 0);
});

test('a reader that closed stdout (`| head -c 10`): exit 141 quietly, no "internal error"', async () => {
  const cli = spawn(process.execPath, [CLI, 'inspect', CLS, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
  cli.stdout.destroy();
  let stderr = '';
  cli.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => cli.on('close', (c) => resolve(c)));
  assert.equal(code, 141, stderr);
  assert.equal(stderr, '');
});
