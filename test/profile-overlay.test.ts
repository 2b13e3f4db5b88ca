// The profile overlay and the comparison (issue 10, point 3), built from profile JSON documents
// written by hand from the real ONNX Runtime fixtures of tiny_cnn (../shared/fixtures/onnxruntime):
// the times are the fixtures' mean `_kernel_time` durations (Python over the JSON), the mapping
// is the one the fixtures' SOURCES.md states (the NCHWc Conv computes Conv+Relu, ReorderOutput
// serves MaxPool). Expected figures are worked out here from those numbers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { compareOverlay, nodeChanges, nodeTimes } from '../src/extension/profile-compare';
import { importProfileArgv, ortProfileArgv, withCompanions } from '../src/extension/profile-args';
import { parseProfileJson, profileLabel, profileOverlay, timeByOpType } from '../src/extension/profile-overlay';
import { openModel } from '../src/onnx/open';
import type { ProfileJson } from '../src/profiles/layer-profile';
import { scaleDomain } from '../webview/overlay-colours';
import { Overlays, valueRange } from '../webview/overlays';
import { formatCell, sortRows } from '../webview/overlay-table';
import { CLI, ROOT } from './helpers/corpus';

const SHARED = process.env.ONNX_STUDIO_SHARED ?? join(ROOT, '..', 'shared');
const sharedPath = (...parts: string[]): string => join(SHARED, ...parts);
const FIXTURES = sharedPath('fixtures', 'onnxruntime');
const model = openModel(join(FIXTURES, 'tiny_cnn.onnx'));
const id = (name: string): string => model.graph.nodes.find((n) => n.name === name)!.id;
const ops = new Map(model.graph.nodes.map((n) => [n.id, { op: n.opType, name: n.name }]));

type Layer = ProfileJson['layers'][number];
function profile(optLevel: string, layers: Omit<Layer, 'share' | 'count'>[]): ProfileJson {
  const total = layers.reduce((s, l) => s + l.timeMs, 0);
  const mapped = layers.filter((l) => l.onnxNodes.length).reduce((s, l) => s + l.timeMs, 0);
  return {
    source: { tool: 'onnxruntime', version: '1.30.0', files: [], device: 'CPU', settings: { optimization: optLevel, threads: 2 } },
    inferences: 5,
    layers: layers.map((l) => ({ ...l, share: l.timeMs / total, count: 5 })),
    totalTimeMs: total,
    mappedShare: mapped / total,
    warnings: [],
  };
}

// ort_profile_tiny_cnn_opt-all.json: mean kernel times in ms.
const ALL = profile('all', [
  { name: '/relu1/Relu_output_0_nchwc', kind: 'Conv', timeMs: 0.0896, onnxNodes: [id('/conv1/Conv'), id('/relu1/Relu')] },
  { name: '/fc/Gemm', kind: 'Gemm', timeMs: 0.032, onnxNodes: [id('/fc/Gemm')] },
  { name: '/pool1/MaxPool_output_0_nchwc', kind: 'MaxPool', timeMs: 0.0178, onnxNodes: [id('/pool1/MaxPool')] },
  { name: '/softmax/Softmax', kind: 'Softmax', timeMs: 0.0142, onnxNodes: [id('/softmax/Softmax')] },
  { name: 'ReorderOutput', kind: 'ReorderOutput', timeMs: 0.0126, onnxNodes: [id('/pool1/MaxPool')], overhead: true },
  { name: '/flatten/Flatten', kind: 'Flatten', timeMs: 0.011, onnxNodes: [id('/flatten/Flatten')] },
]);
// ort_profile_tiny_cnn_opt-disabled.json: one kernel per node.
const DISABLED = profile('disabled', [
  { name: '/conv1/Conv', kind: 'Conv', timeMs: 0.1056, onnxNodes: [id('/conv1/Conv')] },
  { name: '/relu1/Relu', kind: 'Relu', timeMs: 0.0226, onnxNodes: [id('/relu1/Relu')] },
  { name: '/fc/Gemm', kind: 'Gemm', timeMs: 0.0222, onnxNodes: [id('/fc/Gemm')] },
  { name: '/pool1/MaxPool', kind: 'MaxPool', timeMs: 0.0196, onnxNodes: [id('/pool1/MaxPool')] },
  { name: '/softmax/Softmax', kind: 'Softmax', timeMs: 0.0172, onnxNodes: [id('/softmax/Softmax')] },
  { name: '/flatten/Flatten', kind: 'Flatten', timeMs: 0.0128, onnxNodes: [id('/flatten/Flatten')] },
]);
const close = (a: number | undefined, b: number, what: string): void => assert.ok(a !== undefined && Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);

