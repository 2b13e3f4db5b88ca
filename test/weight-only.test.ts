import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { writeModel } from '../src/onnx/io/write-model';
import { openModel } from '../src/onnx/open';
import type { DynamicOptions } from '../src/optimize/dynamic/options';
import { quantizeStatic, type StaticResult } from '../src/optimize/static/static-qdq';
import type { StaticOptions } from '../src/optimize/static/presets';
import { CLI, ROOT } from './helpers/corpus';
import { cosine, quantizeFile, removeOutputs } from './helpers/quantize-run';
import { npyFolderSamples, runFeeds } from './helpers/static-calibration';

// Weight-only int8 storage (src/optimize/weight-only/): float constants that reach LSTM/GRU/RNN W or R only through data movement.
const SILERO = join(ROOT, '.cache/corpus/silero_vad_v5.onnx');
const SPEECH = join(ROOT, '.cache/data/speech/silero-v5');
const dir = mkdtempSync(join(tmpdir(), 'weight-only-'));
execFileSync('/usr/bin/python3', [join(ROOT, 'test/helpers/weight_only_models.py'), dir]);
after(removeOutputs);
const RNN_WEIGHTS = ['then', 'else'].flatMap((b) => ['weight_ih', 'weight_hh'].map((w) => `If_0_${b}_branch__Inline_0__decoder.rnn.${w}`));

interface Facts {
  irVersion: number;
  opsets: Record<string, number>;
  graphs: Record<string, { op: string; name: string; inputs: string[]; outputs: string[] }[]>;
  floatConstants: Record<string, number[]>;
  int64Total: number;
  int64Kept: number;
  weights: Record<string, { graph: string; originalGraph: string; dtype: number; dims: number[]; axis: number | null; dqInputs: string[]; dqOutput: string; maxIntDiff: number; scaleEqual: boolean }>;
}

/** python onnx.checker accepts `quantized`; its int8 weights against numpy's quantization of `original`'s constants; `deqOut`: `original` with numpy's dequantized values. */
function inspect(quantized: string, original: string, deqOut?: string): Facts {
  const args = [join(ROOT, 'test/helpers/weight_only_inspect.py'), quantized, original, ...(deqOut ? [deqOut] : [])];
  return JSON.parse(execFileSync('/usr/bin/python3', args, { encoding: 'utf8', maxBuffer: 1 << 28 })) as Facts;
}

const WEIGHT_ONLY_READERS = ['Slice', 'Concat', 'Unsqueeze', 'Reshape', 'Identity', 'Gather', 'LSTM', 'GRU'];

/** The int8 tensors whose DequantizeLinear only data-movement nodes or LSTMs read (a Conv's or MatMul's int8 weight is not among them). */
function weightOnly(f: Facts): Facts['weights'] {
  const nodes = Object.values(f.graphs).flat();
  const readers = (name: string) => nodes.filter((n) => n.inputs.includes(f.weights[name]!.dqOutput));
  return Object.fromEntries(Object.entries(f.weights).filter(([name]) => readers(name).every((n) => WEIGHT_ONLY_READERS.includes(n.op))));
}

/** Exactly `names` are weight-only: numpy's int8 (values and scales), in the graph of the constant each replaces, whose float form is gone. */
function assertWeightOnly(f: Facts, names: readonly string[], axis: number | null): void {
  const found = weightOnly(f);
  assert.deepEqual(Object.keys(found).sort(), [...names].sort());
  for (const [name, w] of Object.entries(found)) {
    assert.equal(w.dtype, 3, name);
    assert.equal(w.axis, axis, name);
    assert.equal(w.maxIntDiff, 0, name);
    assert.ok(w.scaleEqual, name);
    assert.equal(w.graph, w.originalGraph, name);
    assert.equal(f.floatConstants[name], undefined, `${name} is gone`);
  }
}

const steps = (n: number, phase: number): Float32Array => Float32Array.from({ length: n }, (_, i) => Math.sin(0.37 * i + phase));
const feeds = (extra: Record<string, ort.Tensor> = {}, cond?: boolean): Record<string, ort.Tensor> => ({
  X: new ort.Tensor('float32', steps(40, 0.5), [5, 1, 8]),
  ...(cond === undefined ? {} : { cond: new ort.Tensor('bool', Uint8Array.of(cond ? 1 : 0), []) }),
  ...extra,
});

