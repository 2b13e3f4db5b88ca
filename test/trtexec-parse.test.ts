// trtexec's flags from its real --help (TensorRT 10.16.1), the options a user gives checked
// against them (value syntax included), the version in each real log's first line, and the
// performance summary of a real run, with the figures read by eye from the log.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { checkPoolSpec, checkShapeSpec, checkTrtexecOptions, parseTrtexecHelp, parseTrtexecVersion } from '../src/toolchains/trtexec-flags';
import { TRTEXEC_HELP_10_16 } from '../src/toolchains/trtexec-help-10.16';
import { readTrtexecLog } from '../src/toolchains/trtexec-log';
import { ROOT } from './helpers/corpus';

const STAND_IN = join(ROOT, 'test', 'fixtures', 'trtexec-stand-in');
/** The shared fixtures (../shared beside the clone, as .ci/run lays them out). */
const SHARED = process.env.ONNX_STUDIO_SHARED ?? join(ROOT, '..', 'shared');
const COOKBOOK = join(SHARED, 'fixtures', 'trtexec', 'cookbook-trt10.16');
const HELP = readFileSync(join(STAND_IN, 'Help.txt'), 'utf8');
const schema = parseTrtexecHelp(HELP);

test('the help kept in src is the real TensorRT 10.16 --help, byte for byte (the fixture and the shared copy)', () => {
  assert.equal(TRTEXEC_HELP_10_16, HELP);
  assert.equal(readFileSync(join(COOKBOOK, 'Help.txt'), 'utf8'), HELP);
});

test('the flag schema: every option line of the help, aliases, value kinds and enumerations as the help lists them', () => {
  assert.equal(schema.version, '10.16.1');
  // 121 option lines in Help.txt (grep -c '^  -'), --staticPlugins listed twice, three lines with an alias (--vc, --pi, -h).
  assert.equal(schema.flags.size, 121 - 1 + 3);
  assert.equal(schema.flags.get('--vc'), schema.flags.get('--versionCompatible'));
  assert.equal(schema.flags.get('-h'), schema.flags.get('--help'));
  assert.equal(schema.flags.get('--onnx')!.section, 'Model Options');
  assert.deepEqual(schema.flags.get('--profilingVerbosity')!.value, { kind: 'enum', values: ['layer_names_only', 'detailed', 'none'] });
  assert.deepEqual(schema.flags.get('--hardwareCompatibilityLevel')!.value, { kind: 'enum', values: ['none', 'ampere+', 'sameComputeCapability'] });
  assert.deepEqual(schema.flags.get('--sparsity')!.value, { kind: 'enum', values: ['disable', 'enable', 'force'] });
  assert.deepEqual(schema.flags.get('--memPoolSize')!.value, { kind: 'pools', pools: ['workspace', 'dlaSRAM', 'dlaLocalDRAM', 'dlaGlobalDRAM', 'tacticSharedMem'] });
  assert.deepEqual(schema.flags.get('--minShapes')!.value, { kind: 'shapes' });
  assert.deepEqual(schema.flags.get('--iterations')!.value, { kind: 'integer' });
  assert.deepEqual(schema.flags.get('--fp16')!.value, { kind: 'none' });
  assert.deepEqual(schema.flags.get('--inputIOFormats')!.value, { kind: 'text' }, 'a grammar, not an enumeration');
});

test('good options pass: the cookbook\'s own build line (result-02.log) and the issue\'s examples', () => {
  const firstLine = readFileSync(join(COOKBOOK, 'result-02.log'), 'utf8').split('\n', 1)[0]!;
  const args = firstLine.split(' # trtexec ')[1]!.split(' ');
  assert.equal(args.length, 13);
  assert.deepEqual(checkTrtexecOptions(args, schema), []);
  const more = ['--minShapes=input:1x3x224x224,other:1x10', '--memPoolSize=workspace:1024M,dlaSRAM:0.25M', "--shapes='Input:0':4x1x28x28,x:scalar,y:", '--profilingVerbosity=detailed', '--duration=-1', '--percentile=90,99.9', '--vc', '-h', '--builderOptimizationLevel=5'];
  assert.deepEqual(checkTrtexecOptions(more, schema), []);
});