test('a fused layer paints its time on each of its nodes, in one group; overhead adds to the node it serves', () => {
  const o = profileOverlay(ALL, ops);
  assert.equal(o.title, 'Profile: ONNX Runtime 1.30.0, CPU, opt all, 2 thread(s)');
  assert.equal(profileLabel({ ...ALL, source: { ...ALL.source, settings: { optimization: 'all', threads: 0 } } }), 'ONNX Runtime 1.30.0, CPU, opt all, threads: ONNX Runtime’s choice');
  assert.equal(o.kind, 'metric');
  assert.equal(o.higherIsBetter, false);
  const conv = o.nodes[id('/conv1/Conv')]!;
  const relu = o.nodes[id('/relu1/Relu')]!;
  close(conv.value, 0.0896, 'Conv');
  close(relu.value, 0.0896, 'Relu');
  assert.equal(conv.group, '/relu1/Relu_output_0_nchwc');
  assert.equal(relu.group, conv.group);
  const pool = o.nodes[id('/pool1/MaxPool')]!;
  close(pool.value, 0.0178 + 0.0126, 'MaxPool with its ReorderOutput');
  assert.equal(pool.group, '/pool1/MaxPool_output_0_nchwc', 'grouped by its own layer, not the overhead');
  assert.match(pool.detail!, /overhead ReorderOutput/);
  assert.equal(Object.keys(o.nodes).length, model.graph.nodes.length);
});

test('the per-layer table: one row per layer with op types, time, share and nodes; overhead rows marked', () => {
  const t = profileOverlay(ALL, ops).table!;
  assert.deepEqual(t.columns.map((c) => c.title), ['Op types', 'Time (ms)', 'Share', 'ONNX nodes']);
  assert.equal(t.rows.length, 6);
  const fused = t.rows.find((r) => r.name === '/relu1/Relu_output_0_nchwc')!;
  assert.deepEqual(fused.cells.slice(0, 3), ['Conv+Relu', 0.0896, 0.0896 / ALL.totalTimeMs]);
  assert.equal(fused.cells[3], '/conv1/Conv +1', 'nodes by name (ids escape /)');
  assert.deepEqual(t.rows.filter((r) => r.overhead).map((r) => r.name), ['ReorderOutput']);
  // Sorted by time, slowest first, as the view opens it.
  assert.equal(t.sortBy, 1);
  assert.deepEqual(sortRows(t.rows, { column: 1, descending: true }).map((r) => r.cells[1]), [0.0896, 0.032, 0.0178, 0.0142, 0.0126, 0.011]);
});

