// `onnx-studio build` end to end against the trtexec stand-in (test/fixtures/trtexec-stand-in):
// the engine and profiling exports beside a copy of the model, the build log, one JSON document;
// a bad flag (64), an unsupported node (1, [E] lines, no engine), cancel (no partial file, no
// process left), and files that must not be used (the input as output, a FIFO, a folder as trtexec).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, linkSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { bytesOf, graph, model, node, tensorType, valueInfo } from './helpers/models';
import { CLI, ROOT } from './helpers/corpus';
import { processAlive as alive } from './helpers/process-alive';
import { until } from './helpers/until';

const STAND_IN_DIR = join(ROOT, 'test', 'fixtures', 'trtexec-stand-in');
const TRTEXEC = join(STAND_IN_DIR, 'trtexec');
const RESNET18 = join(ROOT, '.cache', 'models', 'resnet18.onnx');
/** A name a shell would split, substitute and end: only argv keeps it whole. */
const NASTY = `res net 'quoted' "dq" ;$(touch pwned).onnx`;
const NASTY_STEM = NASTY.slice(0, -'.onnx'.length);

function folderWith(modelName: string, source = RESNET18): { dir: string; model: string } {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-build-'));
  const model = join(dir, modelName);
  copyFileSync(source, model);
  return { dir, model };
}