async function assertSameOutputs(a: string, b: string, inputs: Record<string, ort.Tensor>[], tolerance: number): Promise<void> {
  const [x, y] = [await runFeeds(readFileSync(a), inputs), await runFeeds(readFileSync(b), inputs)];
  x.forEach((outs, s) => outs.forEach((o, k) => o.forEach((v, i) => assert.ok(Math.abs(v - y[s]![k]![i]!) <= tolerance, `sample ${s} output ${k}[${i}]: ${v} vs ${y[s]![k]![i]}`))));
}

function dynamicFile(name: string, options: DynamicOptions) {
  return quantizeFile(join(dir, name), options);
}

function staticFile(name: string, options: StaticOptions): { out: string; result: StaticResult } {
  const model = openModel(join(dir, name));
  try {
    const result = quantizeStatic(model, new Map(), options);
    const out = join(dir, `${name}.${options.preset}.onnx`);
    writeModel(result.model, model.files, out, { protect: [join(dir, name)] });
    return { out, result };
  } finally {
    model.close();
  }
}

test('Silero VAD v5: its four LSTM weight constants become int8 (numpy\'s values) behind a DequantizeLinear ahead of the Slice chain, and the model equals the numpy-dequantized one in ORT on real speech', async () => {
  const { out, result } = quantizeFile(SILERO, { opTypes: ['LSTM'], perChannel: true });
  const deq = join(dir, 'silero.deq.onnx');
  const f = inspect(out, SILERO, deq);
  assertWeightOnly(f, RNN_WEIGHTS, 0);
  assert.deepEqual([f.irVersion, f.opsets['']], [8, 16]);
  for (const b of ['then', 'else']) for (const bias of ['bias_ih', 'bias_hh']) assert.deepEqual(f.floatConstants[`If_0_${b}_branch__Inline_0__decoder.rnn.${bias}`], [512], 'B stays float');
  assert.equal(f.int64Kept, f.int64Total);
  assert.equal(result.details.weightOnlyConstants, 4);
  assert.equal(result.details.weightOnlyNodes, 4);
  assert.equal(result.nodesAdded, 12);
  assert.equal(result.nodesChanged, 24);
  const samples = npyFolderSamples(join(SPEECH, 'eval'), 40);
  await assertSameOutputs(out, deq, samples, 1e-5);
  // Against the float model: the LSTM state keeps its direction, the speech probability moves little.
  const [q, float] = [await runFeeds(readFileSync(out), samples), await runFeeds(readFileSync(SILERO), samples)];
  for (let s = 0; s < samples.length; s++) {
    assert.ok(Math.abs(q[s]![0]![0]! - float[s]![0]![0]!) < 0.05, `sample ${s}: probability ${q[s]![0]![0]} vs ${float[s]![0]![0]}`);
    assert.ok(cosine(q[s]![1]!, float[s]![1]!) > 0.999, `sample ${s}: state cosine ${cosine(q[s]![1]!, float[s]![1]!)}`);
  }
});