test('time by op type adds up to the total; overhead is a bar of its own', () => {
  const bars = timeByOpType(ALL, ops);
  close(bars.reduce((s, b) => s + b.value, 0), ALL.totalTimeMs, 'sum of bars');
  assert.deepEqual(bars[0], { label: 'Conv+Relu', value: 0.0896 });
  assert.deepEqual(bars.at(-1), { label: 'overhead', value: 0.0126, muted: true });
  const warned = profileOverlay({ ...ALL, warnings: Array.from({ length: 7 }, (_, i) => `w${i}`) }, ops).summary!.filter((f) => f.label === 'warning');
  assert.deepEqual(warned.map((f) => f.text), ['w0', 'w1', 'w2', 'w3', 'w4', '2 more in the output channel'], 'warnings past five counted, not dropped');
  // ORT lists a fused NCHWc Conv's activation first: the op types still read in model order, one bar.
  const reversed = profile('all', [{ ...ALL.layers[0]!, onnxNodes: [...ALL.layers[0]!.onnxNodes].reverse() }, ALL.layers[0]!]);
  assert.deepEqual(timeByOpType(reversed, ops), [{ label: 'Conv+Relu', value: 2 * 0.0896 }]);
  // Past 12 op types the rest is one bar, named in plain English.
  const many = (n: number): ProfileJson => profile('all', Array.from({ length: n }, (_, i) => ({ name: `l${i}`, kind: `Op${i}`, timeMs: n - i, onnxNodes: [] as string[] })).map((l) => ({ ...l, onnxNodes: [`n${l.name}`] })));
  const opsOf = (n: number): Map<string, { op: string; name: string }> => new Map(Array.from({ length: n }, (_, i) => [`nl${i}`, { op: `Op${i}`, name: `l${i}` }]));
  assert.deepEqual(timeByOpType(many(13), opsOf(13)).at(-1), { label: '1 other op type', value: 1 });
  assert.deepEqual(timeByOpType(many(14), opsOf(14)).at(-1), { label: '2 other op types', value: 3 });
});

test('unmapped time is a row, a bar and a figure of its own, never dropped', () => {
  // As if the Softmax kernel named no node of the model.
  const p = profile('all', ALL.layers.map((l) => (l.name === '/softmax/Softmax' ? { ...l, onnxNodes: [] } : l)));
  const o = profileOverlay(p, ops);
  assert.equal(o.nodes[id('/softmax/Softmax')], undefined);
  const row = o.table!.rows.find((r) => r.name === '/softmax/Softmax')!;
  assert.deepEqual(row.nodes, []);
  assert.equal(row.cells[3], 'unmapped');
  assert.deepEqual(o.chart!.bars.find((b) => b.label === 'unmapped'), { label: 'unmapped', value: 0.0142, muted: true });
  close(o.summary!.find((f) => f.label === 'unmapped')!.value, 0.0142, 'unmapped figure');
  close(o.summary!.find((f) => f.label === 'mapped share')!.value, p.mappedShare, 'mapped share figure');
  close(p.mappedShare, 1 - 0.0142 / p.totalTimeMs, 'mapped share');
});

test('comparing two profiles: a layer split evenly over its nodes, ratios after/before, biggest changes first', () => {
  const times = nodeTimes(ALL);
  close(times.get(id('/conv1/Conv')), 0.0448, 'Conv half of the fused layer');
  close(times.get(id('/pool1/MaxPool')), 0.0304, 'MaxPool with its overhead');
  const o = compareOverlay(DISABLED, ALL, ops);
  assert.equal(o.centre, 1);
  assert.equal(o.scale, 'log');
  close(o.nodes[id('/conv1/Conv')]!.value, 0.0448 / 0.1056, 'Conv ratio');
  close(o.nodes[id('/relu1/Relu')]!.value, 0.0448 / 0.0226, 'Relu ratio');
  close(o.nodes[id('/fc/Gemm')]!.value, 0.032 / 0.0222, 'Gemm ratio');
  // |change|: Conv 0.0608, Relu 0.0222, MaxPool 0.0108, Gemm 0.0098, Softmax 0.003, Flatten 0.0018.
  assert.deepEqual(o.table!.rows.map((r) => r.nodes[0]), ['/conv1/Conv', '/relu1/Relu', '/pool1/MaxPool', '/fc/Gemm', '/softmax/Softmax', '/flatten/Flatten'].map(id));
  assert.equal(o.table!.rows[0]!.name, '/conv1/Conv');
  assert.deepEqual(o.table!.rows[0]!.cells.slice(0, 3), ['Conv', 0.1056, 0.0448]);
  close(o.summary!.find((f) => f.label === 'ratio')!.value, ALL.totalTimeMs / DISABLED.totalTimeMs, 'total ratio');
});

