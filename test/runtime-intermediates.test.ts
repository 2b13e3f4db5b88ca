// Intermediate values through the child: exposed as extra outputs in passes of a bounded
// number of names, consumed inside the child (ranges, per-value error against a second model).
// References: the same value as the only output of the model truncated there by python (the
// nodes it does not depend on dropped), or of a branch inlined by python, run by
// onnxruntime-node in this process; the conformance suite's scan outputs; numpy.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { RuntimeClient } from '../src/runtime/client';
import type { ActivationStatsJSON } from '../src/runtime/activation-stats';

interface MinMax {
  min: number;
  max: number;
  count: number;
}
import type { ValueAccuracy } from '../src/runtime/protocol';
import type { Sample } from '../src/runtime/types';
import { CORPUS_DIR, SUITE_DIR } from './helpers/corpus';
import { externalDataMatMul, externalDataModel, numpyFigures, pbTensor, python, RUNTIME_WORKER, tempDir, wave } from './helpers/runtime';

const CLS = join(CORPUS_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const SILERO = join(CORPUS_DIR, 'silero_vad_v5.onnx');
const SETTINGS = { threads: 1, optimization: 'disabled' as const };
let client: RuntimeClient;

before(async () => {
  client = await RuntimeClient.start({ workerScript: RUNTIME_WORKER });
});
after(async () => {
  await client.close();
});

const image = (k: number): Sample => ({ id: `img${k}`, feeds: { x: { dtype: 1, dims: [1, 3, 48, 192], data: wave(3 * 48 * 192, 0.01 + 0.013 * k, k) } } });
const samples = [image(0), image(1)];

/** Every 20th computed value of the classifier (Constant outputs are no activations). */
function clsNames(): string[] {
  const out = python(`import onnx, json; m = onnx.load('${CLS}'); print(json.dumps([n.output[0] for n in m.graph.node if n.op_type != 'Constant']))`);
  return (JSON.parse(out) as string[]).filter((_, i) => i % 20 === 5);
}

/**
 * The model truncated at each name by python onnx, one file per name: only the nodes the value
 * depends on, the value the only output (what onnx.utils.extract_model makes, without its
 * checker and shape inference, which take seconds per name).
 */
function truncated(model: string, names: string[]): string[] {
  const dir = tempDir();
  python(
    `
import sys, json, onnx
m = onnx.load(sys.argv[1]); g = m.graph
producer = {o: n for n in g.node for o in n.output}
for i, name in enumerate(json.loads(sys.argv[2])):
    keep, todo = set(), [name]
    while todo:
        n = producer.get(todo.pop())
        if n is not None and id(n) not in keep:
            keep.add(id(n)); todo.extend(n.input)
    t = onnx.ModelProto(); t.CopyFrom(m)
    del t.graph.node[:]; t.graph.node.extend([n for n in g.node if id(n) in keep])
    del t.graph.output[:]; t.graph.output.append(onnx.ValueInfoProto(name=name))
    onnx.save(t, f'{sys.argv[3]}/t{i}.onnx')
`,
    [model, JSON.stringify(names), dir],
  );
  return names.map((_, i) => join(dir, `t${i}.onnx`));
}

async function ortValue(model: string, sample: Sample, name: string): Promise<Float32Array> {
  return (await ortRun(model, sample))[name]!.data as Float32Array;
}

async function ortRun(model: string, sample: Sample): Promise<Record<string, ort.Tensor>> {
  const s = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  const feeds = Object.fromEntries(Object.entries(sample.feeds).map(([k, t]) => [k, new ort.Tensor(t.dtype === 7 ? 'int64' : 'float32', t.data as Float32Array, t.dims)]));
  const out = await s.run(feeds);
  await s.release();
  return out;
}

/** min, max and count of each value, from the statistics the child collected. */
function rangesOf(json: ActivationStatsJSON): Record<string, MinMax> {
  return Object.fromEntries(Object.entries(json.tensors).map(([name, h]) => [name, { min: h.min, max: h.max, count: h.count }]));
}

/** min/max/count per value collected by the child's collectStats job. */
async function ranges(model: string, names: string[], samples: Sample[], limits: { perPass?: number } = {}): Promise<{ result: Record<string, MinMax>; passes: string[][]; unavailable: { name: string; why: string }[] }> {
  const r = await client.intermediates<ActivationStatsJSON>(model, names, samples, { job: { kind: 'collectStats', options: { histograms: false } }, settings: SETTINGS, ...limits });
  return { ...r, result: rangesOf(r.result) };
}

function minMax(arrays: Float32Array[]): MinMax {
  let min = Infinity;
  let max = -Infinity;
  let count = 0;
  for (const a of arrays) {
    for (const v of a) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    count += a.length;
  }
  return { min, max, count };
}

test('value ranges from passes of 3 names equal the truncated models run by onnxruntime, and equal one pass of all', async () => {
  const names = clsNames();
  assert.ok(names.length >= 10, `${names.length} names`);
  const models = truncated(CLS, names);
  const job = { kind: 'collectStats', options: { histograms: false } } as const;
  const passes = await client.intermediates<ActivationStatsJSON>(CLS, names, samples, { job, perPass: 3, settings: SETTINGS });
  assert.deepEqual(passes.passes.map((p) => p.length), [...Array(Math.floor(names.length / 3)).fill(3), ...(names.length % 3 ? [names.length % 3] : [])]);
  assert.deepEqual(passes.passes.flat(), names);
  assert.deepEqual(passes.unavailable, []);
  for (const [i, name] of names.entries()) {
    const want = minMax([await ortValue(models[i]!, samples[0]!, name), await ortValue(models[i]!, samples[1]!, name)]);
    assert.deepEqual(rangesOf(passes.result)[name], want, name);
  }
  const onePass = await client.intermediates<ActivationStatsJSON>(CLS, names, samples, { job, perPass: 100, settings: SETTINGS });
  assert.equal(onePass.passes.length, 1);
  assert.deepEqual(rangesOf(onePass.result), rangesOf(passes.result));
  // A byte bound: the values' real sizes (onnxruntime's, per sample) stay within it in every pass of several names.
  const bytes = (n: string): number => (rangesOf(passes.result)[n]!.count / samples.length) * 4;
  const limit = 2 * Math.max(...names.map(bytes));
  const bounded = await client.intermediates<ActivationStatsJSON>(CLS, names, samples, { job, maxBytesPerPass: limit, settings: SETTINGS });
  assert.ok(bounded.passes.length > 1);
  for (const p of bounded.passes) assert.ok(p.length === 1 || p.reduce((a, n) => a + bytes(n), 0) <= limit, `${p} over ${limit}`);
  assert.deepEqual(rangesOf(bounded.result), rangesOf(passes.result));
});

test('per-value error against a second model (a perturbed weight, a renamed value) equals numpy on the truncated models', async () => {
  const dir = tempDir();
  const names = clsNames().slice(0, 4);
  const renamed = names[2]!;
  // The candidate: the first Conv's weight ×1.05 and one value renamed (as a transform may rename).
  python(
    `
import sys, onnx, numpy as np
from onnx import numpy_helper
m = onnx.load(sys.argv[1])
conv = next(n for n in m.graph.node if n.op_type == 'Conv')
for n in m.graph.node:
    if n.op_type == 'Constant' and n.output[0] == conv.input[1]:
        w = numpy_helper.to_array(n.attribute[0].t) * np.float32(1.05)
        n.attribute[0].t.CopyFrom(numpy_helper.from_array(w.astype(np.float32), n.attribute[0].t.name))
for n in m.graph.node:
    n.input[:] = [sys.argv[3] + '_renamed' if i == sys.argv[3] else i for i in n.input]
    n.output[:] = [sys.argv[3] + '_renamed' if o == sys.argv[3] else o for o in n.output]
onnx.save(m, sys.argv[2])
`,
    [CLS, join(dir, 'cand.onnx'), renamed],
  );
  const cand = join(dir, 'cand.onnx');
  const r = await client.intermediates<Record<string, ValueAccuracy>>(CLS, names, samples, {
    job: { kind: 'compareWith', candidateModel: cand, candidateNames: { [renamed]: `${renamed}_renamed` } },
    perPass: 2,
    settings: SETTINGS,
  });
  assert.deepEqual(r.unavailable, []);
  const refModels = truncated(CLS, names);
  const candModels = truncated(cand, names.map((n) => (n === renamed ? `${n}_renamed` : n)));
  for (const [i, name] of names.entries()) {
    const figures = [];
    for (const s of samples) figures.push(numpyFigures(await ortValue(refModels[i]!, s, name), await ortValue(candModels[i]!, s, name === renamed ? `${name}_renamed` : name)));
    const got = r.result[name]!;
    const near = (a: number, b: number): void => assert.ok(a === b || Math.abs(a - b) <= 1e-9 * Math.abs(b), `${name}: ${a} vs numpy ${b}`);
    near(got.cosine, Math.min(...figures.map((f) => f.cosine)));
    near(got.snrDb, Math.min(...figures.map((f) => f.snrDb)));
    near(got.maxAbsError, Math.max(...figures.map((f) => f.maxAbsError)));
    near(got.meanCosine, (figures[0]!.cosine + figures[1]!.cosine) / 2);
    assert.ok(got.cosine < 1 && Number.isFinite(got.snrDb), `${name} differs`);
  }
  const self = await client.intermediates<Record<string, ValueAccuracy>>(CLS, names, samples, { job: { kind: 'compareWith', candidateModel: CLS }, settings: SETTINGS });
  for (const n of names) assert.deepEqual([self.result[n]!.cosine, self.result[n]!.snrDb, self.result[n]!.maxAbsError], [1, Infinity, 0]);
});

const speech: Sample = {
  id: 'speech',
  feeds: { input: { dtype: 1, dims: [1, 512], data: wave(512, 0.05) }, state: { dtype: 1, dims: [2, 1, 128], data: wave(256, 0.3) }, sr: { dtype: 7, dims: [], data: BigInt64Array.from([16000n]) } },
};

/** Silero v5 with its If_0 (sr == 16000: the then branch) inlined by python, and `outputs` added as graph outputs. */
function sileroInlined(outputs: string[]): string {
  const path = join(tempDir(), 'v5-inlined.onnx');
  python(
    `
import sys, json, onnx
from onnx import helper
m = onnx.load(sys.argv[1]); g = m.graph
i = next(k for k, n in enumerate(g.node) if n.op_type == 'If')
node = g.node[i]; branch = next(a.g for a in node.attribute if a.name == 'then_branch')
nodes = list(g.node[:i]) + list(branch.node) + [helper.make_node('Identity', [o.name], [io]) for o, io in zip(branch.output, node.output)] + list(g.node[i + 1:])
del g.node[:]; g.node.extend(nodes)
for name in json.loads(sys.argv[3]): g.output.append(onnx.ValueInfoProto(name=name))
onnx.save(m, sys.argv[2])
`,
    [SILERO, path, JSON.stringify(outputs)],
  );
  return path;
}

test('Silero v5: values inside If branches are passed out level by level; the branch not taken gives nothing; equal python-inlined references', async () => {
  const taken = 'If_0_then_branch__Inline_0__/stft/Conv_output_0';
  const notTaken = 'If_0_else_branch__Inline_0__/stft/Conv_output_0';
  const lstm = ['If_0_then_branch__Inline_0__/decoder/rnn/LSTM_output_0', 'If_0_then_branch__Inline_0__/decoder/rnn_1/LSTM_output_0'];
  const names = ['If_0_outputs_0', 'input', taken, notTaken, ...lstm, 'no_such_value'];
  const r = await ranges(SILERO, names, [speech], { perPass: 2 });
  assert.deepEqual(r.passes, [['If_0_outputs_0', taken], [notTaken, lstm[0]!], [lstm[1]!]]);
  assert.deepEqual(r.unavailable, [{ name: 'no_such_value', why: 'no node of the model produces it' }]);
  assert.deepEqual(r.result.input, minMax([speech.feeds.input!.data as Float32Array]));
  assert.equal(r.result[notTaken], undefined, 'the else branch did not run');
  // One LSTM of the nested If ran, and the other did not.
  assert.equal(lstm.filter((n) => r.result[n]).length, 1);
  // References: the then branch inlined by python makes the level-1 values main-graph outputs.
  const out = await ortRun(sileroInlined([taken, 'If_0_outputs_0']), speech);
  assert.deepEqual(r.result[taken], minMax([out[taken]!.data as Float32Array]));
  assert.deepEqual(r.result.If_0_outputs_0, minMax([out.If_0_outputs_0!.data as Float32Array]));
  // The nested LSTM: two levels deep in the original, one level in the inlined model, same values.
  const inlined = await ranges(sileroInlined([]), lstm, [speech]);
  assert.deepEqual(inlined.result, Object.fromEntries(lstm.filter((n) => r.result[n]).map((n) => [n, r.result[n]])));
});

test('Loop and Scan bodies: a body value comes out stacked over the iterations (the suite\'s scan outputs are the reference)', async () => {
  // test_loop11 scans y_out out as res_scan (output 1); test_scan9_sum scans sum_out out as z (output 1).
  for (const [name, value] of [['test_loop11', 'y_out'], ['test_scan9_sum', 'sum_out']] as const) {
    const dir = join(SUITE_DIR, 'node', name);
    const ds = join(dir, 'test_data_set_0');
    const s = await client.open(join(dir, 'model.onnx'));
    const feeds = Object.fromEntries(s.inputNames.map((n, i) => [n, pbTensor(join(ds, `input_${i}.pb`))]));
    await s.release();
    const r = await ranges(join(dir, 'model.onnx'), [value], [{ id: name, feeds }]);
    assert.deepEqual(r.unavailable, [], name);
    assert.deepEqual(r.result[value], minMax([pbTensor(join(ds, 'output_1.pb')).data as Float32Array]), name);
  }
});

test('a model with external data: the variant is built in memory with its weights passed to ORT', async () => {
  const model = externalDataModel(tempDir(), 32, 'w/weights.bin');
  const x = wave(64, 0.21);
  const r = await ranges(model, ['y', 'W'], [{ id: 'a', feeds: { x: { dtype: 1, dims: [2, 32], data: x } } }]);
  assert.deepEqual(r.unavailable, [{ name: 'W', why: 'an initializer, not a computed value' }]);
  const y = externalDataMatMul(x, 32);
  assert.ok(Math.abs(r.result.y!.min - Math.min(...y)) < 1e-5 && Math.abs(r.result.y!.max - Math.max(...y)) < 1e-5, JSON.stringify(r.result.y));
  assert.equal(r.result.y!.count, 64);
});

test('progress is reported once per pass', async () => {
  const names = clsNames().slice(0, 5);
  const seen: number[] = [];
  await client.intermediates(CLS, names, [samples[0]!], { job: { kind: 'collectStats' }, perPass: 2, onProgress: (p) => seen.push(p.done * 10 + p.total) });
  assert.deepEqual(seen, [13, 23, 33]);
});
