// The text round trip never loses a file: `text` and `compile` (and the editor's flow, which
// is the same compileText) refuse outputs that would replace what a text or model refers to,
// rebase or refuse kept references, and leave no temp file when interrupted. Weights are
// checked with python onnx (Debian's /usr/bin/python3), not with the code under test.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ModelFileError } from '../src/onnx/errors';
import { compileText } from '../src/onnx/text/compile';
import { CLI, corpusModels } from './helpers/corpus';

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
const fresh = (): string => mkdtempSync(join(tmpdir(), 'onnx-studio-textfiles-'));
const hash = (path: string): string => createHash('sha256').update(readFileSync(path)).digest('hex');

/** python onnx: a model whose weight `w` (arange(n) as float32) is in `data.bin` beside it. */
function pythonExternalModel(dir: string, n = 100, location = 'data.bin', name = 'm.onnx'): string {
  const path = join(dir, name);
  execFileSync('/usr/bin/python3', ['-c', `
import sys, numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto
w = numpy_helper.from_array(np.arange(${n}, dtype=np.float32), 'w')
g = helper.make_graph([helper.make_node('Add', ['x', 'w'], ['y'])], 'g', [helper.make_tensor_value_info('x', TensorProto.FLOAT, [${n}])], [helper.make_tensor_value_info('y', TensorProto.FLOAT, [${n}])], [w])
onnx.save_model(helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)]), sys.argv[1], save_as_external_data=True, location=sys.argv[2], size_threshold=0)
`, path, location]);
  return path;
}

/** Every initializer's values as python onnx loads them (external data resolved by onnx.load). */
function pythonWeights(path: string): Record<string, number[]> {
  const out = execFileSync('/usr/bin/python3', ['-c', `
import sys, json, onnx
from onnx import numpy_helper
m = onnx.load(sys.argv[1])
print(json.dumps({t.name: numpy_helper.to_array(t).astype('float64').ravel().tolist() for t in m.graph.initializer}))
`, path]);
  return JSON.parse(out.toString()) as Record<string, number[]>;
}

/** How many values python onnx reads from the model's initializers (for models too large to print). */
function pythonWeightCount(path: string): number {
  const out = execFileSync('/usr/bin/python3', ['-c', 'import sys, onnx\nfrom onnx import numpy_helper\nprint(sum(numpy_helper.to_array(t).size for t in onnx.load(sys.argv[1]).graph.initializer))', path]);
  return Number(out.toString());
}

const arange = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

test('text then compile over the model it came from is refused (with and without --keep-external); nothing is lost', () => {
  const dir = fresh();
  const model = join(dir, 'm.onnx');
  copyFileSync(corpusModels().find((p) => p.includes('cls_infer'))!, model);
  const before = hash(model);
  assert.equal(run('text', model, '-o', join(dir, 'm.onnxtxt')).status, 0);
  for (const extra of [['--keep-external'], []]) {
    const r = run('compile', join(dir, 'm.onnxtxt'), '-o', model, ...extra);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /refusing to write over .*m\.onnx: the text refers to it/);
    assert.equal(hash(model), before);
  }
  // Beside it, under another name, the kept references stay valid: python reads the same weights.
  const kept = join(dir, 'kept.onnx');
  const r = run('compile', join(dir, 'm.onnxtxt'), '-o', kept, '--keep-external');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /kept the references to 'm\.onnx'/);
  assert.deepEqual(pythonWeights(kept), pythonWeights(model));
  // A refused text leaves no weights file behind either.
  const own = run('text', model, '--weights', '-o', model);
  assert.equal(own.status, 2, own.stderr);
  assert.equal(hash(model), before);
  assert.deepEqual(readdirSync(dir).sort(), ['kept.onnx', 'm.onnx', 'm.onnxtxt']);
});

test('--keep-external with -o in another folder: rebased when the data stays inside it, refused when it would leave it', () => {
  const root = fresh();
  const dir = join(root, 'models');
  mkdirSync(dir);
  mkdirSync(join(root, 'elsewhere'));
  const model = pythonExternalModel(dir);
  assert.equal(run('text', model, '-o', join(dir, 'm.onnxtxt')).status, 0);
  const away = run('compile', join(dir, 'm.onnxtxt'), '-o', join(root, 'elsewhere', 'x.onnx'), '--keep-external');
  assert.equal(away.status, 2, away.stderr);
  assert.match(away.stderr, /cannot keep the reference to '[^']+': .*external-data rule/);
  assert.deepEqual(readdirSync(join(root, 'elsewhere')), []);
  const up = run('compile', join(dir, 'm.onnxtxt'), '-o', join(root, 'up.onnx'), '--keep-external');
  assert.equal(up.status, 0, up.stderr);
  assert.match(up.stderr, /rebased the references to 'data\.bin' as 'models\/data\.bin'/);
  assert.deepEqual(pythonWeights(join(root, 'up.onnx')), { w: arange(100) });
});

test('text -o never replaces the model\'s external data file', () => {
  const dir = fresh();
  const model = pythonExternalModel(dir);
  const before = hash(join(dir, 'data.bin'));
  for (const target of [join(dir, 'data.bin'), model]) {
    const r = run('text', model, '-o', target);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /refusing to write over/);
  }
  // A model whose data file has the name the text's own weights file would get: it stays the model's, untouched.
  const second = pythonExternalModel(dir, 100, 't.onnxtxt.data', 'second.onnx');
  const secondData = hash(join(dir, 't.onnxtxt.data'));
  const r = run('text', second, '--weights', '-o', join(dir, 't.onnxtxt'));
  assert.equal(r.status, 0, r.stderr);
  assert.equal(hash(join(dir, 't.onnxtxt.data')), secondData);
  assert.equal(run('compile', join(dir, 't.onnxtxt'), '-o', join(dir, 'back.onnx')).status, 0);
  assert.deepEqual(pythonWeights(join(dir, 'back.onnx')), { w: arange(100) });
  assert.equal(hash(join(dir, 'data.bin')), before);
  assert.deepEqual(pythonWeights(model), { w: arange(100) });
});

