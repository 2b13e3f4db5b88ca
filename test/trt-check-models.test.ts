import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { openModel } from '../src/onnx/open';
import { CLI, ROOT } from './helpers/corpus';

// trt-check through the CLI on real models, quantized outputs of our own quantize command and
// models written with python onnx's helper. Node lists come from python onnx (the reference).

interface TrtJson {
  tensorrtVersion: string;
  summary: { nodes: number; supported: number; conditional: number; unsupported: number; supportedParameterShare: number; preflight: { code: string; category: string; nodeIds: string[] }[] };
  nodes: { id: string; name: string; op: string; domain: string; status: string; reasons: string[] }[];
}

const PYTHON = '/usr/bin/python3';
const dir = mkdtempSync(join(tmpdir(), 'trt-check-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });

function trtCheck(model: string, version: string): { status: number | null; json: TrtJson } {
  const r = cli('trt-check', model, '--trt', version, '--json');
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return { status: r.status, json: JSON.parse(r.stdout) as TrtJson };
}

/** [name, op_type, domain] of every main-graph node, read by python onnx. */
function pythonNodes(model: string): [string, string, string][] {
  const script = 'import json, sys, onnx; m = onnx.load(sys.argv[1]); print(json.dumps([[n.name, n.op_type, n.domain] for n in m.graph.node]))';
  return JSON.parse(execFileSync(PYTHON, ['-c', script, model], { encoding: 'utf8', maxBuffer: 1 << 26 })) as [string, string, string][];
}

function quantize(model: string, out: string, ...args: string[]): string {
  const path = join(dir, out);
  const r = cli('quantize', model, ...args, '-o', path);
  assert.equal(r.status, 0, r.stderr);
  return path;
}

const RESNET = join(ROOT, '.cache', 'models', 'resnet18.onnx');
const MOBILENET = join(ROOT, '.cache', 'models', 'mobilenet_v3_large.onnx');
const OCR_DET = join(ROOT, '.cache', 'corpus', 'ch_PP-OCRv4_det_infer.onnx');

test('JSON shape: exactly {tensorrtVersion, summary, nodes}; nodes exactly {id, name, op, domain, status, reasons}, ids as the editor makes them', () => {
  const { json } = trtCheck(RESNET, '10');
  assert.deepEqual(Object.keys(json), ['tensorrtVersion', 'summary', 'nodes']);
  assert.equal(json.tensorrtVersion, '10.1');
  for (const key of ['nodes', 'supported', 'conditional', 'unsupported', 'supportedParameterShare']) assert.equal(typeof (json.summary as unknown as Record<string, unknown>)[key], 'number', key);
  for (const n of json.nodes) assert.deepEqual(Object.keys(n), ['id', 'name', 'op', 'domain', 'status', 'reasons']);
  const model = openModel(RESNET);
  try {
    assert.deepEqual(json.nodes.map((n) => n.id), [...model.graphs()].flatMap((g) => g.nodes.map((n) => n.id)));
  } finally {
    model.close();
  }
  assert.deepEqual(json.nodes.map((n) => [n.name, n.op, n.domain]), pythonNodes(RESNET));
  const r = cli('trt-check', RESNET);
  assert.match(r.stdout, /TensorRT 11\.1/, 'the default is the newest version');
});

test('torchvision ResNet-18 and MobileNetV3 are fully supported on TensorRT 10 and 11 (exit 0)', () => {
  for (const model of [RESNET, MOBILENET]) {
    for (const version of ['10', '11']) {
      const { status, json } = trtCheck(model, version);
      assert.equal(status, 0, `${model} ${version}`);
      assert.equal(json.summary.supported, json.summary.nodes, `${model} ${version}: ${JSON.stringify(json.nodes.filter((n) => n.status !== 'supported'))}`);
      assert.equal(json.summary.supportedParameterShare, 1);
    }
  }
});

test('dynamic INT8 (ConvInteger, DynamicQuantizeLinear, MatMulInteger) is flagged at exactly those nodes, with the re-quantize advice (exit 1)', () => {
  const quantized = quantize(RESNET, 'resnet18.dyn.onnx', '--mode', 'dynamic');
  const expected = pythonNodes(quantized).filter(([, op]) => ['ConvInteger', 'DynamicQuantizeLinear', 'MatMulInteger'].includes(op)).map(([name]) => name);
  assert.ok(expected.length > 20);
  for (const version of ['8.6', '10', '11']) {
    const { status, json } = trtCheck(quantized, version);
    assert.equal(status, 1);
    const flagged = json.nodes.filter((n) => n.status === 'unsupported');
    assert.deepEqual(flagged.map((n) => n.name), expected, version);
    for (const n of flagged) assert.ok(n.reasons.some((r) => r.includes('onnx-studio quantize MODEL --mode static --preset tensorrt')), n.name);
  }
});

test('MatMulNBits (com.microsoft) is flagged at exactly that node; a declared plugin makes it conditional', () => {
  const names = JSON.parse(execFileSync(PYTHON, [join(ROOT, 'test', 'helpers', 'trt_models.py'), dir], { encoding: 'utf8' })) as Record<string, Record<string, string[]>>;
  const model = join(dir, 'matmulnbits.onnx');
  const { status, json } = trtCheck(model, '11');
  assert.equal(status, 1);
  assert.deepEqual(json.nodes.filter((n) => n.status !== 'supported').map((n) => n.name), names.matmulnbits!.MatMulNBits);
  assert.ok(json.summary.preflight.some((f) => f.code === 'contrib-op' && f.nodeIds.length === 1));
  const withPlugin = cli('trt-check', model, '--plugins', 'com.microsoft::MatMulNBits', '--json');
  assert.equal(withPlugin.status, 1, 'the preflight error (quantized contrib op) stays');
});

test('version difference: RMSNormalization and Attention (opset 23) are unsupported on 10.1 and supported on 11.1', () => {
  execFileSync(PYTHON, [join(ROOT, 'test', 'helpers', 'trt_models.py'), dir]);
  const model = join(dir, 'rmsnorm-attention.onnx');
  const v10 = trtCheck(model, '10');
  assert.equal(v10.status, 1);
  // 10.1 parses opsets 9–20 (operators-10.1.md), so at opset 23 every node is refused; the two
  // ops 10.1 lacks say so first, and that 11.1 has them.
  for (const n of v10.json.nodes) {
    assert.equal(n.status, 'unsupported', n.op);
    assert.ok(n.reasons.some((r) => /opset 23 is outside TensorRT 10\.1's range \(opset 9–20\)/.test(r)), n.reasons.join('; '));
  }
  for (const n of v10.json.nodes.filter((x) => x.op !== 'Relu')) assert.match(n.reasons[0]!, /TensorRT 11\.1 supports it/);
  assert.deepEqual(v10.json.nodes.filter((n) => n.op !== 'Relu').map((n) => n.op), ['Attention', 'RMSNormalization']);
  const v11 = trtCheck(model, '11.1');
  assert.equal(v11.status, 0);
  assert.equal(v11.json.tensorrtVersion, '11.1');
  assert.equal(v11.json.summary.supported, 3);
});

test('static INT8 with the tensorrt preset (ResNet-18, PP-OCR det) gets no Q/DQ finding; the cpu preset gets the asymmetric zero point finding', () => {
  const calib = (name: string) => join(ROOT, '.cache', 'data', name, 'calib');
  const trtResnet = quantize(RESNET, 'resnet18.trt.onnx', '--mode', 'static', '--preset', 'tensorrt', '--calib', calib('imagenet224'));
  const trtDet = quantize(OCR_DET, 'det.trt.onnx', '--mode', 'static', '--preset', 'tensorrt', '--calib', calib('ocr-det'));
  for (const model of [trtResnet, trtDet]) {
    const qdq = pythonNodes(model).filter(([, op]) => op === 'QuantizeLinear' || op === 'DequantizeLinear').map(([name]) => name);
    assert.ok(qdq.length > 50, model);
    for (const version of ['10', '11']) {
      const { status, json } = trtCheck(model, version);
      assert.deepEqual(json.summary.preflight.filter((f) => f.category === 'qdq'), [], `${model} ${version}`);
      const qdqNodes = json.nodes.filter((n) => qdq.includes(n.name));
      assert.equal(qdqNodes.length, qdq.length);
      assert.deepEqual(qdqNodes.filter((n) => n.status !== 'supported'), [], `${model} ${version}`);
      assert.equal(status, 0, `${model} ${version}`);
    }
  }
  const cpu = quantize(RESNET, 'resnet18.cpu.onnx', '--mode', 'static', '--preset', 'cpu', '--calib', calib('imagenet224'));
  const { status, json } = trtCheck(cpu, '11');
  assert.equal(status, 1);
  const asymmetric = json.summary.preflight.filter((f) => f.code === 'asymmetric-zero-point');
  assert.ok(asymmetric.length > 0);
  // Every finding names a Q/DQ node that python onnx sees with a uint8 or non-zero zero point.
  const script = [
    'import json, sys, onnx, onnx.numpy_helper as nh',
    'm = onnx.load(sys.argv[1]); init = {t.name: nh.to_array(t) for t in m.graph.initializer}',
    'out = [n.name for n in m.graph.node if n.op_type in ("QuantizeLinear", "DequantizeLinear") and len(n.input) > 2 and n.input[2] in init and (init[n.input[2]].dtype.name == "uint8" or init[n.input[2]].any())]',
    'print(json.dumps(out))',
  ].join('\n');
  const expected = JSON.parse(execFileSync(PYTHON, ['-c', script, cpu], { encoding: 'utf8', maxBuffer: 1 << 26 })) as string[];
  const byId = new Map(json.nodes.map((n) => [n.id, n.name]));
  assert.deepEqual(asymmetric.map((f) => byId.get(f.nodeIds[0]!)).sort(), expected.sort());
});