test('Silero VAD v5 through the CLI: static (tensorrt, cpu) and dynamic files ≤ 0.32× with the LSTM weights int8; tensorrt DQ without zero point, cpu with one; --exclude-ops LSTM keeps them float', () => {
  const run = (...args: string[]): { size: number; facts: Facts } => {
    const out = join(dir, `cli-${args.join('-').replace(/[^a-z0-9]+/gi, '_')}.onnx`);
    const r = spawnSync(process.execPath, [CLI, 'quantize', SILERO, ...args, '-o', out], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return { size: statSync(out).size, facts: inspect(out, SILERO) };
  };
  const calib = ['--calib', join(SPEECH, 'calib')];
  const full = statSync(SILERO).size;
  for (const args of [['--mode', 'static', '--preset', 'tensorrt', ...calib], ['--mode', 'static', '--preset', 'cpu', ...calib], ['--mode', 'dynamic']]) {
    const { size, facts } = run(...args);
    assert.ok(size <= 0.32 * full, `${args.join(' ')}: ${size} of ${full} bytes`);
    assertWeightOnly(facts, RNN_WEIGHTS, 0);
    assert.deepEqual([facts.irVersion, facts.opsets['']], [8, 16]);
    const zeroPoint = Object.values(weightOnly(facts)).map((w) => w.dqInputs.length === 3);
    assert.deepEqual(zeroPoint, Array<boolean>(4).fill(args.includes('cpu')), args.join(' '));
  }
  const excluded = run('--mode', 'static', '--preset', 'tensorrt', ...calib, '--exclude-ops', 'LSTM');
  assert.deepEqual(weightOnly(excluded.facts), {});
  assert.deepEqual(excluded.facts.floatConstants['If_0_then_branch__Inline_0__decoder.rnn.weight_ih'], [512, 128]);
  assert.ok(excluded.size > 0.6 * full);
});

test('Silero VAD v4: the 16 LSTM weights ([1, 256, 64], one scale per gate row) become int8 equal to numpy\'s, outputs equal the numpy-dequantized model; static drops the float STFT basis its branches no longer read (≤ 0.30×)', async () => {
  const legacy = join(ROOT, '.cache/corpus/silero_vad_legacy.onnx');
  const { out } = quantizeFile(legacy, { opTypes: ['LSTM'], perChannel: true });
  const deq = join(dir, 'legacy.deq.onnx');
  const f = inspect(out, legacy, deq);
  const names = Object.keys(weightOnly(f));
  assert.equal(names.length, 16);
  assertWeightOnly(f, names, 1);
  assert.ok(Object.values(weightOnly(f)).every((w) => w.dims.join() === '1,256,64'));
  await assertSameOutputs(out, deq, npyFolderSamples(join(ROOT, '.cache/data/speech/silero-legacy/eval'), 24), 1e-5);
  const staticOut = join(dir, 'legacy-static.onnx');
  const r = spawnSync(process.execPath, [CLI, 'quantize', legacy, '--mode', 'static', '--preset', 'cpu', '--calib', join(ROOT, '.cache/data/speech/silero-legacy/calib'), '-o', staticOut], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const s = inspect(staticOut, legacy);
  assertWeightOnly(s, names, 1);
  assert.equal(s.floatConstants['model.feature_extractor.forward_basis_buffer'], undefined);
  assert.ok(statSync(staticOut).size <= 0.3 * statSync(legacy).size, `${statSync(staticOut).size} bytes`);
});

test('a Constant of the main graph and an initializer, read only inside nested If branches through Slice → Concat → Unsqueeze, Identity → Reshape and Unsqueeze: int8 in the main graph, outputs equal numpy\'s dequantized model on both branches', async () => {
  const { out, result } = dynamicFile('nested.onnx', { opTypes: ['LSTM'], perChannel: true });
  const deq = join(dir, 'nested.deq.onnx');
  const f = inspect(out, join(dir, 'nested.onnx'), deq);
  assertWeightOnly(f, ['Wc', 'Rc'], 0);
  assert.equal(f.weights.Wc!.graph, 'main');
  assert.equal(result.details.weightOnlyNodes, 3);
  assert.deepEqual(f.graphs.main!.map((n) => n.name).filter((n) => ['outer_if', 'head'].includes(n)), ['outer_if', 'head']);
  await assertSameOutputs(out, deq, [feeds({}, true), feeds({}, false)], 1e-6);
  const s = staticFile('nested.onnx', { preset: 'tensorrt' });
  assertWeightOnly(inspect(s.out, join(dir, 'nested.onnx')), ['Wc', 'Rc'], 0);
  assert.equal(s.result.details.weightOnlyConstants, 2);
  assert.equal(s.result.weightOnlyNodes.filter((id) => id.endsWith('lstm_a') || id.endsWith('lstm_b') || id.endsWith('lstm_c')).length, 3);
});

test('a constant one of whose readers is not data movement (an Add) stays float; the other LSTM weight is stored int8', async () => {
  const { out } = dynamicFile('shared_add.onnx', { opTypes: ['LSTM'], perChannel: true });
  const deq = join(dir, 'shared_add.deq.onnx');
  const f = inspect(out, join(dir, 'shared_add.onnx'), deq);
  assertWeightOnly(f, ['Rc'], 0);
  assert.deepEqual(f.floatConstants.Wc, [32, 8]);
  await assertSameOutputs(out, deq, [feeds()], 1e-6);
});

test('a constant that is also a MatMul\'s weight: the MatMul gets its int8 copy first, then the float constant, read by data movement only, is stored int8 too', async () => {
  const { out, result } = dynamicFile('shared_matmul.onnx', { opTypes: ['LSTM', 'MatMul'], perChannel: true });
  assert.equal(result.details.quantizedMatMul, 2);
  const f = inspect(out, join(dir, 'shared_matmul.onnx'));
  assertWeightOnly(f, ['Wc', 'Rc'], 0);
  const z = { Z: new ort.Tensor('float32', steps(32, 2.5), [1, 32]) };
  const [q, float] = [await runFeeds(readFileSync(out), [feeds(z)]), await runFeeds(readFileSync(join(dir, 'shared_matmul.onnx')), [feeds(z)])];
  assert.ok(cosine(q[0]![0]!, float[0]![0]!) > 0.999);
});

test('an excluded LSTM (by name, by id, by op type) keeps every constant it reads in float, whoever else reads it', () => {
  for (const options of [{ excludeNodes: ['lstm_b'] }, { excludeOps: ['LSTM'] }, { opTypes: ['MatMul'] }] as DynamicOptions[]) {
    const { out, result } = dynamicFile('nested.onnx', options);
    assert.equal(result.details.weightOnlyConstants, 0, JSON.stringify(options));
    const f = inspect(out, join(dir, 'nested.onnx'));
    assert.deepEqual([f.floatConstants.Wc, f.floatConstants.Rc], [[32, 8], [32, 8]]);
  }
  const s = staticFile('nested.onnx', { preset: 'cpu', excludeNodes: ['outer_if/then_branch/inner_if/else_branch/lstm_b'] });
  assert.equal(s.result.details.weightOnlyConstants, 0);
});

test('10,000 Identity nodes then Gather (its 256 int64 indices untouched) between the constant and the LSTM: stored int8, no recursion, exact', async () => {
  const { out } = dynamicFile('deep.onnx', { opTypes: ['LSTM'], perChannel: true, skipPreprocess: true });
  const deq = join(dir, 'deep.deq.onnx');
  const f = inspect(out, join(dir, 'deep.onnx'), deq);
  assertWeightOnly(f, ['Wc', 'Rc'], 0);
  assert.equal(f.graphs.main!.filter((n) => n.op === 'Identity').length, 10000);
  assert.equal(f.int64Kept, f.int64Total);
  await assertSameOutputs(out, deq, [feeds()], 1e-6);
  const s = staticFile('deep.onnx', { preset: 'tensorrt' });
  assert.equal(s.result.details.weightOnlyConstants, 2);
});

test('an LSTM whose W is a graph input: W is left alone, R (an initializer) is stored int8', async () => {
  const { out } = dynamicFile('w_input.onnx', { opTypes: ['LSTM'], perChannel: true });
  const deq = join(dir, 'w_input.deq.onnx');
  assertWeightOnly(inspect(out, join(dir, 'w_input.onnx'), deq), ['Rc'], 0);
  const w = new ort.Tensor('float32', steps(256, 1.5), [1, 32, 8]);
  await assertSameOutputs(out, deq, [feeds({ W_in: w })], 1e-6);
});

test('opset 11: one scale per tensor (DequantizeLinear has no axis before 13), the opset stays 11', async () => {
  const { out } = dynamicFile('opset11.onnx', { opTypes: ['LSTM'], perChannel: true });
  const deq = join(dir, 'opset11.deq.onnx');
  const f = inspect(out, join(dir, 'opset11.onnx'), deq);
  assertWeightOnly(f, ['Wc', 'Rc'], null);
  assert.equal(f.opsets[''], 11);
  await assertSameOutputs(out, deq, [feeds()], 1e-6);
});

test('a GRU\'s W and R, through Unsqueeze, are stored int8 as an LSTM\'s are; exact against numpy', async () => {
  const { out, result } = dynamicFile('gru.onnx', { opTypes: ['GRU'], perChannel: true });
  const deq = join(dir, 'gru.deq.onnx');
  assertWeightOnly(inspect(out, join(dir, 'gru.onnx'), deq), ['Wc', 'Rc'], 0);
  assert.equal(result.details.weightOnlyNodes, 1);
  await assertSameOutputs(out, deq, [feeds()], 1e-6);
});
