import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { withSparsity } from '../src/analysis/tensorrt/two-four-sparse';
import { engineBuildArgv } from '../src/extension/engine-build-args';
import { readModelFacts } from '../src/extension/model-summary';
import { twoFourPruner } from '../src/optimize/prune/two-four';
import { CLI, ROOT } from './helpers/corpus';
import { MODELS, PYTHON, pruneFile, removeTempFolders, tempFolder } from './helpers/prune-run';

// trt-check and build notice a 2:4-sparse model (src/analysis/tensorrt/two-four-sparse.ts): the layers numpy finds with the pattern, and --sparsity=enable passed to trtexec.
after(removeTempFolders);
const TRTEXEC = join(ROOT, 'test', 'fixtures', 'trtexec-stand-in', 'trtexec');
const RESNET18 = join(MODELS, 'resnet18.onnx');
const dir = tempFolder('prune-24-trt-');
const PRUNED = join(dir, 'resnet18.pruned.onnx');
pruneFile(twoFourPruner, RESNET18, PRUNED, { method: '2:4', ratio: 0.5 });

const cli = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });

/** Node names whose weight (initializer, Identity/Constant) numpy finds 2:4 along the reduction axis. */
function numpyTwoFour(path: string): string[] {
  const script = `
import sys, json, numpy as np, onnx
from onnx import numpy_helper as nh
m = onnx.load(sys.argv[1])
g = m.graph
inits = {t.name: nh.to_array(t) for t in g.initializer}
found = []
for n in g.node:
    if n.op_type not in ('Conv', 'Gemm', 'MatMul') or len(n.input) < 2 or n.input[1] not in inits:
        continue
    w = inits[n.input[1]]
    axis = 1 if n.op_type == 'Conv' else (w.ndim - 2 if n.op_type == 'MatMul' else (1 if any(a.name == 'transB' and a.i for a in n.attribute) else 0))
    if w.shape[axis] % 4:
        continue
    groups = np.moveaxis(w, axis, -1).reshape(-1, 4)
    if np.all((groups == 0).sum(axis=1) >= 2) and np.any(w != 0):
        found.append(n.name)
print(json.dumps(found))`;
  return JSON.parse(spawnSync(PYTHON, ['-c', script, path], { encoding: 'utf8' }).stdout) as string[];
}

test('trt-check names the 2:4 layers numpy finds, and says to build with --sparsity=enable; the dense model has no such finding', () => {
  const r = cli(['trt-check', PRUNED, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const findings = (JSON.parse(r.stdout) as { summary: { preflight: { code: string; severity: string; nodeIds: string[]; message: string }[] } }).summary.preflight;
  const sparse = findings.filter((f) => f.code === 'two-four-sparse');
  assert.equal(sparse.length, 1);
  const expected = numpyTwoFour(PRUNED);
  assert.equal(expected.length, 19);
  assert.deepEqual(sparse[0]!.nodeIds.map((id) => id.replace(/%2F/g, '/')).sort(), expected.sort());
  assert.equal(sparse[0]!.message, '19 layers hold 2:4-sparse weights: build with --sparsity=enable');
  assert.equal(sparse[0]!.severity, 'info');
  const text = cli(['trt-check', PRUNED]);
  assert.match(text.stdout, /preflight note two-four-sparse: 19 layers hold 2:4-sparse weights: build with --sparsity=enable/);
  const dense = cli(['trt-check', RESNET18, '--json']);
  assert.ok(!(JSON.parse(dense.stdout) as { summary: { preflight: { code: string }[] } }).summary.preflight.some((f) => f.code === 'two-four-sparse'));
});

test('a 2:4 model converted to fp16 or quantized to Q/DQ int8 next still holds its 19 layers for trt-check', () => {
  const sparseIds = (path: string): string[] => {
    const r = cli(['trt-check', path, '--json']);
    const found = (JSON.parse(r.stdout) as { summary: { preflight: { code: string; nodeIds: string[] }[] } }).summary.preflight.find((f) => f.code === 'two-four-sparse');
    return found?.nodeIds ?? [];
  };
  const expected = sparseIds(PRUNED);
  const half = join(dir, 'pruned.fp16.onnx');
  const int8 = join(dir, 'pruned.int8.onnx');
  assert.equal(cli(['fp16', PRUNED, '-o', half]).status, 0);
  assert.equal(cli(['quantize', PRUNED, '--mode', 'static', '--preset', 'tensorrt', '-o', int8]).status, 0);
  assert.equal(expected.length, 19);
  assert.deepEqual(sparseIds(half), expected);
  assert.deepEqual(sparseIds(int8), expected);
});

test('build passes --sparsity=enable for a 2:4 model, keeps a --sparsity the user gave, and adds nothing for a dense model', () => {
  const firstLogLine = (model: string, extra: string[] = []) => {
    const r = cli(['build', model, '--trtexec', TRTEXEC, '--json', ...(extra.length ? ['--', ...extra] : [])]);
    assert.equal(r.status, 0, r.stderr);
    const json = JSON.parse(r.stdout) as { outputs: { log: string }; sparseLayers?: number };
    return { line: readFileSync(json.outputs.log, 'utf8').split('\n')[0]!, json, stderr: r.stderr };
  };
  const sparse = firstLogLine(PRUNED);
  assert.match(sparse.line, / --sparsity=enable$/);
  assert.equal(sparse.json.sparseLayers, 19);
  assert.match(sparse.stderr, /19 layers hold 2:4-sparse weights: building with --sparsity=enable/);
  const off = firstLogLine(PRUNED, ['--sparsity=disable']);
  assert.match(off.line, / --sparsity=disable$/);
  assert.doesNotMatch(off.line, /--sparsity=enable/);
  const denseDir = tempFolder('prune-24-dense-');
  copyFileSync(RESNET18, join(denseDir, 'resnet18.onnx'));
  const dense = firstLogLine(join(denseDir, 'resnet18.onnx'));
  assert.doesNotMatch(dense.line, /--sparsity/);
  assert.equal(dense.json.sparseLayers, undefined);
});

test('withSparsity: added only for a sparse model, never over the user\'s own, said when trtexec lacks it', () => {
  assert.deepEqual(withSparsity(['--fp16'], 0, true), { args: ['--fp16'] });
  assert.deepEqual(withSparsity([], 3, true).args, ['--sparsity=enable']);
  assert.deepEqual(withSparsity(['--sparsity=force'], 3, true).args, ['--sparsity=force']);
  const old = withSparsity([], 3, false);
  assert.deepEqual(old.args, []);
  assert.match(old.note!, /3 layers hold 2:4-sparse weights: build with --sparsity=enable, which this trtexec does not take/);
});

test('the editor\'s build: the model worker lists the 2:4 layers (the picks then offer --sparsity), and the choice reaches the CLI argv', async () => {
  const worker = join(ROOT, 'dist', 'model-worker.js');
  const sparse = await readModelFacts(worker, PRUNED, true);
  assert.equal(sparse.twoFourLayers.length, 19);
  assert.equal(sparse.summary.inputs[0]!.name, 'input');
  assert.deepEqual((await readModelFacts(worker, RESNET18, true)).twoFourLayers, []);
  assert.deepEqual(engineBuildArgv('m.onnx', { precision: 'fp16', profile: false, sparsity: 'enable' }), ['build', 'm.onnx', '--json', '--precision', 'fp16', '--', '--sparsity=enable']);
  assert.deepEqual(engineBuildArgv('m.onnx', { precision: 'fp16', profile: false }), ['build', 'm.onnx', '--json', '--precision', 'fp16']);
});
