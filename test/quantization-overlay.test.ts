// The quantization-error overlay (issue 8, point 6) from the JSON report the CLI prints for a
// static, accuracy-aware run on the OCR direction classifier with real calibration photographs.
// Expected: the report's own nodeSnrDb / keptFloat / keptFloatWhy, and every node id a node of
// the written model as python onnx reads it (node names; the ids of unique names are the names).
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { quantizationErrorOverlay, QUANTIZATION_OVERLAY_ID } from '../src/extension/quantization-overlay';
import type { TransformReport } from '../src/optimize/report';
import { CLI, CORPUS_DIR, ROOT } from './helpers/corpus';

const CLS = join(CORPUS_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const CALIB = join(ROOT, '.cache', 'data', 'ocr-cls', 'calib');

function pythonNodeNames(model: string): string[] {
  const script = 'import onnx, sys, json; print(json.dumps([n.name for n in onnx.load(sys.argv[1]).graph.node]))';
  const r = spawnSync('/usr/bin/python3', ['-c', script, model], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as string[];
}

test('static --target-cosine: the overlay carries each node’s output SNR in dB, and the nodes kept in float with why', () => {
  const dir = mkdtempSync(join(tmpdir(), 'overlay-'));
  const model = join(dir, 'cls.onnx');
  copyFileSync(CLS, model);
  // A target this tight makes the search keep some nodes in float.
  const r = spawnSync(process.execPath, [CLI, 'quantize', model, '--mode', 'static', '--preset', 'cpu', '--calib', CALIB, '--target-cosine', '0.99995', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const report = JSON.parse(r.stdout) as TransformReport;
  const snr = report.nodeSnrDb!;
  assert.ok(Object.keys(snr).length > 10, 'per-node SNR measured');
  assert.ok(report.keptFloat.length > 0, 'some nodes kept in float');

  const overlay = quantizationErrorOverlay(report)!;
  assert.equal(overlay.id, QUANTIZATION_OVERLAY_ID);
  assert.equal(overlay.kind, 'metric');
  assert.equal(overlay.unit, 'dB');
  assert.equal(overlay.title, 'Quantization error (output SNR)');
  assert.equal(overlay.higherIsBetter, true);
  for (const [id, value] of Object.entries(snr)) assert.equal(overlay.nodes[id]?.value, value, id);
  for (const id of report.keptFloat) {
    assert.equal(overlay.nodes[id]?.label, 'float', id);
    assert.equal(overlay.nodes[id]?.detail, report.keptFloatWhy![id], id);
  }
  const expectedIds = new Set([...Object.keys(snr), ...report.keptFloat]);
  assert.deepEqual(Object.keys(overlay.nodes).sort(), [...expectedIds].sort());
  // Node ids name nodes of the new model (the transforms keep every kept node's name).
  const names = new Set(pythonNodeNames(report.output));
  for (const id of expectedIds) assert.ok(names.has(id), `${id} is a node of ${report.output}`);
});

test('a report without per-node SNR (no target) has no quantization overlay', () => {
  const report: TransformReport = { transform: 'quantize-dynamic', input: 'a.onnx', output: 'a.int8.onnx', sizeBefore: 1, sizeAfter: 1, outputs: [], nodesAdded: 0, nodesChanged: 0, keptFloat: [], details: {}, warnings: [] };
  assert.equal(quantizationErrorOverlay(report), undefined);
});
