// ORT profiles of every corpus model run in the runtime child (real onnxruntime-node) at every
// optimization level, single- and multi-threaded, mapped back through the optimized model ORT
// saved: ≥ 99 % of kernel time lands on nodes of the original model, every id names a node of
// it, and the profile's total equals the kernel time in ORT's own file counted once (events
// inside If/Loop bodies not added to their parent's), over the measured runs only.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Model } from '../src/onnx/model/graph';
import { openModel } from '../src/onnx/open';
import { importProfile } from '../src/profiles/import';
import type { LayerProfile } from '../src/profiles/layer-profile';
import { ortRunProfile } from '../src/profiles/onnxruntime/run-profile';
import { RuntimeClient } from '../src/runtime/client';
import { modelInputSpecs, openInputFolder } from '../src/runtime/input-files';
import { synthesizeInputs } from '../src/runtime/synthesize';
import type { SessionSettings } from '../src/runtime/types';
import { CLI, CORPUS_DIR, corpusModels, ROOT, SUITE_DIR } from './helpers/corpus';
import { RUNTIME_WORKER } from './helpers/runtime';

const LEVELS = ['disabled', 'basic', 'extended', 'all'] as const;
const THREADS = [1, 2];
const WARMUP = 1;
const RUNS = 2;

let client: RuntimeClient;
before(async () => {
  client = await RuntimeClient.start({ workerScript: RUNTIME_WORKER });
});
after(async () => {
  await client.close();
});

interface Measured {
  profile: LayerProfile;
  /** Kernel µs per measured run from ORT's file: node events not inside another node event. */
  topLevelUs: number[];
  folderGone: boolean;
  /** Duration in µs of every node event of the measured runs, by event name (without `_kernel_time`). */
  nodeUs: Map<string, number[]>;
}

/** Opens a model for `work` and closes it after. */
async function withModel(path: string, work: (model: Model) => Promise<void>): Promise<void> {
  const model = openModel(path);
  try {
    await work(model);
  } finally {
    model.close();
  }
}

async function profileOf(path: string, model: Model, settings: SessionSettings, samples = synthesizeInputs(modelInputSpecs(model), { count: 1 }).samples): Promise<Measured> {
  const run = await client.profile(path, samples, { settings, warmup: WARMUP, runs: RUNS });
  let topLevelUs: number[];
  let nodeUs: Map<string, number[]>;
  let profile: LayerProfile;
  try {
    const text = readFileSync(run.profileFile, 'utf8');
    topLevelUs = kernelTimePerRun(text).slice(WARMUP);
    nodeUs = measuredNodeTimes(text);
    profile = ortRunProfile({ ...run, warmup: WARMUP, settings: {} }, model);
  } finally {
    run.remove();
  }
  return { profile, topLevelUs, nodeUs, folderGone: !existsSync(run.profileFile) && !existsSync(run.optimizedModelFile) };
}

interface TraceEvent {
  cat: string;
  name: string;
  ts: number;
  dur: number;
}

/** The model_run events in time order and the node kernel events. */
function runsAndNodes(text: string): { runs: TraceEvent[]; nodes: TraceEvent[] } {
  const events = JSON.parse(text) as TraceEvent[];
  const runs = events.filter((e) => e.cat === 'Session' && e.name === 'model_run').sort((a, b) => a.ts - b.ts);
  const nodes = events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'));
  return { runs, nodes };
}

function measuredNodeTimes(text: string): Map<string, number[]> {
  const { runs, nodes } = runsAndNodes(text);
  const byName = new Map<string, number[]>();
  for (const r of runs.slice(WARMUP)) {
    for (const e of nodes.filter((n) => n.ts >= r.ts && n.ts <= r.ts + r.dur)) {
      const name = e.name.slice(0, -'_kernel_time'.length);
      byName.set(name, [...(byName.get(name) ?? []), e.dur]);
    }
  }
  return byName;
}

/** Reference: per model_run, the summed duration of node events that no other node event contains (ORT's own figures, no mapping). */
function kernelTimePerRun(text: string): number[] {
  const { runs, nodes } = runsAndNodes(text);
  return runs.map((r) => {
    const inRun = nodes.filter((e) => e.ts >= r.ts && e.ts <= r.ts + r.dur);
    const inside = (e: (typeof inRun)[0]) => inRun.some((p) => p !== e && p.ts <= e.ts && e.ts < p.ts + p.dur && p.dur >= e.dur && (p.ts < e.ts || p.dur > e.dur));
    return inRun.filter((e) => !inside(e)).reduce((s, e) => s + e.dur, 0);
  });
}

