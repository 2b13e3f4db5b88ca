// The pruning-sensitivity overlay (issue 11, point 4) from a report's `prune.sensitivity`, as the
// contract (src/optimize/prune/types.ts) states it: each unit's nodes carry the unit's worst
// output cosine over the scanned ratios, the chosen ratio as a badge; the table lists the units,
// most sensitive first. The figures are written out here by hand (the reference), then the
// CLI's own report, its node ids checked against python onnx's reading of the models.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pruneSensitivityOverlay, PRUNE_SENSITIVITY_OVERLAY_ID } from '../src/extension/prune-overlay';
import type { SensitivityScan } from '../src/optimize/prune/types';
import type { TransformReport } from '../src/optimize/report';
import { CLI, CORPUS_DIR } from './helpers/corpus';

const HOSTILE = '<img src=x onerror="window.hacked=1">';

function report(sensitivity?: SensitivityScan): TransformReport {
  return {
    transform: 'prune', input: '/m/a.onnx', output: '/m/a.pruned.onnx', sizeBefore: 10, sizeAfter: 8, outputs: [], nodesAdded: 0, nodesChanged: 3, keptFloat: [], details: {}, warnings: [],
    parametersBefore: 1000, parametersAfter: 700, sparsity: 0,
    prune: { method: 'channels', prunedLayers: [], skippedLayers: [], ...(sensitivity ? { sensitivity } : {}) },
  };
}

const SCAN: SensitivityScan = {
  targetCosine: 0.95,
  ratios: [0.25, 0.5, 0.75],
  units: [
    { id: 'conv1', nodes: ['conv1'], parameters: 432, cosine: [0.999, 0.99, 0.97], chosen: 0.75 },
    { id: 'block/conv_a', nodes: ['block/conv_a', 'block/conv_b', HOSTILE], parameters: 9216, cosine: [0.98, 0.9, 0.6], chosen: 0.25 },
    // JSON null: a cosine the CLI could not compute (NaN output).
    { id: 'head', nodes: ['head'], parameters: 64, cosine: [null as unknown as number, null as unknown as number, null as unknown as number], chosen: 0 },
  ],
  cosineChosen: 0.962,
};

test('no scan, no overlay', () => {
  assert.equal(pruneSensitivityOverlay(report()), undefined);
  assert.equal(pruneSensitivityOverlay({ ...report(), prune: undefined }), undefined);
});

test('each unit’s nodes carry its worst cosine and the chosen ratio; a group’s layers highlight together', () => {
  const o = pruneSensitivityOverlay(report(SCAN))!;
  assert.equal(o.id, PRUNE_SENSITIVITY_OVERLAY_ID);
  assert.equal(o.kind, 'metric');
  assert.equal(o.higherIsBetter, true, 'the quantization overlay’s colours: low cosine red');
  assert.deepEqual(Object.keys(o.nodes).sort(), ['block/conv_a', 'block/conv_b', 'conv1', 'head', HOSTILE].sort());
  assert.equal(o.nodes.conv1!.value, 0.97);
  assert.equal(o.nodes.conv1!.label, '−75 %');
  assert.equal(o.nodes.conv1!.group, undefined);
  for (const id of ['block/conv_a', 'block/conv_b', HOSTILE]) {
    assert.equal(o.nodes[id]!.value, 0.6, id);
    assert.equal(o.nodes[id]!.label, '−25 %', id);
    assert.equal(o.nodes[id]!.group, 'block/conv_a', id);
  }
  assert.equal(o.nodes.head!.value, undefined, 'no finite cosine: no colour');
  assert.equal(o.nodes.head!.label, 'left');
  assert.equal(o.nodes.conv1!.detail, 'unit conv1 (1 layer, 432 parameters): output cosine 0.99900 at 25 %, 0.99000 at 50 %, 0.97000 at 75 %; pruned at 75 %');
  assert.match(o.nodes.head!.detail!, /not finite at 25 %.*; left$/);
});

test('the table: units most sensitive first (no figure last), the worst cosine, the chosen share and the parameters; each ratio’s cosine in the tooltip', () => {
  const t = pruneSensitivityOverlay(report(SCAN))!.table!;
  assert.deepEqual(t.columns.map((c) => c.title), ['worst cosine', 'chosen', 'parameters']);
  assert.deepEqual(t.rows.map((r) => r.name), ['block/conv_a', 'conv1', 'head']);
  assert.deepEqual(t.rows[0]!.cells, [0.6, 0.25, 9216]);
  assert.equal(t.rows[0]!.detail, 'unit block/conv_a (3 layers, 9216 parameters): output cosine 0.98000 at 25 %, 0.90000 at 50 %, 0.60000 at 75 %; pruned at 25 %');
  assert.deepEqual(t.rows[0]!.nodes, ['block/conv_a', 'block/conv_b', HOSTILE]);
  assert.deepEqual(t.rows[2]!.cells, [null, 0, 64]);
  const summary = Object.fromEntries(pruneSensitivityOverlay(report(SCAN))!.summary!.map((s) => [s.label, s.value]));
  assert.deepEqual(summary, { 'target cosine': 0.95, 'cosine of the chosen ratios': 0.962, 'units pruned': 2 });
});

test('a node in two units keeps the worse figure', () => {
  const scan: SensitivityScan = { ...SCAN, units: [SCAN.units[0]!, { id: 'other', nodes: ['conv1', 'x'], parameters: 10, cosine: [0.5, 0.4, 0.3], chosen: 0 }, { id: 'third', nodes: ['conv1'], parameters: 1, cosine: [0.99, 0.99, 0.99], chosen: 0.5 }] };
  const o = pruneSensitivityOverlay(report(scan))!;
  assert.equal(o.nodes.conv1!.value, 0.3);
  assert.equal(o.nodes.x!.value, 0.3);
});

test('the CLI’s scan (unstructured, target cosine 0.95) on the OCR direction classifier: every unit painted on nodes of the model, as its JSON says', () => {
  const dir = mkdtempSync(join(tmpdir(), 'prune-overlay-'));
  const model = join(dir, 'cls.onnx');
  copyFileSync(join(CORPUS_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), model);
  const r = spawnSync(process.execPath, [CLI, 'prune', model, '--method', 'unstructured', '--ratio', '0.5', '--target-cosine', '0.95', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const cli = JSON.parse(r.stdout) as TransformReport;
  const scan = cli.prune!.sensitivity!;
  assert.ok(scan.units.length > 10, `${scan.units.length} units scanned`);
  const o = pruneSensitivityOverlay(cli)!;
  for (const unit of scan.units) {
    const finite = unit.cosine.filter((c) => typeof c === 'number');
    for (const id of unit.nodes) assert.equal(o.nodes[id]?.value, finite.length ? Math.min(...finite) : undefined, id);
  }
  assert.deepEqual(o.table!.rows.map((row) => row.name).sort(), scan.units.map((u) => u.id).sort());
  // Node ids name nodes of both models (pruning keeps every node and its name): python onnx reads them.
  for (const file of [model, cli.output]) {
    const names = JSON.parse(spawnSync('/usr/bin/python3', ['-c', 'import onnx, sys, json; print(json.dumps([n.name for n in onnx.load(sys.argv[1]).graph.node]))', file], { encoding: 'utf8' }).stdout) as string[];
    for (const id of Object.keys(o.nodes)) assert.ok(names.includes(id), `${id} is a node of ${file}`);
  }
});
