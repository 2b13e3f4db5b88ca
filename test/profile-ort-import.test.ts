// `profile --import` of ONNX Runtime profiling JSON (importProfile → the ORT reader): the shared
// fixtures (real onnxruntime-node 1.30 output for tiny_cnn at levels disabled and all), with
// expected figures computed here straight from the JSON; and bad input: truncated, foreign,
// another model's, zero-time, FIFO, symlink and oversized files.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataFileError } from '../src/onnx/errors';
import { openModel } from '../src/onnx/open';
import { ProfileFormatError } from '../src/profiles/errors';
import { importProfile } from '../src/profiles/import';
import { MAX_ORT_PROFILE_BYTES } from '../src/profiles/onnxruntime/read-trace';
import { CORPUS_DIR, ROOT } from './helpers/corpus';

const FIXTURES = join(process.env.ONNX_STUDIO_SHARED ?? join(ROOT, '..', 'shared'), 'fixtures', 'onnxruntime');
const TINY = join(FIXTURES, 'tiny_cnn.onnx');
const DISABLED = join(FIXTURES, 'ort_profile_tiny_cnn_opt-disabled.json');
const ALL = join(FIXTURES, 'ort_profile_tiny_cnn_opt-all.json');
const tmp = (): string => mkdtempSync(join(tmpdir(), 'profile-ort-import-'));

interface RawEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
  args?: Record<string, unknown>;
}

/** Reference figures from the JSON alone: per node name, µs summed over runs 2…N (the first is taken as warm-up). */
function reference(file: string): { runs: number; perNodeUs: Map<string, number> } {
  const events = JSON.parse(readFileSync(file, 'utf8')) as RawEvent[];
  const runs = events.filter((e) => e.name === 'model_run').sort((a, b) => a.ts - b.ts);
  const first = runs[0]!;
  const perNodeUs = new Map<string, number>();
  for (const e of events) {
    if (e.cat !== 'Node' || e.ts <= first.ts + first.dur) continue;
    const name = e.name.replace(/_kernel_time$/, '');
    perNodeUs.set(name, (perNodeUs.get(name) ?? 0) + e.dur);
  }
  return { runs: runs.length, perNodeUs };
}