test('bad options: an unknown flag, a bad shape spec, a bad memory pool or size, a value not in the help\'s list, a missing value', () => {
  const problems = checkTrtexecOptions(
    ['--fp17', '--minShapes=input:1x3xAx224', '--memPoolSize=workspace:lots', '--memPoolSize=gpu:1G', '--profilingVerbosity=verbose', '--onnx', '--iterations=ten', 'model.onnx', '--maxShapes=in*p*t:1'],
    schema,
  );
  assert.deepEqual(
    problems.map((p) => p.option),
    ['--fp17', '--minShapes=input:1x3xAx224', '--memPoolSize=workspace:lots', '--memPoolSize=gpu:1G', '--profilingVerbosity=verbose', '--onnx', '--iterations=ten', 'model.onnx', '--maxShapes=in*p*t:1'],
  );
  assert.match(problems[0]!.message, /unknown option --fp17: TensorRT 10\.16\.1 has no such flag/);
  assert.match(problems[4]!.message, /'verbose' is not one of layer_names_only, detailed, none/);
  assert.equal(checkShapeSpec('x'), "'x' is not name:dims (for example input0:1x3x224x224)");
  assert.equal(checkShapeSpec("'a:b:1x2"), "''a:b:1x2' is not name:dims (an unclosed quote?)");
  assert.equal(checkPoolSpec('workspace:1024', ['workspace']), undefined, 'no suffix means MiB');
  assert.equal(checkPoolSpec('workspace', ['workspace']), "'workspace' is not pool:size (for example workspace:1024M)");
});

test('every real log reads whole: version, PASSED, no [E] line, a summary only where the run measured (throughput read by eye)', () => {
  const throughput: Record<string, number | undefined> = { 'result-01.log': 15374.3, 'result-02.log': undefined, 'result-03.log': 24896.9, 'result-04.log': undefined, 'result-05.log': undefined, 'result-06.log': 12827.1 };
  for (const [name, qps] of Object.entries(throughput)) {
    const log = readTrtexecLog(readFileSync(join(COOKBOOK, name), 'utf8'));
    assert.equal(log.version, '10.16.1', name);
    assert.equal(log.outcome, 'passed', name);
    assert.deepEqual(log.errors, [], name);
    assert.equal(log.performance?.throughputQps, qps, name);
  }
});

test('the version is the [TensorRT vMMmmpp] of the first line of every real log', () => {
  for (const name of ['result-01.log', 'result-02.log', 'result-03.log', 'result-04.log', 'result-05.log', 'result-06.log']) {
    const first = readFileSync(join(COOKBOOK, name), 'utf8').split('\n', 1)[0]!;
    assert.equal(parseTrtexecVersion(first), '10.16.1', name);
  }
  // First lines quoted in NVIDIA/TensorRT issues #3894 and #4587, and an 8.6 one.
  assert.equal(parseTrtexecVersion('&&&& RUNNING TensorRT.trtexec [TensorRT v100001] # trtexec --onnx=removed.onnx'), '10.0.1');
  assert.equal(parseTrtexecVersion('&&&& RUNNING TensorRT.trtexec [TensorRT v101303] [b9] # ./trtexec --onnx=ISTD_NS.onnx'), '10.13.3');
  assert.equal(parseTrtexecVersion('&&&& RUNNING TensorRT.trtexec [TensorRT v8601] # trtexec'), '8.6.1');
  assert.equal(parseTrtexecVersion('[I] no version here'), undefined);
});

test('the performance summary of result-03.log, figures read by eye from the file', () => {
  const log = readTrtexecLog(readFileSync(join(COOKBOOK, 'result-03.log'), 'utf8'));
  assert.equal(log.version, '10.16.1');
  assert.equal(log.outcome, 'passed');
  assert.deepEqual(log.errors, []);
  const p = log.performance!;
  assert.equal(p.throughputQps, 24896.9);
  assert.deepEqual(p.latency, { min: 0.0383301, max: 0.0651855, mean: 0.0387646, median: 0.0388184, percentiles: { '90': 0.0388489, '95': 0.0389404, '99': 0.0390625 } });
  assert.deepEqual(p.enqueueTime, { min: 0.00158691, max: 0.0428467, mean: 0.00197413, median: 0.00195312, percentiles: { '90': 0.00219727, '95': 0.00219727, '99': 0.00244141 } });
  assert.deepEqual(p.h2dLatency, { min: 0, max: 0, mean: 0, median: 0, percentiles: { '90': 0, '95': 0, '99': 0 } });
  assert.deepEqual(p.gpuComputeTime, p.latency, 'no data transfers: latency is GPU compute time');
  assert.deepEqual(p.d2hLatency, p.h2dLatency);
  assert.equal(p.totalHostWalltimeS, 3.00005);
  assert.equal(p.totalGpuComputeTimeS, 2.89541);
  assert.deepEqual(p.warnings, []);
});

test('result-01.log: the summary with its two [W] lines; [E] lines are collected; unknown lines are skipped', () => {
  const text = readFileSync(join(STAND_IN, 'result-01.log'), 'utf8');
  const log = readTrtexecLog(['garbage before', text, '[12/02/2026-06:00:00] [E] Engine set up failed', '[E] no time stamp', 'a line from a newer trtexec'].join('\n'));
  assert.equal(log.performance!.throughputQps, 15374.3);
  assert.equal(log.performance!.latency!.percentiles['99'], 0.0512695);
  assert.equal(log.performance!.warnings.length, 2);
  assert.match(log.performance!.warnings[0]!, /GPU compute time is unstable, with coefficient of variance = 6\.58751%/);
  assert.deepEqual(log.errors, ['Engine set up failed', 'no time stamp']);
});