for (const path of corpusModels()) {
  for (const level of LEVELS) {
    for (const threads of THREADS) {
      test(`${basename(path)} at level ${level}, ${threads} thread(s): ≥ 99 % of kernel time on the model's nodes, counted once`, async () => {
        const model = openModel(path);
        try {
          const { profile, topLevelUs, folderGone } = await profileOf(path, model, { optimization: level, threads });
          assert.ok(profile.mappedShare >= 0.99, `mapped share ${profile.mappedShare}; unmapped: ${profile.layers.filter((l) => !l.onnxNodes.length).map((l) => l.name).join(', ')}`);
          for (const l of profile.layers) for (const id of l.onnxNodes) assert.ok(model.node(id), `${l.name}: ${id} is no node of the model`);
          // A node's own work is timed once: no original node is computed by two layers (overhead layers only serve it).
          const computed = profile.layers.filter((l) => !l.overhead).flatMap((l) => l.onnxNodes);
          assert.equal(new Set(computed).size, computed.length, 'an original node in two layers');
          assert.equal(profile.inferences, RUNS);
          const referenceMs = topLevelUs.reduce((a, b) => a + b, 0) / 1000 / RUNS;
          // Whole µs in the file: a child may outlast its If by 1 µs, which the If's own time cannot go below 0 for.
          assert.ok(Math.abs(profile.totalTimeMs - referenceMs) <= Math.max(0.005, 0.005 * referenceMs), `total ${profile.totalTimeMs} ms, ORT's file ${referenceMs} ms`);
          assert.ok(folderGone, 'the temp files are removed');
        } finally {
          model.close();
        }
      });
    }
  }
}

test('Silero VAD v5: time inside If branches lands on branch node ids (If_N/then_branch/…), and the If keeps only its own time', async () => {
  const path = corpusModels().find((p) => p.endsWith('silero_vad_v5.onnx'))!;
  await withModel(path, async (model) => {
      const { profile, nodeUs } = await profileOf(path, model, { optimization: 'all', threads: 1 });
      const inBranch = profile.layers.filter((l) => l.onnxNodes.some((id) => /^If_0\/(then|else)_branch\//.test(id)));
      assert.ok(inBranch.length > 10, `${inBranch.length} layers in the branches`);
      const branchMs = inBranch.reduce((s, l) => s + l.avgMs, 0);
      const ifLayer = profile.layers.find((l) => l.onnxNodes.includes('If_0'))!;
      assert.ok(ifLayer, 'the outer If has a layer');
      // ORT's If event spans its branch's events; the If keeps what is left (whole µs, so 1 µs slack a run).
      const ifUs = nodeUs.get('If_0') ?? [];
      assert.equal(ifUs.length, RUNS, 'one If_0 event per measured run');
      const ifEventMs = ifUs.reduce((a, b) => a + b, 0) / 1000 / RUNS;
      assert.ok(ifLayer.avgMs < ifEventMs, `the If keeps ${ifLayer.avgMs} ms of its event's ${ifEventMs} ms`);
      assert.ok(Math.abs(ifLayer.avgMs + branchMs - ifEventMs) <= 0.002, `If ${ifLayer.avgMs} ms + branches ${branchMs} ms ≠ the If event's ${ifEventMs} ms`);
  });
});

test('PP-OCR det at level all: NCHWc convs cover the Conv (and what was fused into it), Reorder nodes are overhead charged to a Conv', async () => {
  const path = corpusModels().find((p) => p.endsWith('ch_PP-OCRv4_det_infer.onnx'))!;
  await withModel(path, async (model) => {
      const { profile } = await profileOf(path, model, { optimization: 'all', threads: 1 });
      const ops = (ids: string[]) => ids.map((id) => model.node(id)!.opType);
      const nchwc = profile.layers.filter((l) => l.name.endsWith('_nchwc') && l.kind === 'Conv');
      assert.ok(nchwc.length > 20);
      for (const l of nchwc) assert.ok(ops(l.onnxNodes).includes('Conv'), `${l.name} covers ${ops(l.onnxNodes)}`);
      assert.ok(nchwc.some((l) => l.onnxNodes.length > 1), 'some NCHWc conv covers a fused BatchNormalization or activation');
      const reorders = profile.layers.filter((l) => l.kind?.startsWith('Reorder'));
      assert.ok(reorders.length > 10);
      for (const l of reorders) {
        assert.equal(l.overhead, true);
        assert.ok(ops(l.onnxNodes).includes('Conv'), `${l.name} is charged to ${ops(l.onnxNodes)}`);
      }
      assert.ok(profile.layers.some((l) => l.activationBytes !== undefined && l.outputBytes !== undefined), 'per-node memory kept');
  });
});

test('a Loop and a Scan of the conformance suite (unnamed nodes): body events land on the body nodes, counted per iteration', async () => {
  for (const name of ['test_loop11', 'test_scan9_sum']) {
    const dir = join(SUITE_DIR, 'node', name);
    const path = join(dir, 'model.onnx');
    const model = openModel(path);
    try {
      // The suite's own inputs: the trip count (5) and the scanned sequence (3 rows) come from its files.
      const samples = [...openInputFolder(dir, modelInputSpecs(model)).samples()];
      for (const level of ['disabled', 'all'] as const) {
        const { profile } = await profileOf(path, model, { optimization: level }, samples);
        assert.equal(profile.mappedShare, 1, `${name} ${level}`);
        const body = profile.layers.filter((l) => l.onnxNodes.some((id) => id.includes('/body/')));
        assert.ok(body.length > 0, `${name} ${level}: body layers`);
        // test_loop11 runs its body 5 times per inference, test_scan9_sum 3 times.
        const iterations = name === 'test_loop11' ? 5 : 3;
        for (const l of body) assert.equal(l.count, iterations * RUNS, `${name} ${level} ${l.name}`);
      }
    } finally {
      model.close();
    }
  }
});

test('a QDQ model (onnx-studio quantize --mode static of PP-OCR cls): ≥ 99 % mapped at every level; at level all each QLinearConv covers its Conv and Q/DQ group', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'profile-ort-qdq-'));
  const qdq = join(dir, 'cls-int8.onnx');
  execFileSync(process.execPath, [CLI, 'quantize', join(CORPUS_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), '--mode', 'static', '-o', qdq], { stdio: 'ignore' });
  await withModel(qdq, async (model) => {
      for (const level of LEVELS) {
        const { profile } = await profileOf(qdq, model, { optimization: level });
        assert.ok(profile.mappedShare >= 0.99, `${level}: ${profile.mappedShare}`);
        if (level !== 'all') continue;
        const qlinear = profile.layers.filter((l) => l.kind === 'QLinearConv');
        assert.ok(qlinear.length > 5, `${qlinear.length} QLinearConv layers`);
        for (const l of qlinear) {
          const ops = l.onnxNodes.map((id) => model.node(id)!.opType).sort();
          assert.ok(ops.includes('Conv') && ops.includes('DequantizeLinear') && ops.includes('QuantizeLinear'), `${l.name}: ${ops}`);
        }
      }
  });
});