test('a node timed in one profile only has no ratio, and says which', () => {
  const after = profile('all', ALL.layers.filter((l) => l.name !== '/flatten/Flatten'));
  const change = nodeChanges(DISABLED, after).find((c) => c.id === id('/flatten/Flatten'))!;
  assert.deepEqual(change, { id: id('/flatten/Flatten'), beforeMs: 0.0128, afterMs: 0, ratio: undefined });
  assert.equal(compareOverlay(DISABLED, after, ops).nodes[id('/flatten/Flatten')]!.label, 'only before');
  assert.equal(compareOverlay(DISABLED, after, ops).summary!.find((f) => f.label === 'timed in both')!.value, 5);
});

test('two profiles with no node in common (or zero times): no ratio painted, no Infinity, the summary says so', () => {
  const other = profile('all', [{ name: 'x', kind: 'Conv', timeMs: 1, onnxNodes: ['not-in-tiny-cnn'] }]);
  const zero = profile('all', DISABLED.layers.map((l) => ({ ...l, timeMs: 0 })));
  for (const [a, b] of [[DISABLED, other], [DISABLED, zero], [zero, DISABLED]] as const) {
    const o = compareOverlay(a, b, ops);
    assert.ok(Object.values(o.nodes).every((e) => e.value === undefined && e.label !== undefined), 'badges only');
    assert.ok(o.table!.rows.every((r) => r.cells.every((c) => typeof c !== 'number' || Number.isFinite(c))), 'finite cells');
    const both = o.summary!.find((f) => f.label === 'timed in both')!;
    assert.equal(both.value, 0);
    assert.match(both.text, /^none of \d+ nodes/);
  }
  assert.equal(compareOverlay(zero, DISABLED, ops).summary!.find((f) => f.label === 'ratio')!.value, undefined, 'no ratio over a zero total');
  // Unmapped time is in no ratio and no row: its change is a figure of the summary.
  const withUnmapped = profile('all', [...ALL.layers, { name: 'MemcpyToHost', kind: 'Memcpy', timeMs: 0.5, onnxNodes: [] }]);
  const u = compareOverlay(ALL, withUnmapped, ops).summary!.find((f) => f.label === 'unmapped')!;
  close(u.value, 0.5, 'unmapped change');
  assert.equal(u.text, '0.000 ms → 0.500 ms (on no node, not in the ratios)');
});

test('only a profile document is taken from the CLI’s stdout', () => {
  assert.deepEqual(parseProfileJson(JSON.stringify(ALL)), ALL);
  assert.equal(parseProfileJson('{"output":"x.onnx"}'), undefined);
  assert.equal(parseProfileJson('not json'), undefined);
});

test('the command lines run', () => {
  assert.deepEqual(ortProfileArgv('/m.onnx', { optLevel: 'basic', warmup: 2, runs: 7, threads: 1, inputs: '/data' }), ['profile', '/m.onnx', '--runs', '7', '--warmup', '2', '--opt-level', 'basic', '--threads', '1', '--inputs', '/data', '--json']);
  assert.deepEqual(ortProfileArgv('/m.onnx', { optLevel: 'all', warmup: 3, runs: 20 }), ['profile', '/m.onnx', '--runs', '20', '--warmup', '3', '--opt-level', 'all', '--json']);
  assert.deepEqual(importProfileArgv('/m.onnx', ['/a.json', '/b.json']), ['profile', '--import', '/a.json', '/b.json', '--model', '/m.onnx', '--json']);
});

