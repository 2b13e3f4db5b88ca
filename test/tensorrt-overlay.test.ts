// The TensorRT overlay and Problems-panel findings (issue 9, point 3) from the JSON that
// `onnx-studio trt-check` prints for a dynamic-INT8 model. Expected: python onnx's own list of
// the model's QOperator nodes (ConvInteger, MatMulInteger, DynamicQuantizeLinear), which
// TensorRT does not parse: exactly those are errors; every other node is painted, not listed.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseTrtCheck, tensorrtFindings, tensorrtOverlay, tensorrtSummaryLine, TENSORRT_OVERLAY_ID } from '../src/extension/tensorrt-overlay';
import { CLI, CORPUS_DIR } from './helpers/corpus';

const dir = mkdtempSync(join(tmpdir(), 'trt-overlay-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function pythonNodes(model: string): { name: string; op: string }[] {
  const script = 'import onnx, sys, json; print(json.dumps([[n.name, n.op_type] for n in onnx.load(sys.argv[1]).graph.node]))';
  const r = spawnSync('/usr/bin/python3', ['-c', script, model], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 0, r.stderr);
  return (JSON.parse(r.stdout) as [string, string][]).map(([name, op]) => ({ name, op }));
}

test('trt-check --json of a dynamic-INT8 model: the QOperator nodes are the error findings, every node is painted by status', () => {
  const model = join(dir, 'cls.onnx');
  const quantized = join(dir, 'cls.dynamic.onnx');
  copyFileSync(join(CORPUS_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), model);
  const q = spawnSync(process.execPath, [CLI, 'quantize', model, '--mode', 'dynamic', '-o', quantized], { encoding: 'utf8' });
  assert.equal(q.status, 0, q.stderr);
  const r = spawnSync(process.execPath, [CLI, 'trt-check', quantized, '--trt', '10', '--json'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  assert.equal(r.status, 1, 'exit 1: some node is unsupported');
  const check = parseTrtCheck(r.stdout)!;
  assert.ok(check, 'one JSON document on stdout');
  assert.equal(check.tensorrtVersion, '10.1');

  const nodes = pythonNodes(quantized);
  const qoperator = nodes.filter((n) => ['ConvInteger', 'MatMulInteger', 'DynamicQuantizeLinear'].includes(n.op)).map((n) => n.name).sort();
  assert.ok(qoperator.length > 50);
  const findings = tensorrtFindings(check);
  const errors = findings.filter((f) => f.severity === 'error');
  // The quantizer names every node it inserts or changes uniquely, so their editor ids are their names.
  assert.deepEqual(errors.map((f) => f.nodeId).sort(), qoperator);
  for (const f of errors) assert.match(f.message, /^TensorRT 10\.1: (ConvInteger|MatMulInteger|DynamicQuantizeLinear) '.+' is unsupported: .*--preset tensorrt/);
  assert.equal(findings.length, check.summary.unsupported + check.summary.conditional);

  const overlay = tensorrtOverlay(check);
  assert.equal(overlay.id, TENSORRT_OVERLAY_ID);
  assert.equal(overlay.kind, 'status');
  assert.equal(Object.keys(overlay.nodes).length, nodes.length, 'every node of the model is painted');
  for (const n of nodes) if (n.name) assert.ok(overlay.nodes[n.name], n.name);
  for (const name of qoperator) assert.deepEqual({ status: overlay.nodes[name]!.status, label: overlay.nodes[name]!.label }, { status: 'unsupported', label: 'TRT ✗' });
  const supported = Object.values(overlay.nodes).filter((e) => e.status === 'supported');
  assert.equal(supported.length, check.summary.supported);
  assert.ok(supported.every((e) => e.label === undefined), 'supported nodes carry no badge');
  assert.match(tensorrtSummaryLine(check), new RegExp(`^TensorRT 10\\.1: ${check.summary.supported} of ${nodes.length} nodes supported`));
});

test('parseTrtCheck refuses what is not a trt-check document', () => {
  for (const text of ['', 'not json', '{}', '{"tensorrtVersion":"10.1"}', 'null', '[1]']) assert.equal(parseTrtCheck(text), undefined, text);
});
