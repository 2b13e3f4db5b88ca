// Intermediate values through the child: exposed as extra outputs in passes of a bounded
// number of names, consumed inside the child (ranges, per-value error against a second model).
// References: the same value as the only output of the model truncated there by python
// onnx.utils.extract_model (or made a graph output by python), run by onnxruntime-node in this
// process; error figures by numpy.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { RuntimeClient } from '../src/runtime/client';
import type { MinMax } from '../src/runtime/min-max-stats';
import type { ValueAccuracy } from '../src/runtime/protocol';
import type { Sample } from '../src/runtime/types';
import { CORPUS_DIR } from './helpers/corpus';
import { externalDataMatMul, externalDataModel, numpyFigures, python, RUNTIME_WORKER, tempDir, wave } from './helpers/runtime';

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

/** The model truncated at each name (python onnx.utils.extract_model), one file per name. */
function truncated(model: string, input: string, names: string[]): string[] {
  const dir = tempDir();
  python(
    `
import sys, json, onnx.utils
names = json.loads(sys.argv[3])
for i, n in enumerate(names):
    onnx.utils.extract_model(sys.argv[1], f'{sys.argv[4]}/t{i}.onnx', [sys.argv[2]], [n])
`,
    [model, input, JSON.stringify(names), dir],
  );
  return names.map((_, i) => join(dir, `t${i}.onnx`));
}

async function ortValue(model: string, sample: Sample, name: string): Promise<Float32Array> {
  const s = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  const feeds = Object.fromEntries(Object.entries(sample.feeds).map(([k, t]) => [k, new ort.Tensor(t.dtype === 7 ? 'int64' : 'float32', t.data as Float32Array, t.dims)]));
  const r = (await s.run(feeds))[name]!;
  await s.release();
  return r.data as Float32Array;
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
  const models = truncated(CLS, 'x', names);
  const passes = await client.intermediates<Record<string, MinMax>>(CLS, names, samples, { job: { kind: 'collectStats' }, perPass: 3, settings: SETTINGS });
  assert.deepEqual(passes.passes.map((p) => p.length), [...Array(Math.floor(names.length / 3)).fill(3), ...(names.length % 3 ? [names.length % 3] : [])]);
  assert.deepEqual(passes.passes.flat(), names);
  assert.deepEqual(passes.unavailable, []);
  for (const [i, name] of names.entries()) {
    const want = minMax([await ortValue(models[i]!, samples[0]!, name), await ortValue(models[i]!, samples[1]!, name)]);
    assert.deepEqual(passes.result[name], want, name);
  }
  const onePass = await client.intermediates<Record<string, MinMax>>(CLS, names, samples, { job: { kind: 'collectStats' }, perPass: 100, settings: SETTINGS });
  assert.equal(onePass.passes.length, 1);
  assert.deepEqual(onePass.result, passes.result);
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
  const refModels = truncated(CLS, 'x', names);
  const candModels = truncated(cand, 'x', names.map((n) => (n === renamed ? `${n}_renamed` : n)));
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

test('Silero v5: main-graph values (an If output) are fetched, graph inputs come from the feeds, subgraph values and unknown names say why not', async () => {
  const feeds = { input: { dtype: 1, dims: [1, 512], data: wave(512, 0.05) }, state: { dtype: 1, dims: [2, 1, 128], data: wave(256, 0.3) }, sr: { dtype: 7, dims: [], data: BigInt64Array.from([16000n]) } };
  const sample: Sample = { id: 'speech', feeds };
  const inner = 'If_0_else_branch__Inline_0__stft.forward_basis_buffer';
  const r = await client.intermediates<Record<string, MinMax>>(SILERO, ['If_0_outputs_0', 'input', inner, 'no_such_value'], [sample], { job: { kind: 'collectStats' }, perPass: 2 });
  assert.deepEqual(r.passes, [['If_0_outputs_0']]);
  assert.deepEqual(r.unavailable.map((u) => u.name), [inner, 'no_such_value']);
  assert.match(r.unavailable[0]!.why, /subgraph/);
  assert.deepEqual(r.result.input, minMax([feeds.input.data]));
  // Reference: python makes the If output a graph output; ORT in this process runs it.
  const dir = tempDir();
  python(`import sys, onnx; m = onnx.load(sys.argv[1]); m.graph.output.append(onnx.ValueInfoProto(name='If_0_outputs_0')); onnx.save(m, sys.argv[2])`, [SILERO, join(dir, 'v5.onnx')]);
  const s = await ort.InferenceSession.create(join(dir, 'v5.onnx'), { intraOpNumThreads: 1 });
  const out = await s.run({ input: new ort.Tensor('float32', feeds.input.data, [1, 512]), state: new ort.Tensor('float32', feeds.state.data, [2, 1, 128]), sr: new ort.Tensor('int64', feeds.sr.data, []) });
  await s.release();
  assert.deepEqual(r.result.If_0_outputs_0, minMax([out.If_0_outputs_0!.data as Float32Array]));
});

test('a model with external data: the variant is built in memory with its weights passed to ORT', async () => {
  const model = externalDataModel(tempDir(), 32, 'w/weights.bin');
  const x = wave(64, 0.21);
  const r = await client.intermediates<Record<string, MinMax>>(model, ['y', 'W'], [{ id: 'a', feeds: { x: { dtype: 1, dims: [2, 32], data: x } } }], { job: { kind: 'collectStats' } });
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
