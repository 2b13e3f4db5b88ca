// Nsight Systems profiles of a TensorRT run mapped onto the ONNX nodes of ResNet-18.
// No real nsys capture of a TensorRT run exists here. The SQLite exports are built after the
// documented export schema (test/profile-nsys-fixture.ts), timed from the real trtexec profile
// of ResNet-18 on an RTX 3060 (../shared/fixtures/trtexec); the stats CSV/JSON files are what the
// real `nsys stats` of Nsight Systems 2022.4.2 printed for such a database
// (test/fixtures/nsys/nsys-2022.4.2/SOURCES.md). Expected times come from the trtexec profile.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Model } from '../src/onnx/model/graph';
import { openModel } from '../src/onnx/open';
import { importProfile } from '../src/profiles/import';
import type { LayerProfile, ProfiledLayer } from '../src/profiles/layer-profile';
import { OUTSIDE_ANY_RANGE } from '../src/profiles/nsys/nsys-run';
import { sqliteEngine } from '../src/profiles/nsys/sqlite-engine';
import { ROOT } from './helpers/corpus';
import { jitter, nsysExport, RESNET18, RTX3060, rtx3060Layers, statsFixtureRun, type FixtureLayer } from './profile-nsys-fixture';

const REAL_STATS = join(ROOT, 'test', 'fixtures', 'nsys', 'nsys-2022.4.2');
const TMP = mkdtempSync(join(tmpdir(), 'nsys-profile-'));
const model: Model = openModel(RESNET18);
after(() => {
  model.close();
  rmSync(TMP, { recursive: true, force: true });
});

async function exportFile(name: string, spec: Parameters<typeof nsysExport>[0]): Promise<string> {
  const path = join(TMP, name);
  writeFileSync(path, await nsysExport(spec));
  return path;
}

/** The node ids (DESIGN.md §2, escaped) of the main-graph nodes with these names. */
const ids = (...names: string[]): string[] => names.map((n) => [...model.graphs()][0]!.nodes.find((x) => x.name === n)!.id);

const layer = (p: LayerProfile, name: string): ProfiledLayer => {
  const found = p.layers.find((l) => l.name === name || l.name === `TensorRT:${name}`);
  assert.ok(found, `layer ${name} in ${p.layers.map((l) => l.name).join(' | ')}`);
  return found;
};

/** The ms per inference of a fixture layer: the jitter sums to zero over each 3 inferences. */
const msPerInference = (l: FixtureLayer): number => l.ns / 1e6;
const MYELIN = ['__myl_MulSumAdd_myl24_1', 'dummy_shape_call__mye548_0_myl24_0'];

