import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { CLI, ROOT } from './helpers/corpus';
import { cosine } from './helpers/fp16-inputs';

// Attack 10's quantize/fp16 findings (D5, D6, D8, D12, D13, D14, D19, D20): models from test/helpers/attack10_quant_models.py,
// expected values from numpy, python onnx and onnxruntime runs of the float models.
const PYTHON = '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'attack10-quant-'));
const facts = JSON.parse(execFileSync(PYTHON, [join(ROOT, 'test/helpers/attack10_quant_models.py'), dir], { encoding: 'utf8' })) as { transposedBestAxis: number };
after(() => rmSync(dir, { recursive: true, force: true }));
const model = (name: string): string => join(dir, `${name}.onnx`);

function cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
}

interface Inspected {
  opset: number;
  inputs: Record<string, number>;
  initializers: Record<string, number>;
  /** Every node of every graph: op type by id-like path (`If/then_branch/name`). */
  ops: Record<string, string>;
  dqAxes: (number | null)[];
}

/** python onnx: the checker accepts the model; its opset, declared input types, node op types and DequantizeLinear axes. */
function inspect(path: string): Inspected {
  const script = `
import json, sys, onnx
m = onnx.load(sys.argv[1]); onnx.checker.check_model(m)
ops, axes, work = {}, [], [(m.graph, '')]
while work:
    g, p = work.pop()
    for n in g.node:
        ops[p + n.name] = n.op_type
        if n.op_type == 'DequantizeLinear':
            axes.append(next((a.i for a in n.attribute if a.name == 'axis'), None))
        for a in n.attribute:
            if a.type == onnx.AttributeProto.GRAPH: work.append((a.g, p + n.name + '/' + a.name + '/'))
print(json.dumps({'opset': next(o.version for o in m.opset_import if o.domain in ('', 'ai.onnx')),
  'inputs': {i.name: i.type.tensor_type.elem_type for i in m.graph.input},
  'initializers': {t.name: t.data_type for t in m.graph.initializer}, 'ops': ops, 'dqAxes': axes}))`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script, path], { encoding: 'utf8' })) as Inspected;
}

