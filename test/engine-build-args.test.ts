// "Build TensorRT Engine…"'s pure parts: the min/opt/max shapes proposed for symbolic input dims
// (the dims come from python onnx, the reference), the CLI argv the remembered choices make (run
// through `onnx-studio build` against the trtexec stand-in, which parses them as the real
// trtexec's --help says), `build --probe` and `lint-polygraphy` (the editor's two tool paths).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { engineBuildArgv, engineProbeArgv, proposeShapeRanges } from '../src/extension/engine-build-args';
import { checkShapeSpec } from '../src/toolchains/trtexec-flags';
import { CLI, CORPUS_DIR, ROOT } from './helpers/corpus';
import { bytesOf, graph, model, node, tensorType, valueInfo } from './helpers/models';

const TRTEXEC = join(ROOT, 'test', 'fixtures', 'trtexec-stand-in', 'trtexec');
const POLYGRAPHY = join(ROOT, 'test', 'fixtures', 'polygraphy-stand-in', 'polygraphy');

/** The graph inputs (not initializers) of a model as python onnx reads them: dim_param, dim_value or null. */
function pythonInputs(path: string): { name: string; shape: (number | string | null)[] }[] {
  const script = `
import json, onnx, sys
m = onnx.load(sys.argv[1], load_external_data=False)
inits = {i.name for i in m.graph.initializer}
dim = lambda d: d.dim_param if d.HasField('dim_param') else (d.dim_value if d.HasField('dim_value') else None)
print(json.dumps([{'name': i.name, 'shape': [dim(d) for d in i.type.tensor_type.shape.dim]} for i in m.graph.input if i.name not in inits]))`;
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, path]).toString());
}

const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });

test('shape ranges: batch axis 1/1/8, NCHW image sides 32/224/1024, other symbolic axes 1/64/512, static dims kept, static inputs left out', () => {
  // python onnx: x [p2o.DynamicDimension.0, 3, p2o.DynamicDimension.1, p2o.DynamicDimension.2]
  assert.deepEqual(proposeShapeRanges(pythonInputs(join(CORPUS_DIR, 'ch_PP-OCRv4_det_infer.onnx'))), { min: 'x:1x3x32x32', opt: 'x:1x3x224x224', max: 'x:8x3x1024x1024' });
  // x [p2o.DynamicDimension.0, 3, 48, p2o.DynamicDimension.1]
  assert.deepEqual(proposeShapeRanges(pythonInputs(join(CORPUS_DIR, 'ch_PP-OCRv4_rec_infer.onnx'))), { min: 'x:1x3x48x32', opt: 'x:1x3x48x224', max: 'x:8x3x48x1024' });
  // input [None, None], state [2, None, 128], sr [] (static: no spec needed)
  assert.deepEqual(proposeShapeRanges(pythonInputs(join(CORPUS_DIR, 'silero_vad_v5.onnx'))), { min: 'input:1x1,state:2x1x128', opt: 'input:1x64,state:2x64x128', max: 'input:8x512,state:2x512x128' });
  // input [batch, 3, 224, 224]: only the batch axis varies.
  assert.deepEqual(proposeShapeRanges(pythonInputs(join(ROOT, '.cache', 'models', 'resnet18.onnx'))), { min: 'input:1x3x224x224', opt: 'input:1x3x224x224', max: 'input:8x3x224x224' });
  assert.equal(proposeShapeRanges([{ name: 'static', shape: [1, 3, 224, 224] }, { name: 'scalar', shape: [] }]), undefined, 'a static model needs no shapes');
  // Unknown rank: nothing to propose for it.
  assert.equal(proposeShapeRanges([{ name: 'a', shape: null }]), undefined);
});

test('shape ranges: names with : or , are quoted as trtexec allows, and every spec passes the shape check', () => {
  const r = proposeShapeRanges([{ name: 'input:0', shape: ['N', 16] }, { name: 'a,b', shape: [null] }, { name: 'plain', shape: [4] }])!;
  assert.deepEqual(r, { min: `'input:0':1x16,'a,b':1`, opt: `'input:0':1x16,'a,b':1`, max: `'input:0':8x16,'a,b':8` });
  for (const spec of Object.values(r)) assert.equal(checkShapeSpec(spec), undefined, spec);
});