/** What every reader must make of statsFixtureRun(): the trtexec layers' times on their nodes. */
function checkRtx3060(p: LayerProfile, tolMs: number): void {
  const run = statsFixtureRun();
  assert.equal(p.source.tool, 'nsys');
  assert.equal(p.inferences, run.inferences);
  for (const l of run.layers.filter((x) => x.ns > 0)) {
    assert.ok(Math.abs(layer(p, l.name).avgMs - msPerInference(l)) <= tolMs, `${l.name}: ${layer(p, l.name).avgMs} vs ${msPerInference(l)}`);
  }
  assert.deepEqual(layer(p, '/conv1/Conv + /relu/Relu').onnxNodes, ids('/conv1/Conv', '/relu/Relu'));
  assert.deepEqual(layer(p, '/layer1/layer1.0/conv2/Conv + /layer1/layer1.0/Add + /layer1/layer1.0/relu_1/Relu').onnxNodes, ids('/layer1/layer1.0/conv2/Conv', '/layer1/layer1.0/Add', '/layer1/layer1.0/relu_1/Relu'));
  const reformat = layer(p, 'Reformatting CopyNode for Input Tensor 0 to /conv1/Conv + /relu/Relu');
  assert.equal(reformat.overhead, true);
  assert.deepEqual(reformat.onnxNodes, ids('/conv1/Conv', '/relu/Relu'), 'a reformat is charged to the layer it feeds');
  for (const name of MYELIN) assert.deepEqual(layer(p, name).onnxNodes, [], `${name}: a Myelin kernel name says nothing of its ONNX nodes without the layer info`);
  // Time per inference: every kernel of the run, the two generated ones outside the layers included.
  const outside = (run.outside ?? []).concat(run.unranged ?? []).reduce((s, k) => s + k.ns, 0) / 1e6;
  const layersMs = run.layers.reduce((s, l) => s + msPerInference(l), 0);
  assert.ok(Math.abs(p.totalTimeMs - (layersMs + outside)) <= tolMs * run.layers.length);
  const unmappedMs = outside + run.layers.filter((l) => MYELIN.includes(l.name)).reduce((s, l) => s + msPerInference(l), 0);
  assert.ok(Math.abs(p.mappedShare - (1 - unmappedMs / (layersMs + outside))) < 1e-3, `mapped share ${p.mappedShare}`);
  assert.ok(p.mappedShare > 0.96);
  const outsideAny = layer(p, OUTSIDE_ANY_RANGE);
  assert.ok(Math.abs(outsideAny.avgMs - 2_500 / 1e6) <= tolMs);
  assert.equal(outsideAny.count, run.inferences, 'one launch of the generated kernel per inference');
  assert.deepEqual(outsideAny.onnxNodes, []);
  const inEnqueue = p.layers.find((l) => /ExecutionContext::enqueueV3 \(outside layer ranges\)$/.test(l.name));
  assert.ok(inEnqueue, 'kernels launched in the inference range but in no layer range are kept, not dropped');
  assert.ok(Math.abs(inEnqueue.avgMs - 1_500 / 1e6) <= tolMs);
  assert.equal(p.layers.filter((l) => INFERENCE_ONLY.test(l.name)).length, 0, 'the inference range is no layer and does not count its layers twice');
  assert.equal(p.layers.filter((l) => /myelinGraphExecute|cublasGemmEx/.test(l.name)).length, 0, 'Myelin\'s and cuBLAS\'s ranges inside the layers take nothing from them');
  assert.ok(p.layers.every((l, i) => i === 0 || p.layers[i - 1]!.avgMs >= l.avgMs), 'slowest first');
  assert.ok(Math.abs(p.layers.reduce((s, l) => s + l.share, 0) - 1) < 1e-9);
}
const INFERENCE_ONLY = /ExecutionContext::enqueueV3$/;

test('the SQLite export: kernels charged to the TensorRT layer range around their launch call, mapped onto ResNet-18', async () => {
  const path = await exportFile('run.sqlite', statsFixtureRun());
  const p = await importProfile([path], model);
  checkRtx3060(p, 1e-9);
  assert.equal(p.source.version, '2024.6.2.225');
  assert.equal(p.source.device, 'NVIDIA GeForce RTX 3060 Laptop GPU');
  assert.deepEqual(p.source.files, [path]);
  const conv1 = layer(p, '/conv1/Conv + /relu/Relu');
  const ns = rtx3060Layers().find((l) => l.name === '/conv1/Conv + /relu/Relu')!.ns;
  assert.equal(conv1.count, 6);
  assert.ok(Math.abs(conv1.medianMs! - ns / 1e6) < 1e-12, 'median of the six per-inference times (jitter -j, 0, +j twice)');
  assert.ok(Math.abs(conv1.totalMs - (6 * ns + [0, 1, 2, 3, 4, 5].reduce((s, i) => s + jitter(ns, i), 0)) / 1e6) < 1e-12);
  assert.match(conv1.tactic!, /^sm80_xmma_fprop_implicit_gemm_indexed_wo_smem/, 'the kernel the layer info names as its tactic');
  // The zero-time Myelin reformat has a range but launches nothing.
  assert.equal(layer(p, 'Reformatting CopyNode for Input Tensor 0 to {ForeignNode[fc.weight...(Unnamed Layer* 58) [ElementWise]]}').avgMs, 0);
  assert.equal(p.warnings.filter((w) => /inference range/.test(w)).length, 0, p.warnings.join('\n'));
  assert.match(String(p.source.settings.measure), /^GPU kernel time per NVTX range \(nsys export SQLite\)$/);
});