test('one trtexec export chosen brings the other exports of its engine (not the metadata files); one nsys report the others of its run', () => {
  const dir = sharedPath('fixtures', 'trtexec', 'fuzzylabs-resnet18-rtx3060-fp16');
  const names = readdirSync(dir);
  const stem = join(dir, 'resnet18_fp16');
  assert.deepEqual(withCompanions([`${stem}.profile.json`], names), [`${stem}.profile.json`, `${stem}.graph.json`, `${stem}.timing.json`]);
  assert.deepEqual(withCompanions([`${stem}.profile.metadata.json`], names), [`${stem}.profile.metadata.json`]);
  assert.deepEqual(withCompanions(['/x/a.json', '/x/b.json'], []), ['/x/a.json', '/x/b.json']);
  // nsys stats reports of one run (test/fixtures/nsys), in the same format only.
  const nsys = join(ROOT, 'test', 'fixtures', 'nsys', 'nsys-2023.4.4');
  const run = (report: string): string => join(nsys, `run_${report}.csv`);
  assert.deepEqual(withCompanions([run('nvtx_sum')], readdirSync(nsys)), [run('nvtx_sum'), run('nvtx_kern_sum'), run('cuda_gpu_kern_sum'), run('nvtx_gpu_proj_sum')]);
  assert.deepEqual(withCompanions([join(nsys, 'run-column.txt')], readdirSync(nsys)), [join(nsys, 'run-column.txt')]);
  assert.deepEqual(withCompanions(['/r/my_run_nvtx_sum.json'], ['my_run_nvtx_sum.json', 'my_run_nvtx_kern_sum.json', 'my_run_nvtx_kern_sum.csv']), ['/r/my_run_nvtx_sum.json', '/r/my_run_nvtx_kern_sum.json']);
});

test('colour domains: log spreads orders of magnitude evenly; a centre takes the middle', () => {
  const log = scaleDomain(100, 0.01, { log: true }); // times: the slowest is the worst
  close(log.to(100), 0, 'worst');
  close(log.to(1), 0.5, 'geometric middle');
  close(log.from(0.75), 0.1, 'back');
  const ratio = scaleDomain(4, 0.5, { log: true, centre: 1 });
  close(ratio.to(1), 0.5, 'centre');
  close(ratio.to(0.25), 1, 'widened to be even around 1');
  close(scaleDomain(0, 10).to(5), 0.5, 'linear');
});

test('colour domains with zero times: a 0 ms node neither flattens a log scale nor sends its legend to 1e308', () => {
  // ORT reports whole microseconds: a Reshape's mean can be 0 ms beside a 5 ms Conv.
  const [lo, hi] = valueRange([5, 0, 0.05], true)!;
  assert.deepEqual([lo, hi], [0.05, 5], 'log spans the positive values');
  const times = scaleDomain(hi, lo, { log: true });
  close(times.to(5), 0, 'slowest is the worst end');
  close(times.to(0), 1, 'a 0 ms node takes the best end');
  close(times.to(0.5), 0.5, 'two decades, one each side');
  const oneEnd = scaleDomain(5, 0, { log: true }); // one end zero: three decades under the other
  close(oneEnd.to(0.05), 2 / 3, 'three decades below 5');
  close(oneEnd.from(1), 0.005, 'legend end');
  const zeros = scaleDomain(0, 0, { log: true }); // a profile of zero time switched to log
  close(zeros.from(0), 0, 'legend worst');
  close(zeros.from(1), 0, 'legend best');
  assert.deepEqual(valueRange([0, 0], true), [0, 0]);
  assert.deepEqual(valueRange([3, 0, 1], false), [0, 3]);
  assert.equal(valueRange([], true), undefined);
});

test('table cells: percent, digits, missing', () => {
  assert.equal(formatCell(0.1234, 'percent'), '12.3 %');
  assert.equal(formatCell(0.0896, 3), '0.090');
  assert.equal(formatCell(null, 3), '—');
  const rows = [
    { name: 'b', nodes: [], cells: [null] },
    { name: 'a', nodes: [], cells: [2] },
    { name: 'c', nodes: [], cells: [1] },
  ];
  assert.deepEqual(sortRows(rows, { column: 0, descending: false }).map((r) => r.name), ['c', 'a', 'b']);
  assert.deepEqual(sortRows(rows, { column: 0, descending: true }).map((r) => r.name), ['a', 'c', 'b']);
  assert.deepEqual(sortRows(rows, { column: -1, descending: false }).map((r) => r.name), ['a', 'b', 'c']);
});