test('fixture at level disabled: every kernel is a node of tiny_cnn; times are the mean over runs 2–5', async () => {
  const model = openModel(TINY);
  const p = await importProfile([DISABLED], model);
  const ref = reference(DISABLED);
  assert.equal(ref.runs, 5);
  assert.equal(p.inferences, 4);
  assert.equal(p.mappedShare, 1);
  assert.equal(p.layers.length, 6);
  for (const l of p.layers) {
    assert.deepEqual(l.onnxNodes, [model.graph.nodes.find((n) => n.name === l.name)!.id]);
    assert.ok(Math.abs(l.avgMs - ref.perNodeUs.get(l.name)! / 4 / 1000) < 1e-12, l.name);
    assert.equal(l.count, 4);
  }
  const total = [...ref.perNodeUs.values()].reduce((a, b) => a + b, 0) / 4 / 1000;
  assert.ok(Math.abs(p.totalTimeMs - total) < 1e-12);
  assert.ok(Math.abs(p.layers.reduce((s, l) => s + l.share, 0) - 1) < 1e-12);
  assert.ok(p.warnings.some((w) => /first of the profile's 5 runs was warm-up/.test(w)));
  assert.ok(p.warnings.some((w) => /by node names only/.test(w)));
  assert.equal(p.source.tool, 'onnxruntime');
  assert.deepEqual(p.source.files, [DISABLED]);
  model.close();
});

test('fixture at level all: NCHWc names land on the node of the value they carry, ReorderOutput is overhead on the MaxPool it converts, memory kept', async () => {
  const model = openModel(TINY);
  const p = await importProfile([ALL], model);
  const id = (name: string) => model.graph.nodes.find((n) => n.name === name)!.id;
  const layer = (name: string) => p.layers.find((l) => l.name === name)!;
  assert.equal(p.mappedShare, 1);
  assert.deepEqual(layer('/relu1/Relu_output_0_nchwc').onnxNodes, [id('/relu1/Relu')]);
  assert.deepEqual(layer('/pool1/MaxPool_output_0_nchwc').onnxNodes, [id('/pool1/MaxPool')]);
  const reorder = layer('ReorderOutput');
  assert.equal(reorder.overhead, true);
  assert.deepEqual(reorder.onnxNodes, [id('/pool1/MaxPool')]);
  // args of the Conv event: activation_size 6272, output_size 50176 (the JSON).
  assert.equal(layer('/relu1/Relu_output_0_nchwc').activationBytes, 6272);
  assert.equal(layer('/relu1/Relu_output_0_nchwc').outputBytes, 50176);
  const ref = reference(ALL);
  assert.ok(Math.abs(reorder.avgMs - ref.perNodeUs.get('ReorderOutput')! / 4 / 1000) < 1e-12);
  model.close();
});

test('the original model given where ORT\'s optimized one belongs: mapped by names, and the warning says why', async () => {
  const model = openModel(TINY);
  const p = await importProfile([TINY, ALL], model);
  assert.equal(p.mappedShare, 1);
  assert.match(p.warnings[0]!, /tiny_cnn\.onnx does not look like the optimized model ORT saved for this trace \([\d.]+ % of the time maps through it, 100\.0 % by node names\): mapped by names/);
  model.close();
});

test("a profile of another model: under half the time maps, the few that match are the ones sharing names", async () => {
  const model = openModel(join(CORPUS_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'));
  const p = await importProfile([ALL], model);
  assert.equal(p.mappedShare, 0);
  assert.ok(p.warnings.some((w) => /name no node of the model/.test(w)));
  model.close();
});

test('truncated, foreign, event-less and zero-time JSON: ProfileFormatError naming the file', async () => {
  const model = openModel(TINY);
  const dir = tmp();
  const text = readFileSync(ALL, 'utf8');
  const cases: [string, string, RegExp][] = [
    ['truncated.json', text.slice(0, text.length / 2), /not valid JSON.*truncated/],
    ['no-nodes.json', JSON.stringify((JSON.parse(text) as RawEvent[]).filter((e) => e.cat !== 'Node')), /without node events/],
    ['zero.json', JSON.stringify((JSON.parse(text) as RawEvent[]).map((e) => (e.cat === 'Node' ? { ...e, dur: 0 } : e))), /0 µs/],
    ['array.json', '[1, 2, 3, {"cat": "Node"}]', /without node events/],
  ];
  for (const [name, content, message] of cases) {
    const f = join(dir, name);
    writeFileSync(f, content);
    await assert.rejects(importProfile([f], model), (e: Error) => e instanceof ProfileFormatError && message.test(e.message) && e.message.includes(f), name);
  }
  const foreign: [string, string][] = [
    ['other.json', '{"traceEvents": []}'],
    ['trex.json', '[{"Name": "conv1", "LayerType": "Convolution"}]'],
    ['binary.json', '\u0000\u0001\u0002'],
  ];
  for (const [name, content] of foreign) {
    const f = join(dir, name);
    writeFileSync(f, content);
    await assert.rejects(importProfile([f], model), (e: Error) => e instanceof ProfileFormatError && /not a profile ONNX Studio reads/.test(e.message), name);
  }
  model.close();
});

test('a FIFO is refused without blocking, a symlink to a profile is read, an oversized file is refused before it is read', async () => {
  const model = openModel(TINY);
  const dir = tmp();
  const fifo = join(dir, 'fifo.json');
  execFileSync('mkfifo', [fifo]);
  await assert.rejects(importProfile([fifo], model), (e: Error) => e instanceof DataFileError && /pipe|FIFO|regular/i.test(e.message));
  const link = join(dir, 'link.json');
  symlinkSync(ALL, link);
  assert.equal((await importProfile([link], model)).mappedShare, 1);
  const huge = join(dir, 'huge.json');
  writeFileSync(huge, '[{"cat" : "Session","name" : "model_run"},');
  truncateSync(huge, MAX_ORT_PROFILE_BYTES + 1);
  await assert.rejects(importProfile([huge], model), (e: Error) => e instanceof ProfileFormatError && /more than the 256 MiB/.test(e.message));
  model.close();
});
