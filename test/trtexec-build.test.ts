// The engine-build API the CLI and the editor share: the version and flags from the installed
// trtexec's own --help (else the help kept here, less what TensorRT 11 removed), the plan
// (outputs beside the model, precision flags per version), and a run that must leave an engine.
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { enginePrecisions, planEngineBuild, probeTrtexec, runEngineBuild, TrtexecProbeError, TrtexecUsageError } from '../src/toolchains/trtexec-build';
import { ROOT } from './helpers/corpus';

const STAND_IN = join(ROOT, 'test', 'fixtures', 'trtexec-stand-in', 'trtexec');
const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-trtexec-build-'));
const model = join(dir, 'resnet18.onnx');
copyFileSync(join(ROOT, '.cache', 'models', 'resnet18.onnx'), model);

/** A fake trtexec that prints `lines` for any argv and exits 0. */
function fakeTrtexec(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, `#!${process.execPath}\nprocess.stdout.write(${JSON.stringify(lines.map((l) => l + '\n').join(''))});\n`);
  chmodSync(path, 0o755);
  return path;
}

test('the stand-in\'s own --help gives the version and the flags', async () => {
  const probe = await probeTrtexec(STAND_IN);
  assert.equal(probe.version, '10.16.1');
  assert.equal(probe.schemaSource, 'tool-help');
  assert.deepEqual(probe.warnings, []);
  assert.ok(probe.schema.flags.has('--fp16'));
});

test('TensorRT 10: precision flags per choice, the profiling exports with --profile, outputs named MODEL.<precision>.*', async () => {
  const { schema } = await probeTrtexec(STAND_IN);
  const fp16 = planEngineBuild({ model, precision: 'fp16', profile: true, extraArgs: ['--noTF32'] }, schema);
  const stem = join(dir, 'resnet18.fp16');
  assert.deepEqual(fp16.args, [
    `--onnx=${model}`,
    `--saveEngine=${stem}.plan`,
    '--fp16',
    '--profilingVerbosity=detailed',
    `--exportLayerInfo=${stem}.layers.json`,
    `--exportProfile=${stem}.profile.json`,
    `--exportTimes=${stem}.times.json`,
    '--noTF32',
  ]);
  assert.equal(fp16.extraCount, 1);
  assert.deepEqual(fp16.outputs, { engine: `${stem}.plan`, log: `${stem}.build.log`, layers: `${stem}.layers.json`, profile: `${stem}.profile.json`, times: `${stem}.times.json` });
  assert.deepEqual(planEngineBuild({ model, precision: 'typed' }, schema).args.slice(2), ['--stronglyTyped']);
  assert.deepEqual(planEngineBuild({ model }, schema).args.slice(2), [], 'fp32 by default: no flag');
  assert.equal(planEngineBuild({ model }, schema).precision, 'fp32');
});

test('TensorRT 11 without a readable help: checked against 10.16 less the removed precision flags; precision comes from the model', async () => {
  const trt11 = fakeTrtexec('trtexec-11', ['&&&& RUNNING TensorRT.trtexec [TensorRT v110100] # trtexec --help']);
  const probe = await probeTrtexec(trt11);
  assert.equal(probe.version, '11.1.0');
  assert.equal(probe.schemaSource, 'builtin-10.16');
  assert.match(probe.warnings[0]!, /TensorRT 11\.1\.0 is not known here .* less the precision flags TensorRT 11 removed/);
  for (const flag of ['--fp16', '--int8', '--best', '--calib']) assert.equal(probe.schema.flags.has(flag), false, flag);
  const plan = planEngineBuild({ model }, probe.schema);
  assert.equal(plan.precision, 'typed');
  assert.equal(plan.outputs.engine, join(dir, 'resnet18.typed.plan'));
  assert.deepEqual(plan.args.slice(2), [], 'strong typing is always on in 11: no flag');
  assert.deepEqual(enginePrecisions(probe.schema), ['typed'], 'fp32 would be the same build as typed under another name');
  for (const precision of ['fp16', 'fp32'] as const) {
    assert.throws(() => planEngineBuild({ model, precision }, probe.schema), (e: unknown) => e instanceof TrtexecUsageError && /strongly typed networks only.*--precision typed/.test(e.message), precision);
  }
  assert.throws(() => planEngineBuild({ model, extraArgs: ['--int8'] }, probe.schema), TrtexecUsageError);
});

test('no version line: the newest help kept here, with a warning; no version and none of trtexec\'s flags: not trtexec', async () => {
  const probe = await probeTrtexec(fakeTrtexec('trtexec-no-version', ['=== Model Options ===', '  --onnx=<file>               ONNX model']));
  assert.equal(probe.version, undefined);
  assert.equal(probe.schemaSource, 'builtin-10.16');
  assert.match(probe.warnings[0]!, /the TensorRT version is not known here/);
  await assert.rejects(probeTrtexec(fakeTrtexec('trtexec-silent', [])), (e: unknown) => e instanceof TrtexecProbeError && /does not look like trtexec/.test(e.message));
});

test('options that write files, from the help (a <file> value, a name:file list): none may name the model, in any part of a NAME:PATH list', async () => {
  const { schema } = await probeTrtexec(STAND_IN);
  const writers = [...new Set([...schema.flags.values()].filter((f) => f.writesFile).map((f) => f.names[0]))].sort();
  assert.deepEqual(writers, ['--exportLayerInfo', '--exportOutput', '--exportProfile', '--exportTimes', '--saveDebugTensors', '--saveEngine', '--timingCacheFile']);
  const sub = mkdtempSync(join(dir, 'writes-'));
  const m = join(sub, 'm.onnx');
  copyFileSync(model, m);
  for (const arg of ['--saveDebugTensors=y:m.onnx', `--saveDebugTensors=a:out.bin,'in:0':${m}`, '--saveDebugTensors=x:./m.onnx', '--exportOutput=m.onnx', '--timingCacheFile=./m.onnx']) {
    assert.throws(() => planEngineBuild({ model: m, extraArgs: [arg] }, schema), (e: unknown) => e instanceof TrtexecUsageError && /names the input model: refusing to write over/.test(e.message), arg);
  }
  // Reading from the model, or writing elsewhere, is fine.
  assert.equal(planEngineBuild({ model: m, extraArgs: ['--saveDebugTensors=y:y.bin,z:z.bin', '--loadInputs=x:m.onnx'] }, schema).extraCount, 2);
});

test('a run that exits 0 without an engine is a failed build; only its log stays', async () => {
  const liar = fakeTrtexec('trtexec-liar', ['&&&& RUNNING TensorRT.trtexec [TensorRT v101601] # trtexec', '&&&& PASSED TensorRT.trtexec [TensorRT v101601] # trtexec']);
  const { schema } = await probeTrtexec(STAND_IN);
  const sub = mkdtempSync(join(dir, 'liar-'));
  const m = join(sub, 'm.onnx');
  copyFileSync(model, m);
  const lines: string[] = [];
  const r = await runEngineBuild(liar, planEngineBuild({ model: m, profile: true }, schema), { onLine: (l) => lines.push(l) });
  assert.equal(r.status, 'failed');
  assert.equal(r.exitCode, 0);
  assert.deepEqual(r.errors, ['trtexec exited 0 but wrote no engine']);
  assert.deepEqual(r.outputs, { log: join(sub, 'm.fp32.build.log') });
  assert.equal(lines.length, 2);
  assert.deepEqual(readdirSync(sub).sort(), ['m.fp32.build.log', 'm.onnx']);
});