test('the view highlights a fused layer’s nodes together', () => {
  const overlays = new Overlays();
  overlays.set(profileOverlay(ALL, ops));
  assert.deepEqual(overlays.groupOf(id('/relu1/Relu')).sort(), [id('/conv1/Conv'), id('/relu1/Relu')].sort());
  assert.deepEqual(overlays.groupOf(id('/fc/Gemm')), [id('/fc/Gemm')]);
  assert.equal(overlays.isLog(overlays.active!), false, 'a profile opens on a linear scale');
  overlays.set(compareOverlay(DISABLED, ALL, ops));
  assert.equal(overlays.isLog(overlays.active!), true, 'a comparison opens on a log scale');
  assert.deepEqual(overlays.groupOf(id('/fc/Gemm')), [], 'a comparison has no groups');
});

test('the overlay of the CLI’s JSON for the real trtexec exports of ResNet-18: a row per layer, the figures as printed', () => {
  const stem = sharedPath('fixtures', 'trtexec', 'fuzzylabs-resnet18-rtx3060-fp16', 'resnet18_fp16');
  const modelPath = join(ROOT, '.cache', 'models', 'resnet18.onnx');
  const run = spawnSync(process.execPath, [CLI, 'profile', '--import', `${stem}.profile.json`, `${stem}.graph.json`, `${stem}.timing.json`, '--model', modelPath, '--json'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const p = parseProfileJson(run.stdout)!;
  assert.ok(p, 'a profile document on stdout');
  const resnet = openModel(modelPath);
  const resnetOps = new Map(resnet.graph.nodes.map((n) => [n.id, { op: n.opType, name: n.name }]));
  resnet.close();
  const o = profileOverlay(p, resnetOps);
  assert.equal(o.table!.rows.length, p.layers.length);
  assert.equal(o.summary!.find((f) => f.label === 'mapped share')!.value, p.mappedShare);
  assert.equal(o.summary!.find((f) => f.label === 'per inference')!.value, p.totalTimeMs);
  close(o.chart!.bars.reduce((sum, b) => sum + b.value, 0), p.totalTimeMs, 'the chart adds up to the total');
  // Each node painted with the time of the layers that name it, as the JSON lists them.
  for (const [nodeId, entry] of Object.entries(o.nodes)) {
    close(entry.value, p.layers.filter((l) => l.onnxNodes.includes(nodeId)).reduce((sum, l) => sum + l.timeMs, 0), nodeId);
    assert.ok(resnetOps.has(nodeId), `${nodeId} is a node of the model`);
  }
  // The fused first layer (conv1 + relu) is one group of two nodes.
  const fused = p.layers.find((l) => l.name === '/conv1/Conv + /relu/Relu')!;
  assert.deepEqual(fused.onnxNodes.map((n) => o.nodes[n]!.group), [fused.name, fused.name]);
  assert.deepEqual(o.table!.rows.find((r) => r.name === fused.name)!.cells[0], 'Conv+Relu');
  // Layer info states each layer's precision: a column of its own.
  assert.equal(o.table!.columns.at(-1)!.title, 'Precision');
  assert.equal(o.table!.rows.find((r) => r.name === fused.name)!.cells.at(-1), fused.precision);
  assert.ok(fused.precision, 'the layer info states a precision');
  const detail = o.table!.rows.find((r) => r.name === fused.name)!.detail!;
  // Tactic and median as the exports state them (the fixture has both).
  assert.ok(fused.tactic && detail.includes(`tactic ${fused.tactic}`), detail);
  assert.ok(fused.medianMs !== undefined && detail.includes(`median ${fused.medianMs.toFixed(4)} ms`), detail);
});
