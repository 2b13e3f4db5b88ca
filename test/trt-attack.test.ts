import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { GraphProto, ModelProto } from '../src/onnx/proto/types';
import { CLI } from './helpers/corpus';
import { HOSTILE_MODELS } from './helpers/hostile-models';
import { attr, bytesOf, graph, model, node, tensorType, valueInfo } from './helpers/models';

// Hostile input for trt-check: each gets an answer (exit 0/1 with every node judged, or exit 2
// with one line), never a crash (70), a stack trace or a hang (the timeout).
const dir = mkdtempSync(join(tmpdir(), 'trt-attack-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const FLOAT = 1;

interface TrtJson {
  summary: { nodes: number; unsupported: number };
  nodes: { id: string; name: string; op: string; domain: string; status: string; reasons: string[] }[];
}

function run(m: ModelProto | Uint8Array, name: string, ...args: string[]) {
  const path = join(dir, `${name}.onnx`);
  writeFileSync(path, m instanceof Uint8Array ? m : bytesOf(m));
  const r = spawnSync(process.execPath, [CLI, 'trt-check', path, '--json', ...args], { encoding: 'utf8', timeout: 60_000, maxBuffer: 1 << 28 });
  assert.notEqual(r.status, null, `${name}: timed out or killed`);
  assert.ok([0, 1, 2].includes(r.status!), `${name}: exit ${r.status} ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, name);
  return { status: r.status!, stderr: r.stderr, json: r.status === 2 ? undefined : (JSON.parse(r.stdout) as TrtJson) };
}

/** `depth` If nodes, each in the then_branch of the one above; built with a loop, innermost first. */
function nestedIfs(depth: number): ModelProto {
  const leaf = (): GraphProto => graph({ name: 'leaf', node: [node('Relu', ['x'], ['r'], [], 'relu')], output: [valueInfo('r', tensorType(FLOAT, [1]))] });
  let inner = leaf();
  for (let i = 0; i < depth; i++) {
    inner = graph({ name: `g${i}`, node: [node('If', ['c'], [`o${i}`], [attr('then_branch', inner), attr('else_branch', leaf())], `if${i}`)], output: [valueInfo(`o${i}`, tensorType(FLOAT, [1]))] });
  }
  return model(graph({ ...inner, input: [valueInfo('c', tensorType(9, [])), valueInfo('x', tensorType(FLOAT, [1]))] }));
}

test('hostile models of the inference suite: every one answered, every node judged', () => {
  for (const h of HOSTILE_MODELS) {
    const r = run(h.model(), h.name);
    if (r.json) for (const n of r.json.nodes) if (n.status !== 'supported') assert.ok(n.reasons.length, `${h.name} ${n.id}`);
  }
});

test('huge declared dims: pooling, EyeLike and Reshape over 2^62-sized inputs are judged without allocating them', () => {
  const huge = 2 ** 62;
  const m = model(graph({
    input: [valueInfo('x', tensorType(FLOAT, [huge, huge, huge, huge]))],
    node: [
      node('MaxPool', ['x'], ['p'], [attr('kernel_shape', [2, 2])], 'pool'),
      node('EyeLike', ['p'], ['e'], [], 'eye'),
      node('Flatten', ['e'], ['y'], [], 'flatten'),
    ],
    output: [valueInfo('y')],
  }));
  const r = run(m, 'huge-dims');
  assert.ok(r.json);
  assert.equal(r.json.nodes.length, 3);
});

test('deep subgraph nesting: 30 nested Ifs are all judged; 40 pass the decoder nesting limit and get one line (exit 2)', () => {
  const r = run(nestedIfs(30), 'nested-30');
  assert.ok(r.json, r.stderr);
  assert.equal(r.json.nodes.length, 30 * 2 + 1);
  assert.ok(r.json.nodes.some((n) => n.id.split('/then_branch/').length === 31 && n.op === 'Relu'));
  const deep = run(nestedIfs(40), 'nested-40');
  assert.equal(deep.status, 2);
  assert.match(deep.stderr, /^onnx-studio trt-check: .*nested deeper than/);
});

test('unknown domains and empty op_type are unsupported with a reason; --plugins makes a custom op conditional', () => {
  const m = model(graph({
    input: [valueInfo('x', tensorType(FLOAT, [1, 4]))],
    node: [node('MyPlugin', ['x'], ['a'], [], 'custom', 'com.example'), node('', ['a'], ['b'], [], 'empty'), node('NoSuchOp', ['b'], ['y'], [], 'nosuch')],
    output: [valueInfo('y')],
  }), 17, { opset_import: [{ domain: '', version: 17 }, { domain: 'com.example', version: 1 }] });
  const r = run(m, 'unknown-ops');
  assert.equal(r.status, 1);
  const by = new Map(r.json!.nodes.map((n) => [n.name, n]));
  assert.equal(by.get('custom')!.status, 'unsupported');
  assert.match(by.get('custom')!.reasons[0]!, /com\.example::MyPlugin is outside the ONNX default domain and no TensorRT plugin is declared/);
  assert.equal(by.get('empty')!.status, 'unsupported');
  assert.deepEqual(by.get('empty')!.reasons, ['the node has no op_type']);
  assert.match(by.get('nosuch')!.reasons[0]!, /NoSuchOp is not in TensorRT 11\.1's operator matrix \(not an ONNX operator/);
  const plugged = run(m, 'unknown-ops-plugin', '--plugins', 'MyPlugin');
  assert.equal(new Map(plugged.json!.nodes.map((n) => [n.name, n])).get('custom')!.status, 'conditional');
});

test('bad input: exit 2 for a missing file and a file that is not ONNX; exit 64 for bad usage', () => {
  const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, 'trt-check', ...args], { encoding: 'utf8' });
  const missing = cli(join(dir, 'nope.onnx'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /^onnx-studio trt-check: .*no such file/);
  const junk = join(dir, 'junk.onnx');
  writeFileSync(junk, 'this is not a protobuf at all\n'.repeat(10));
  const notOnnx = cli(junk);
  assert.equal(notOnnx.status, 2);
  assert.match(notOnnx.stderr, /^onnx-studio trt-check: /);
  assert.equal(cli(junk, '--trt', '9').status, 64);
  assert.equal(cli(junk, '--trt').status, 64);
  assert.equal(cli().status, 64);
  assert.equal(cli(junk, '--nope').status, 64);
});