test('MobileNetV3 (torchvision): the HardSigmoid and Mul ORT expands HardSwish into (unnamed, numbered by ORT) land on that HardSwish', async () => {
  const path = join(ROOT, '.cache', 'models', 'mobilenet_v3_small.onnx');
  await withModel(path, async (model) => {
      for (const level of ['disabled', 'all'] as const) {
        const { profile } = await profileOf(path, model, { optimization: level });
        assert.ok(profile.mappedShare >= 0.99, `${level}: ${profile.mappedShare}`);
        for (const l of profile.layers.filter((x) => /^(HardSigmoid|Mul)_\d+$/.test(x.name))) {
          assert.deepEqual(l.onnxNodes.map((id) => model.node(id)!.opType), ['HardSwish'], `${level} ${l.name}`);
        }
      }
  });
});

test('profile --import of a run’s own files: with the optimized model (given before or after the trace) the layers equal the run’s; by names alone most time still maps', async () => {
  const path = join(CORPUS_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
  const model = openModel(path);
  const samples = synthesizeInputs(modelInputSpecs(model), { count: 1 }).samples;
  const run = await client.profile(path, samples, { settings: { optimization: 'all' }, warmup: 1, runs: 2 });
  try {
    const made = ortRunProfile({ ...run, warmup: 1, settings: {} }, model);
    const withOptimized = await importProfile([run.profileFile, run.optimizedModelFile], model);
    assert.deepEqual(withOptimized.layers, made.layers);
    // A file dialog's order: the optimized model first.
    const reversed = await importProfile([run.optimizedModelFile, run.profileFile], model);
    assert.deepEqual(reversed.layers, made.layers);
    assert.deepEqual(reversed.source.files, [run.profileFile, run.optimizedModelFile]);
    assert.ok(withOptimized.warnings.some((w) => /first of the profile's 3 runs was warm-up/.test(w)));
    const byNames = await importProfile([run.profileFile], model);
    assert.ok(byNames.mappedShare >= 0.9, `${byNames.mappedShare}`);
    assert.ok(byNames.warnings.some((w) => /by node names only/.test(w)));
    assert.equal(byNames.totalTimeMs, made.totalTimeMs);
  } finally {
    run.remove();
    model.close();
  }
});