/** The real outputs of two nsys versions (the report names changed in 2023). */
const VERSIONS = [
  { dir: join(ROOT, 'test', 'fixtures', 'nsys', 'nsys-2022.4.2'), kern: 'gpukernsum', nvtx: 'nvtxsum', nvtxKern: 'nvtxkernsum' },
  { dir: join(ROOT, 'test', 'fixtures', 'nsys', 'nsys-2023.4.4'), kern: 'cuda_gpu_kern_sum', nvtx: 'nvtx_sum', nvtxKern: 'nvtx_kern_sum' },
];

for (const v of VERSIONS) {
  const version = v.dir.slice(v.dir.lastIndexOf('-') + 1);
  test(`real nsys ${version} stats output, CSV and JSON: nvtx_kern_sum gives the layers of the export it was made from`, async () => {
    const reports = (ext: string): string[] => [v.kern, v.nvtx, v.nvtxKern].map((r) => join(v.dir, `run_${r}.${ext}`));
    const csv = await importProfile(reports('csv'), model);
    checkRtx3060(csv, 1e-9);
    assert.equal(csv.layers.find((l) => l.name.endsWith('/conv1/Conv + /relu/Relu'))!.name, 'TensorRT:/conv1/Conv + /relu/Relu', 'the name as the report writes it');
    assert.match(String(csv.source.settings.measure), /nvtx_kern_sum/);
    checkRtx3060(await importProfile(reports('json'), model), 1e-9);
    checkRtx3060(await importProfile([join(v.dir, `run_${v.nvtxKern}.csv`)], model), 1e-9);
    // The console form: reports one after the other, each after nsys's "Processing [...]" line.
    checkRtx3060(await importProfile([join(v.dir, 'run-stdout.csv.txt')], model), 1e-9);
  });
}

test('real nsys 2022.4.2 output with --timeunit msec: four decimals of ms, read to that precision', async () => {
  checkRtx3060(await importProfile([join(REAL_STATS, 'run-ms_nvtxkernsum.csv')], model), 0.5e-4 / 6 + 1e-12);
});

test('real nsys 2023.4.4 nvtx_gpu_proj_sum alone: the layer ranges\' GPU projection, the inference range left out', async () => {
  const dir = VERSIONS[1]!.dir;
  for (const ext of ['csv', 'json']) {
    const p = await importProfile([join(dir, `run_nvtx_gpu_proj_sum.${ext}`)], model);
    assert.equal(p.inferences, 6);
    assert.ok(p.warnings.some((w) => /GPU projections/.test(w)), p.warnings.join('\n'));
    const run = statsFixtureRun();
    // One kernel per layer: its projection is its kernel time.
    for (const l of run.layers.filter((x) => x.ns > 0)) assert.ok(Math.abs(layer(p, l.name).avgMs - l.ns / 1e6) < 1e-9, l.name);
    assert.equal(p.layers.filter((l) => /ExecutionContext/.test(l.name)).length, 0);
    const all = run.layers.reduce((s, l) => s + l.ns, 0);
    const myelin = run.layers.filter((l) => MYELIN.includes(l.name)).reduce((s, l) => s + l.ns, 0);
    assert.ok(Math.abs(p.mappedShare - (1 - myelin / all)) < 1e-9);
  }
});

test('the same reports quoted field by field (the CSV style of later nsys versions) read the same', async () => {
  const quoted = readFileSync(join(REAL_STATS, 'run_nvtxkernsum.csv'), 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => splitPlainCsv(line).map((f) => `"${f.replace(/"/g, '""')}"`).join(','))
    .join('\r\n');
  const path = join(TMP, 'quoted_nvtx_kern_sum.csv');
  writeFileSync(path, quoted + '\r\n');
  checkRtx3060(await importProfile([path], model), 1e-9);
});

/** nsys 2022.4 writes no quotes; its names here have no commas, so a plain split is exact. */
function splitPlainCsv(line: string): string[] {
  return line.split(',');
}

