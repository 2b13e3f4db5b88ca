import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { internalError } from '../src/cli/internal-error';
import { CLI, corpusModels } from './helpers/corpus';
import { bytesOf, node, reluAddModel } from './helpers/models';

const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-cli-'));

test('check: exit 0 on a valid real model, with a summary line', () => {
  const model = corpusModels().find((p) => p.includes('silero_vad_v5'))!;
  const r = run('check', model);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /0 errors, 0 warnings/);
});

test('check: exit 1 with errors, each with a stable code, rule and node id', () => {
  const m = reluAddModel();
  m.graph!.node.push(node('Conv', ['y'], ['z'], [], 'conv_without_weights'));
  const path = join(dir, 'broken.onnx');
  writeFileSync(path, bytesOf(m));
  const r = run('check', '--json', path);
  assert.equal(r.status, 1, r.stderr);
  const json = JSON.parse(r.stdout) as { errors: number; diagnostics: { code: string; rule: string; nodeId?: string; severity: string }[] };
  assert.ok(json.errors >= 1);
  assert.ok(json.diagnostics.some((d) => d.code === 'E103' && d.rule === 'input-arity' && d.nodeId === 'conv_without_weights' && d.severity === 'error'));
});

test('check and inspect: exit 2 for a missing file, a directory, and a file that is not a model (with the byte offset)', () => {
  for (const cmd of ['check', 'inspect']) {
    const missing = run(cmd, join(dir, 'nope.onnx'));
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such file/);
    const folder = run(cmd, dir);
    assert.equal(folder.status, 2);
    assert.match(folder.stderr, /directory/);
    const junk = join(dir, 'junk.onnx');
    writeFileSync(junk, Buffer.from('\x0a\xff\xff\xff\xff\x0fnot a model at all'));
    const bad = run(cmd, junk);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /not a valid ONNX model: .*at byte \d+/);
  }
});

test('inspect --json prints the documented fields with python-style dtypes and shapes', () => {
  const model = corpusModels().find((p) => p.includes('silero_vad_v5'))!;
  const r = run('inspect', '--json', model);
  assert.equal(r.status, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  for (const key of ['irVersion', 'producerName', 'producerVersion', 'opsetImports', 'inputs', 'outputs', 'nodeCount', 'totalNodeCount', 'subgraphCount', 'opTypes', 'initializerCount', 'parameterCount', 'weightBytes', 'metadataProps']) {
    assert.ok(key in s, `missing ${key}`);
  }
  assert.deepEqual(s.opsetImports, { '': 16 });
  assert.deepEqual(s.inputs, [
    { name: 'input', dtype: 'float', shape: [null, null] },
    { name: 'state', dtype: 'float', shape: [2, null, 128] },
    { name: 'sr', dtype: 'int64', shape: [] },
  ]);
  assert.equal(s.producerName, 'spox');
  assert.equal(s.nodeCount, 5);
  assert.equal(s.totalNodeCount, 689);
  assert.equal(s.subgraphCount, 50);
  assert.equal(s.opTypes.If, 25);
});

test('inspect without --json prints a readable summary; usage errors exit 64', () => {
  const model = corpusModels().find((p) => p.includes('cls_infer'))!;
  const r = run('inspect', model);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /IR version 8, opsets: ai\.onnx 9/);
  assert.match(r.stdout, /inputs:\n {2}x: float\[p2o\.DynamicDimension\.0, 3, /);
  assert.equal(run('inspect').status, 64);
  assert.equal(run('frobnicate').status, 64);
  assert.equal(run('inspect', '--bogus', model).status, 64);
});

test('an internal error is one line (exit 70 in main); the stack only with ONNX_STUDIO_DEBUG=1', () => {
  const e = new RangeError('Maximum call stack size exceeded\nmore');
  assert.equal(internalError('onnx-studio text', e, false), 'onnx-studio text: internal error: RangeError: Maximum call stack size exceeded (set ONNX_STUDIO_DEBUG=1 for details)');
  assert.match(internalError('onnx-studio text', e, true), /^onnx-studio text: internal error: RangeError: Maximum call stack size exceeded\nRangeError: Maximum call stack size exceeded\nmore\n\s+at /);
});
