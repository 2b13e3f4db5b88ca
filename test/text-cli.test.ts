import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { openModel } from '../src/onnx/open';
import { Tensor } from '../src/onnx/tensor';
import { allTensors } from '../src/onnx/text/weights';
import { CLI, corpusModels } from './helpers/corpus';

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

test('text → compile gives back every corpus model, weights included; the text stays small', () => {
  for (const source of corpusModels()) {
    const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-text-'));
    const model = join(dir, basename(source));
    copyFileSync(source, model);
    const textFile = model.replace(/\.onnx$/, '.onnxtxt');
    const t = run('text', model, '-o', textFile);
    assert.equal(t.status, 0, t.stderr);
    assert.ok(statSync(textFile).size < statSync(model).size, 'large tensors are references, not copies');
    assert.match(readFileSync(textFile, 'utf8'), /"location": "[^"]+\.onnx"/);
    const back = join(dir, 'back.onnx');
    const c = run('compile', textFile, '-o', back);
    assert.equal(c.status, 0, c.stdout + c.stderr);
    const a = openModel(model);
    const b = openModel(back);
    const ta = [...allTensors(a.proto)].map((x) => new Tensor(x, a.files).read(Infinity).values);
    const tb = [...allTensors(b.proto)].map((x) => new Tensor(x, b.files).read(Infinity).values);
    assert.deepEqual(tb, ta, `${source}: tensor values`);
    assert.equal(b.graph.nodes.length, a.graph.nodes.length);
    assert.ok([...allTensors(b.proto)].every((x) => x.data_location !== 1), 'weights read back into the model');
    a.close();
    b.close();
  }
});

test('a text written away from its model gets its own weights file, and compiles back to the same weights', () => {
  const source = corpusModels().find((p) => p.includes('cls_infer'))!;
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-text-'));
  const textFile = join(dir, 'cls.onnxtxt');
  const t = run('text', source, '-o', textFile);
  assert.equal(t.status, 0, t.stderr);
  assert.ok(existsSync(`${textFile}.data`));
  assert.match(readFileSync(textFile, 'utf8'), /"location": "cls\.onnxtxt\.data"/);
  const back = join(dir, 'back.onnx');
  assert.equal(run('compile', textFile, '-o', back).status, 0);
  const a = openModel(source);
  const b = openModel(back);
  assert.deepEqual([...allTensors(b.proto)].map((x) => new Tensor(x, b.files).read(Infinity).values), [...allTensors(a.proto)].map((x) => new Tensor(x, a.files).read(Infinity).values));
  a.close();
  b.close();
});

test('compile reports every syntax error with line and column, and writes nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-text-'));
  const file = join(dir, 'bad.onnxtxt');
  writeFileSync(file, '<ir_version: 8, opset_import: ["" : 17]>\ng (float[2] x) => (float[2] y)\n{\n   a = Relu(x\n   y = Relu(x)\n   z = Foo<alpha = >(y)\n}\n');
  const r = run('compile', file, '-o', join(dir, 'out.onnx'));
  assert.equal(r.status, 1);
  const lines = r.stdout.trim().split('\n');
  assert.ok(lines.length >= 2, `both mistakes reported: ${r.stdout}`);
  assert.match(lines[0]!, /bad\.onnxtxt:5:4: error: expected '\)'/);
  assert.match(lines[1]!, /bad\.onnxtxt:6:20: error: expected an attribute value/);
  assert.ok(!existsSync(join(dir, 'out.onnx')));
});