test('nvtx_sum alone: the layers are mapped, with a warning that its times are CPU-side range durations', async () => {
  const p = await importProfile([join(REAL_STATS, 'run_nvtxsum.csv')], model);
  assert.equal(p.inferences, 6, 'counted from the inference range');
  assert.ok(p.warnings.some((w) => /not GPU time/.test(w)), p.warnings.join('\n'));
  assert.match(String(p.source.settings.measure), /^CPU time of NVTX ranges/);
  assert.deepEqual(layer(p, '/conv1/Conv + /relu/Relu').onnxNodes, ids('/conv1/Conv', '/relu/Relu'));
  assert.equal(p.layers.filter((l) => INFERENCE_ONLY.test(l.name)).length, 0);
  // The real report: every layer range was open 5.2 µs on the CPU (the fixture's launch pacing).
  assert.ok(Math.abs(layer(p, '/conv1/Conv + /relu/Relu').avgMs - 5200 / 1e6) < 1e-12);
});

test('a kernel summary without NVTX (2022.4.2 and 2023.4.4): kernels kept as unmapped time, with the reason; the empty report nsys skipped is named', async () => {
  for (const v of VERSIONS) {
    const files = [`nonvtx_${v.kern}.csv`, `nonvtx_${v.nvtx}.csv`].map((f) => join(v.dir, f));
    await kernelsOnly(files, `nonvtx_${v.nvtx}.csv is empty`);
  }
});

async function kernelsOnly(files: string[], emptyNamed: string): Promise<void> {
  const p = await importProfile(files, model);
  assert.equal(p.mappedShare, 0);
  assert.ok(p.layers.length > 0 && p.layers.every((l) => l.onnxNodes.length === 0));
  assert.ok(p.warnings.some((w) => /not which TensorRT layer launched them/.test(w) && /nvtx_kern_sum/.test(w)), p.warnings.join('\n'));
  assert.ok(p.warnings.some((w) => w.includes(emptyNamed)), p.warnings.join('\n'));
  const run = statsFixtureRun();
  const allKernelsMs = (run.inferences * (run.layers.reduce((s, l) => s + l.ns, 0) + 1_500 + 2_500)) / 1e6;
  assert.ok(Math.abs(p.totalTimeMs - allKernelsMs) < 1e-9, 'times are totals over the capture');
}

test('an export without NVTX ranges: a clear message, the kernels kept unmapped', async () => {
  const path = await exportFile('nonvtx.sqlite', { ...statsFixtureRun(), noNvtx: true });
  const p = await importProfile([path], model);
  assert.equal(p.mappedShare, 0);
  assert.ok(p.warnings.some((w) => /no NVTX ranges/.test(w) && /-t cuda,nvtx/.test(w)), p.warnings.join('\n'));
});

test('an export of a CUDA-graph run: kernels outside the layer ranges, said so', async () => {
  const path = await exportFile('graph.sqlite', { ...statsFixtureRun(), cudaGraph: true });
  const p = await importProfile([path], model);
  assert.ok(p.warnings.some((w) => /CUDA graphs/.test(w) && /--useCudaGraph/.test(w)), p.warnings.join('\n'));
  assert.ok(p.mappedShare < 0.01);
});

test('ranges in the default NVTX domain and no inference range: the inference count is the one the layers share', async () => {
  const layers = rtx3060Layers().slice(0, 5);
  const path = await exportFile('plain.sqlite', { inferences: 3, layers, inferenceRange: null });
  const p = await importProfile([path], model);
  assert.equal(p.inferences, 3);
  assert.ok(p.warnings.some((w) => /3 inference\(s\) assumed/.test(w)), p.warnings.join('\n'));
  assert.equal(p.mappedShare, 1);
  for (const l of layers) assert.ok(Math.abs(layer(p, l.name).avgMs - l.ns / 1e6) < 1e-12);
});