/** Deterministic normal-ish values (sum of uniforms), the same for the float and the transformed model. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  const next = (): number => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  for (let i = 0; i < n; i++) out[i] = next() + next() + next() - 1.5;
  return out;
}

async function run(path: string, feeds: Record<string, ort.Tensor>): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(path);
  const r = await session.run(feeds);
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.type === 'float16' ? Float32Array.from(v.data as Uint16Array, halfToFloat) : (v.data as Float32Array)]));
}

function halfToFloat(h: number): number {
  const e = (h >> 10) & 31;
  const m = h & 1023;
  const v = e === 0 ? m * 2 ** -24 : e === 31 ? (m ? NaN : Infinity) : (1 + m / 1024) * 2 ** (e - 15);
  return h & 0x8000 ? -v : v;
}

const lstmFeeds = (seed: number): Record<string, ort.Tensor> => ({ x: new ort.Tensor('float32', values(5 * 16, seed), [5, 1, 16]) });

test('D6: a weight stored [1, in, 4H] and transposed to W gets its scales on the gate axis numpy measures best; output close to the float model', async () => {
  const out = join(dir, 'transposed.int8.onnx');
  const r = cli('quantize', model('lstm_transposed'), '--mode', 'dynamic', '-o', out);
  assert.equal(r.status, 0, r.stderr);
  // W's constant on numpy's best axis; R (an initializer [1, 4H, H]) on its gate rows.
  assert.deepEqual(inspect(out).dqAxes.sort(), [1, facts.transposedBestAxis].sort());
  for (const seed of [1, 2, 3]) {
    const [a, b] = [await run(model('lstm_transposed'), lstmFeeds(seed)), await run(out, lstmFeeds(seed))];
    // The input-axis scales this replaces gave 0.41.
    assert.ok(cosine(a.Yh!, b.Yh!) > 0.995, `seed ${seed}: cosine ${cosine(a.Yh!, b.Yh!)}`);
  }
});

test('D8: a value defined twice (initializer and Constant, or two nodes) is refused with exit 2 naming it, no output written', () => {
  for (const [name, value] of [['const_eq_init', 'K'], ['two_producers', 't']] as const) {
    for (const args of [['fp16'], ['quantize', '--mode', 'dynamic'], ['quantize', '--mode', 'static']]) {
      const out = join(dir, `${name}.${args.join('')}.onnx`);
      const r = cli(args[0]!, model(name), ...args.slice(1), '-o', out);
      assert.equal(r.status, 2, `${name} ${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`'${value}' is defined more than once`));
      assert.equal(existsSync(out), false);
    }
  }
});

test('D5: dynamic --exclude-nodes takes the editor id of a subgraph node; an unknown id is warned about', () => {
  const legacy = join(ROOT, '.cache/corpus/silero_vad_legacy.onnx');
  const id = 'If_25/else_branch/Conv_547';
  const out = join(dir, 'legacy.int8.onnx');
  const r = cli('quantize', legacy, '--mode', 'dynamic', '--exclude-nodes', `${id},If_25/else_branch/NoSuchNode`, '-o', out);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /no node is named 'If_25\/else_branch\/NoSuchNode'/);
  assert.doesNotMatch(r.stderr, new RegExp(`'${id}'`));
  const ops = inspect(out).ops;
  assert.equal(ops[id], 'Conv');
  assert.equal(ops['If_25/else_branch/Conv_606_quant'], 'ConvInteger');
  assert.equal(ops['If_25/else_branch/Conv_547_quant'], undefined);
});

test('D12: static mode quantizes an LSTM-only model (its W and R weight-only), as dynamic mode does', async () => {
  const out = join(dir, 'lstm.static.onnx');
  const r = cli('quantize', model('lstm_op13'), '--mode', 'static', '-o', out);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(inspect(out).dqAxes.length, 2);
  const [a, b] = [await run(model('lstm_op13'), lstmFeeds(4)), await run(out, lstmFeeds(4))];
  assert.ok(cosine(a.Yh!, b.Yh!) > 0.999);
});

test('D13: dynamic weight-only storage raises opset 9 only to 10 (DequantizeLinear) and leaves 10 as it is', async () => {
  for (const [opset, after] of [[9, 10], [10, 10]] as const) {
    const out = join(dir, `lstm_op${opset}.int8.onnx`);
    const r = cli('quantize', model(`lstm_op${opset}`), '--mode', 'dynamic', '-o', out);
    assert.equal(r.status, 0, r.stderr);
    const f = inspect(out);
    assert.equal(f.opset, after);
    assert.equal(f.dqAxes.length, 2);
    const [a, b] = [await run(model(`lstm_op${opset}`), lstmFeeds(5)), await run(out, lstmFeeds(5))];
    assert.ok(cosine(a.Yh!, b.Yh!) > 0.999);
  }
});

test('D19: --exclude-nodes lists an excluded LSTM (static) and Conv (static and dynamic) in keptFloat "excluded by name"', () => {
  const out = join(dir, 'conv_lstm.static.onnx');
  const r = cli('quantize', model('conv_lstm'), '--mode', 'static', '--exclude-nodes', 'lstm,conv_a', '-o', out, '--json');
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { keptFloatWhy: Record<string, string> };
  assert.equal(report.keptFloatWhy.lstm, 'excluded by name');
  assert.equal(report.keptFloatWhy.conv_a, 'excluded by name');
  const ops = inspect(out);
  assert.equal(ops.dqAxes.length >= 1, true);
  assert.equal(Object.values(ops.ops).filter((o) => o === 'LSTM').length, 1);

  // Dynamic mode lists an excluded Conv the same way, without a warning about it.
  const dyn = cli('quantize', model('conv_lstm'), '--mode', 'dynamic', '--exclude-nodes', 'conv_a', '-o', join(dir, 'conv_lstm.dynamic.onnx'), '--json');
  assert.equal(dyn.status, 0, dyn.stderr);
  const d = JSON.parse(dyn.stdout) as { keptFloat: string[]; keptFloatWhy: Record<string, string>; warnings: string[] };
  assert.equal(d.keptFloatWhy.conv_a, 'excluded by name');
  assert.ok(d.keptFloat.includes('conv_a'));
  assert.ok(!d.keptFloat.includes('conv_b'));
  assert.ok(!d.warnings.some((w) => w.includes("'conv_a'")), d.warnings.join('\n'));
});

test('D14: fp16 with kept IO types keeps an initializer that is also a graph input float32; feeding it gives the float model\'s result', async () => {
  const out = join(dir, 'init_as_input.fp16.onnx');
  const r = cli('fp16', model('init_as_input'), '-o', out);
  assert.equal(r.status, 0, r.stderr);
  const f = inspect(out);
  assert.deepEqual(f.inputs, { x: 1, W: 1 });
  assert.equal(f.initializers.W, 1);
  assert.equal(f.initializers.V, 10);
  const feeds = { x: new ort.Tensor('float32', values(16, 6), [1, 16]), W: new ort.Tensor('float32', values(256, 7), [16, 16]) };
  const [a, b] = [await run(model('init_as_input'), feeds), await run(out, feeds)];
  assert.ok(cosine(a.y!, b.y!) > 0.999);
  const only = cli('fp16', model('only_input_init'), '-o', join(dir, 'only.fp16.onnx'));
  assert.equal(only.status, 2);
  assert.match(only.stderr, /also graph inputs.*--no-keep-io-types/);
  // IR 3: the listing says nothing (every initializer had to be an input); the weights convert.
  const ir3 = join(dir, 'init_as_input_ir3.fp16.onnx');
  const r3 = cli('fp16', model('init_as_input_ir3'), '-o', ir3);
  assert.equal(r3.status, 0, r3.stderr);
  const f3 = inspect(ir3);
  assert.deepEqual([f3.initializers.W, f3.initializers.V], [10, 10]);
  const x = { x: new ort.Tensor('float32', values(16, 6), [1, 16]) };
  assert.ok(cosine((await run(model('init_as_input_ir3'), x)).y!, (await run(ir3, x)).y!) > 0.999);
});

test('D20: fp16 --block-ops covering every op says every node is blocked', () => {
  const out = join(dir, 'blocked.fp16.onnx');
  const r = cli('fp16', model('init_as_input'), '--no-keep-io-types', '--block-ops', 'MatMul', '-o', out);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /all 2 node\(s\) are kept float32 by the block lists/);
  assert.equal(existsSync(out), false);
});