test('a text written in another folder does not refer to an unrelated data.bin there, and compiles back to the same weights', () => {
  const root = fresh();
  const model = pythonExternalModel(root);
  const other = join(root, 'other');
  mkdirSync(other);
  writeFileSync(join(other, 'data.bin'), Buffer.alloc(400, 0x7f));
  const t = run('text', model, '-o', join(other, 't.onnxtxt'));
  assert.equal(t.status, 0, t.stderr);
  assert.doesNotMatch(readFileSync(join(other, 't.onnxtxt'), 'utf8'), /"data\.bin"/);
  const c = run('compile', join(other, 't.onnxtxt'), '-o', join(other, 'back.onnx'));
  assert.equal(c.status, 0, c.stderr);
  assert.deepEqual(pythonWeights(join(other, 'back.onnx')), { w: arange(100) });
  // On standard output from another folder, too: values inline, no reference to data.bin.
  const s = spawnSync(process.execPath, [CLI, 'text', model], { cwd: other, encoding: 'utf8' });
  assert.equal(s.status, 0, s.stderr);
  assert.doesNotMatch(s.stdout, /"location"/);
});

test('a symlinked model (as in Hugging Face\'s cache) prints to a text that compiles back to the same weights', () => {
  const dir = fresh();
  // The real files: one in a folder below the link, one outside the text's folder. Large enough
  // that the text refers to the model's bytes instead of printing them.
  mkdirSync(join(dir, 'texts', 'blobs'), { recursive: true });
  mkdirSync(join(dir, 'blobs'));
  execFileSync('/usr/bin/python3', ['-c', `
import sys, numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto
w = numpy_helper.from_array(np.arange(4096, dtype=np.float32), 'w')
g = helper.make_graph([helper.make_node('Add', ['x', 'w'], ['y'])], 'g', [helper.make_tensor_value_info('x', TensorProto.FLOAT, [4096])], [helper.make_tensor_value_info('y', TensorProto.FLOAT, [4096])], [w])
for path in sys.argv[1:]: onnx.save_model(helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)]), path)
`, join(dir, 'texts', 'blobs', 'inside'), join(dir, 'blobs', 'outside')]);
  symlinkSync(join('blobs', 'inside'), join(dir, 'texts', 'in.onnx'));
  symlinkSync(join('..', 'blobs', 'outside'), join(dir, 'texts', 'out.onnx'));
  for (const name of ['in', 'out']) {
    const text = join(dir, 'texts', `${name}.onnxtxt`);
    const printed = run('text', join(dir, 'texts', `${name}.onnx`), '-o', text);
    assert.equal(printed.status, 0, printed.stderr);
    const target = join(dir, 'texts', `${name}-compiled.onnx`);
    const compiled = run('compile', text, '-o', target);
    assert.equal(compiled.status, 0, `${name}: ${compiled.stderr}`);
    assert.deepEqual(pythonWeights(target), { w: arange(4096) });
  }
});

test('an unsaved text with references: refused without a folder, read from the folder it was printed from', () => {
  const dir = fresh();
  const model = pythonExternalModel(dir);
  const text = execFileSync(process.execPath, [CLI, 'text', model], { cwd: dir }).toString();
  assert.match(text, /"location": "data\.bin"/);
  const target = join(dir, 'out.onnx');
  assert.throws(() => compileText({ text, target, references: 'inline' }), (e: unknown) => e instanceof ModelFileError && /save the text/.test(e.message));
  assert.throws(() => compileText({ text, target, references: 'keep' }), ModelFileError);
  assert.ok(!existsSync(target));
  const r = compileText({ text, referenceFolder: dir, target, references: 'inline' });
  assert.ok(r.ok);
  assert.deepEqual(r.refersTo, []);
  assert.deepEqual(pythonWeights(target), { w: arange(100) });
  // Over a file it refers to, even when reading it in: refused (the text would lose its weights).
  assert.throws(() => compileText({ text, referenceFolder: dir, target: join(dir, 'data.bin'), references: 'inline' }), /refusing to write over/);
});

test('compile killed (SIGTERM) while writing leaves no temp file, and the output is absent or complete', async () => {
  const dir = fresh();
  const n = 16 * 1024 * 1024;
  const model = pythonExternalModel(dir, n);
  assert.equal(run('text', model, '-o', join(dir, 'm.onnxtxt')).status, 0);
  const target = join(dir, 'big.onnx');
  const child = spawn(process.execPath, [CLI, 'compile', join(dir, 'm.onnxtxt'), '-o', target], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let sawTemp = false;
  for (let polls = 0; polls < 100_000 && child.exitCode === null && !sawTemp; polls++) {
    sawTemp = readdirSync(dir).some((f) => f.includes('.tmp'));
    if (!sawTemp) await new Promise((r) => setImmediate(r));
  }
  child.kill('SIGTERM');
  const code = await exited;
  assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.tmp')), []);
  if (sawTemp) assert.equal(code, 143);
  if (existsSync(target)) assert.equal(pythonWeightCount(target), n);
});