function build(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [CLI, 'build', ...args], { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
}

test('a profiled FP16 build: engine, layers/profile/times JSON and the build log beside the model, one JSON document', () => {
  const { dir, model } = folderWith(NASTY);
  const before = readFileSync(model);
  const r = build([model, '--trtexec', TRTEXEC, '--profile', '--precision', 'fp16', '--json', '--', '--minShapes=input:1x3x224x224', '--optShapes=input:4x3x224x224', '--maxShapes=input:8x3x224x224', '--memPoolSize=workspace:1024M']);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  const stem = join(dir, `${NASTY_STEM}.fp16`);
  assert.deepEqual(json.outputs, { engine: `${stem}.plan`, log: `${stem}.build.log`, layers: `${stem}.layers.json`, profile: `${stem}.profile.json`, times: `${stem}.times.json` });
  assert.equal(json.engine, `${stem}.plan`);
  assert.equal(json.status, 'built');
  assert.equal(json.precision, 'fp16');
  assert.equal(json.tensorrtVersion, '10.16.1');
  assert.deepEqual(json.errors, []);
  // The stand-in replays result-01.log: "Throughput: 15374.3 qps", "Total GPU Compute Time: 1.6586 s".
  assert.equal(json.performance.throughputQps, 15374.3);
  assert.equal(json.performance.totalGpuComputeTimeS, 1.6586);
  assert.equal(json.performance.gpuComputeTime.median, 0.0361328);
  // The exports are the real TensorRT 10 files the stand-in copies.
  assert.equal(readFileSync(`${stem}.layers.json`, 'utf8'), readFileSync(join(STAND_IN_DIR, 'resnet18_fp16.graph.json'), 'utf8'));
  assert.equal(JSON.parse(readFileSync(`${stem}.profile.json`, 'utf8'))[0].count, 21071);
  assert.ok(Array.isArray(JSON.parse(readFileSync(`${stem}.times.json`, 'utf8'))));
  const log = readFileSync(`${stem}.build.log`, 'utf8').split('\n');
  assert.match(log[0]!, /^&&&& RUNNING TensorRT\.trtexec \[TensorRT v101601\]/);
  assert.ok(log.includes(`[07/07/2026-02:10:58] [I] Throughput: 15374.3 qps`));
  assert.match(log.at(-2)!, /^&&&& PASSED/);
  assert.deepEqual(readdirSync(dir).sort(), [NASTY, ...['build.log', 'layers.json', 'plan', 'profile.json', 'times.json'].map((s) => `${NASTY_STEM}.fp16.${s}`)].sort(), 'no temp file left, nothing a shell would have made');
  assert.deepEqual(readFileSync(model), before);
  // Progress and the log go to stderr, the result to stdout only.
  assert.match(r.stderr, /building .*\.fp16\.plan with TensorRT 10\.16\.1/);
  assert.match(r.stderr, /Engine built in 8\.09138 sec\./);
});

test('without --precision on TensorRT 10 the build is FP32 (no precision flag), and a second build replaces the engine', () => {
  const { dir, model } = folderWith('m.onnx');
  assert.equal(build([model, '--trtexec', TRTEXEC]).status, 0);
  const r = build([model, '--trtexec', TRTEXEC, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.engine, join(dir, 'm.fp32.plan'));
  assert.deepEqual(Object.keys(json.outputs).sort(), ['engine', 'log']);
  assert.doesNotMatch(readFileSync(join(dir, 'm.fp32.build.log'), 'utf8').split('\n')[0]!, /--fp16|--int8|--best/);
  assert.deepEqual(readdirSync(dir).sort(), ['m.fp32.build.log', 'm.fp32.plan', 'm.onnx']);
});

test('an option this trtexec does not take, or a bad value, is bad usage (64) before any build; nothing is written', () => {
  const { dir, model } = folderWith('m.onnx');
  for (const bad of [['--fp17'], ['--minShapes=input:1x3xAx224'], ['--memPoolSize=workspace:lots'], ['--memPoolSize=gpu:1G'], ['--profilingVerbosity=verbose']]) {
    const r = build([model, '--trtexec', TRTEXEC, '--json', '--', ...bad]);
    assert.equal(r.status, 64, `${bad}: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /does not take/);
  }
  assert.match(build([model, '--trtexec', TRTEXEC, '--', '--fp17']).stderr, /unknown option --fp17: TensorRT 10\.16\.1 has no such flag/);
  assert.equal(build([model, '--trtexec', TRTEXEC, '--precision', 'fp8']).status, 64);
  assert.equal(build([model, '--trtexec', TRTEXEC, '--', '--fp16']).status, 64, 'precision goes through --precision');
  assert.equal(build([model, '--trtexec', TRTEXEC, '--', `--exportTimes=${join(dir, 'x.json')}`]).status, 64, 'the build sets the exports itself');
  assert.deepEqual(readdirSync(dir), ['m.onnx']);
});

test('TensorRT 11 (strongly typed only): the probe offers typed alone; --precision fp32 or fp16 is bad usage (64) with the advice, nothing written', () => {
  const { dir, model } = folderWith('m.onnx');
  // trtexec 11's help: the stand-in's, with 11.1's version and without the precision flags 11 removed.
  const trt11 = join(dir, 'trtexec');
  writeFileSync(trt11, `#!/bin/sh\nif [ "$1" = --help ]; then '${TRTEXEC}' --help | sed -e 's/v101601/v110100/' -e '/^  --\\(fp16\\|bf16\\|int8\\|fp8\\|int4\\|best\\|calib\\)[ =]/d'; else exec '${TRTEXEC}' "$@"; fi\n`, { mode: 0o755 });
  const probe = build(['--probe', '--json', '--trtexec', trt11]);
  assert.equal(probe.status, 0, probe.stderr);
  assert.deepEqual(JSON.parse(probe.stdout).precisions, ['typed']);
  for (const precision of ['fp32', 'fp16']) {
    const r = build([model, '--trtexec', trt11, '--precision', precision, '--json']);
    assert.equal(r.status, 64, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /TensorRT 11\.1\.0 builds strongly typed networks only .*use --precision typed, or convert the model first/);
  }
  assert.deepEqual(readdirSync(dir).sort(), ['m.onnx', 'trtexec']);
});

test('--saveEngine (or any option that writes a file) naming the input model is refused: never over the input', () => {
  const { dir, model } = folderWith('m.onnx');
  const before = readFileSync(model);
  for (const arg of [`--saveEngine=${model}`, '--saveEngine=m.onnx', '--timingCacheFile=./m.onnx', `--exportOutput=${model}`]) {
    const r = build([model, '--trtexec', TRTEXEC, '--', arg]);
    assert.equal(r.status, 64, arg);
    assert.match(r.stderr, /refusing to write over/);
  }
  // An output name that is a hard link to the model is refused too (exit 2, a file that cannot be used).
  linkSync(model, join(dir, 'm.fp32.plan'));
  const r = build([model, '--trtexec', TRTEXEC]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /refusing to write over/);
  assert.deepEqual(readFileSync(model), before);
  assert.deepEqual(readdirSync(dir).sort(), ['m.fp32.plan', 'm.onnx']);
});

test('a node TensorRT has no importer for fails the build (exit 1): [E] lines on stderr, the log kept, no engine', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-build-'));
  const modelPath = join(dir, 'custom.onnx');
  const g = graph({
    node: [node('Relu', ['x'], ['r'], [], 'relu'), node('MyPluginOp', ['r'], ['y'], [], 'mine', 'com.example')],
    input: [valueInfo('x', tensorType(1, [1, 4]))],
    output: [valueInfo('y', tensorType(1, [1, 4]))],
  });
  writeFileSync(modelPath, bytesOf(model(g, 17, { opset_import: [{ domain: '', version: 17 }, { domain: 'com.example', version: 1 }] })));
  const r = build([modelPath, '--trtexec', TRTEXEC, '--precision', 'fp16', '--json']);
  assert.equal(r.status, 1, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.status, 'failed');
  assert.equal(json.engine, null);
  assert.ok(json.errors.includes('[TRT] 3: getPluginCreator could not find plugin: MyPluginOp version: 1'), json.errors.join('\n'));
  assert.ok(json.errors.includes('Engine set up failed'));
  assert.match(r.stderr, /the build failed \(trtexec exit code 1\)/);
  assert.match(r.stderr, /^\[E\] Parsing model failed$/m);
  assert.deepEqual(readdirSync(dir).sort(), ['custom.fp16.build.log', 'custom.onnx']);
  assert.match(readFileSync(join(dir, 'custom.fp16.build.log'), 'utf8'), /&&&& FAILED TensorRT\.trtexec/);
});

for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130], ['SIGHUP', 129]] as const) {
  test(`${signal} to the CLI mid-build kills trtexec's process group (exit ${code}): no engine, no temp file, no log, no process left`, async () => {
    const { dir, model } = folderWith('m.onnx');
    const cli = spawn(process.execPath, [CLI, 'build', model, '--trtexec', TRTEXEC, '--profile', '--json'], {
      env: { ...process.env, TRTEXEC_STAND_IN_HOLD: join(dir, 'never-created') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    cli.stdout.on('data', (d) => (stdout += d));
    cli.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => cli.on('close', (c) => resolve(c)));
    const pids = await until('the stand-in to report its pids', () => {
      const m = /Stand-in trtexec pid (\d+), builder pid (\d+)/.exec(stderr);
      return m ? [Number(m[1]), Number(m[2])] : undefined;
    });
    // The build is mid-way (held before "Created engine"): its temp files exist now.
    assert.ok(readdirSync(dir).some((f) => f.endsWith('.tmp')), readdirSync(dir).join(', '));
    cli.kill(signal);
    assert.equal(await exited, code, stderr);
    assert.equal(stdout, '');
    for (const pid of pids) await until(`process ${pid} to be gone`, () => (alive(pid) ? undefined : true), 10_000);
    assert.deepEqual(readdirSync(dir), ['m.onnx']);
  });
}

test('files that cannot be used exit 2: a FIFO as the model, a folder or a missing file as trtexec, trtexec not on PATH', () => {
  const { dir, model } = folderWith('m.onnx');
  const fifo = join(dir, 'pipe.onnx');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const r1 = build([fifo, '--trtexec', TRTEXEC]);
  assert.equal(r1.status, 2, r1.stderr);
  assert.match(r1.stderr, /named pipe/);
  mkdirSync(join(dir, 'trtexec-folder'));
  const r2 = build([model, '--trtexec', join(dir, 'trtexec-folder')]);
  assert.equal(r2.status, 2);
  assert.match(r2.stderr, /is a directory, not a program/);
  const r3 = build([model, '--trtexec', join(dir, 'no-trtexec')]);
  assert.equal(r3.status, 2);
  assert.match(r3.stderr, /no such program/);
  const r4 = build([model], { PATH: join(dir, 'trtexec-folder') });
  assert.equal(r4.status, 2);
  assert.match(r4.stderr, /trtexec was not found on PATH/);
  const r5 = build([join(dir, 'missing.onnx'), '--trtexec', TRTEXEC]);
  assert.equal(r5.status, 2);
  assert.ok(statSync(fifo).isFIFO());
  assert.deepEqual(readdirSync(dir).sort(), ['m.onnx', 'pipe.onnx', 'trtexec-folder']);
  assert.equal(existsSync(join(dir, 'm.fp32.plan')), false);
});

test('trtexec found on PATH is used when --trtexec is not given', () => {
  const { dir, model } = folderWith('m.onnx');
  const r = build([model, '--json'], { PATH: `${STAND_IN_DIR}:${process.env.PATH}` });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).engine, join(dir, 'm.fp32.plan'));
});