test('remembered choices → argv: the stand-in trtexec takes every option, the profiled engine and exports land beside the model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-engine-args-'));
  const path = join(dir, 'det.onnx');
  copyFileSync(join(CORPUS_DIR, 'ch_PP-OCRv4_det_infer.onnx'), path);
  const shapes = proposeShapeRanges(pythonInputs(path))!;
  const choices = { precision: 'fp16' as const, shapes, workspace: '512M', timingCache: join(dir, 'cache.bin'), dlaCore: 0, profile: true };
  const argv = engineBuildArgv(path, choices, TRTEXEC);
  assert.deepEqual(argv, [
    'build', path, '--json', '--precision', 'fp16', '--profile', '--trtexec', TRTEXEC, '--',
    `--minShapes=${shapes.min}`, `--optShapes=${shapes.opt}`, `--maxShapes=${shapes.max}`, '--memPoolSize=workspace:512M', `--timingCacheFile=${join(dir, 'cache.bin')}`, '--useDLACore=0', '--allowGPUFallback',
  ]);
  const r = cli(argv);
  assert.equal(r.status, 0, r.stderr);
  const json = JSON.parse(r.stdout);
  assert.equal(json.status, 'built');
  assert.equal(json.precision, 'fp16');
  assert.ok(r.stderr.includes(`--minShapes=${shapes.min}`), 'trtexec got the shapes (its first line echoes the command)');
  const names = readdirSync(dir);
  for (const s of ['plan', 'build.log', 'layers.json', 'profile.json', 'times.json']) assert.ok(names.includes(`det.fp16.${s}`), `det.fp16.${s} in ${names.join(', ')}`);
  // Without options there is no `--`; fp32 has no precision flag, the CLI still gets --precision.
  assert.deepEqual(engineBuildArgv(path, { precision: 'fp32', profile: false }), ['build', path, '--json', '--precision', 'fp32']);
});

test('build --probe: the stand-in’s version (its first line says v101601), the precisions TensorRT 10 takes, its memory pools', () => {
  const r = cli(engineProbeArgv(TRTEXEC));
  assert.equal(r.status, 0, r.stderr);
  const probe = JSON.parse(r.stdout);
  assert.equal(probe.tensorrtVersion, '10.16.1');
  assert.deepEqual(probe.precisions, ['fp32', 'fp16', 'int8', 'best', 'typed']);
  assert.equal(probe.stronglyTypedOnly, false);
  // Help.txt: "pool ::= "workspace"|"dlaSRAM"|"dlaLocalDRAM"|"dlaGlobalDRAM"|"tacticSharedMem""
  assert.deepEqual(probe.memoryPools, ['workspace', 'dlaSRAM', 'dlaLocalDRAM', 'dlaGlobalDRAM', 'tacticSharedMem']);
  assert.equal(probe.dla, true);
  assert.equal(cli(engineProbeArgv(join(ROOT, 'no-such-trtexec'))).status, 2);
  assert.equal(cli(['build', '--probe', 'model.onnx']).status, 64, 'a probe takes no model');
});

test('lint-polygraphy: the report’s findings, node names mapped to the editor’s ids, exit 1 on errors, 2 without polygraphy', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-polygraphy-'));
  const path = join(dir, 'm.onnx');
  const t = tensorType(1, [2, 2]);
  // The node names the documented report mentions.
  const g = graph({
    name: 'g',
    node: [node('MatMul', ['A', 'B'], ['c'], [], 'MatMul_0'), node('Add', ['c', 'B'], ['d'], [], 'Add_0'), node('MatMul', ['d', 'B'], ['e'], [], 'MatMul_3')],
    input: [valueInfo('A', t), valueInfo('B', t)],
    output: [valueInfo('e', t)],
  });
  writeFileSync(path, bytesOf(model(g)));
  const r = cli(['lint-polygraphy', path, '--polygraphy', POLYGRAPHY, '--json']);
  assert.equal(r.status, 1, r.stderr);
  const json = JSON.parse(r.stdout);
  const reference = JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'polygraphy-stand-in', 'report-from-documentation.json'), 'utf8'));
  assert.equal(json.findings.length, reference.lint_entries.length);
  assert.deepEqual(json.nodeIds, { MatMul_0: 'MatMul_0', Add_0: 'Add_0', MatMul_3: 'MatMul_3' });
  assert.ok(r.stderr.includes('[E] LINT | Name: MatMul_3'), 'polygraphy’s console lines on stderr');
  assert.equal(cli(['lint-polygraphy', path, '--polygraphy', join(dir, 'none'), '--json']).status, 2);
});