test('two threads each running the engine (the same nvtx_kern_sum rows under a second TID): both threads\' inferences count', async () => {
  const lines = readFileSync(join(REAL_STATS, 'run_nvtxkernsum.csv'), 'utf8').trimEnd().split('\n');
  const second = lines.slice(1).map((l) => l.replace(/^([^,]*,[^,]*,4242),4243,/, '$1,4244,'));
  assert.ok(second.every((l, i) => l !== lines[i + 1]));
  const path = join(TMP, 'two-threads_nvtxkernsum.csv');
  writeFileSync(path, [...lines, ...second].join('\n') + '\n');
  const p = await importProfile([path], model);
  assert.equal(p.inferences, 12);
  const conv1 = rtx3060Layers().find((l) => l.name === '/conv1/Conv + /relu/Relu')!;
  assert.ok(Math.abs(layer(p, conv1.name).avgMs - conv1.ns / 1e6) < 1e-12, 'the mean per inference is unchanged');
  assert.equal(layer(p, conv1.name).count, 12);
});

test('with the engine\'s --exportLayerInfo beside the export or the stats: Myelin layers mapped through Metadata, the clean run wholly on nodes', async () => {
  const graphJson = join(RTX3060, 'resnet18_fp16.graph.json');
  const info = JSON.parse(readFileSync(graphJson, 'utf8')) as { Layers: { Name: string; LayerType: string; TacticName?: string }[] };
  const path = await exportFile('clean.sqlite', { inferences: 6, layers: rtx3060Layers(), domain: 'TensorRT' });
  const sqlite = await importProfile([graphJson, path], model);
  const stats = await importProfile([join(VERSIONS[1]!.dir, 'run_nvtx_kern_sum.csv'), graphJson], model);
  for (const p of [sqlite, stats]) {
    assert.deepEqual(layer(p, '__myl_MulSumAdd_myl24_1').onnxNodes, ids('/fc/Gemm'), 'the Myelin kernel\'s [ONNX Layer: /fc/Gemm]');
    assert.deepEqual(layer(p, 'dummy_shape_call__mye548_0_myl24_0').onnxNodes, ids('/fc/Gemm'), 'a shape call charged to its region');
    const conv1 = layer(p, '/conv1/Conv + /relu/Relu');
    const conv1Info = info.Layers.find((l) => l.Name === '/conv1/Conv + /relu/Relu')!;
    assert.equal(conv1.kind, conv1Info.LayerType);
    assert.equal(conv1.tactic, conv1Info.TacticName);
    assert.ok(conv1.precision, 'the layer info\'s precision');
  }
  assert.equal(sqlite.mappedShare, 1, 'every kernel of the clean run lands on a node');
  assert.deepEqual(sqlite.source.files, [graphJson, path]);
  // The stats file's run has the two generated kernels outside the layers: only they stay unmapped.
  const run = statsFixtureRun();
  const all = run.layers.reduce((s, l) => s + l.ns, 0) + 1_500 + 2_500;
  assert.ok(Math.abs(stats.mappedShare - (1 - 4_000 / all)) < 1e-9);
});

test('most kernel time outside every layer range (an engine build captured too): said so', async () => {
  const path = await exportFile('build.sqlite', { inferences: 3, layers: rtx3060Layers(), unranged: [{ kernel: 'generatedTacticTimingKernel', ns: 2_000_000 }] });
  const p = await importProfile([path], model);
  assert.ok(p.warnings.some((w) => /outside every TensorRT layer range/.test(w) && /--loadEngine/.test(w)), p.warnings.join('\n'));
  assert.ok(p.mappedShare < 0.5);
});

test('an export without the kernel table\'s globalPid column (older schemas) still ties kernels to their calls', async () => {
  const SQL = await sqliteEngine();
  const db = new SQL.Database(await nsysExport(statsFixtureRun()));
  db.run('ALTER TABLE CUPTI_ACTIVITY_KIND_KERNEL DROP COLUMN globalPid');
  const path = join(TMP, 'nopid.sqlite');
  writeFileSync(path, db.export());
  db.close();
  checkRtx3060(await importProfile([path], model), 1e-9);
});
