// trtexec profiles of real engines (../shared/fixtures/trtexec) mapped onto ONNX models exported
// here with Debian's python3-torch. Expected figures come from Debian's python3 reading the same
// JSON files (json, statistics) and the models (onnx), never from the code under test.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openModel } from '../src/onnx/open';
import type { Model } from '../src/onnx/model/graph';
import { importProfile } from '../src/profiles/import';
import type { LayerProfile } from '../src/profiles/layer-profile';
import { namesInLayerName, reformatName } from '../src/profiles/trtexec/layer-names';
import { A100, QAT, RTX3060, pythonJson, resnet18, resnet18LegacyNames } from './helpers/trtexec-profiles';

/** Per layer of a --exportLayerInfo + --exportProfile pair: times, Metadata names, first input's datatype, tactic. */
const REFERENCE = `
import json, statistics, sys
graph = json.load(open(sys.argv[1] + 'graph.json'))
profile = json.load(open(sys.argv[1] + 'profile.json'))
times = json.load(open(sys.argv[1] + 'timing.json'))
layers = {l['Name']: l for l in graph['Layers']}
def fmt(l):
    io = l.get('Inputs') or l.get('Outputs') or [{}]
    return io[0].get('Format/Datatype', '')
print(json.dumps({
  'iterations': profile[0]['count'],
  'rows': [{'name': r['name'], 'avgMs': r['averageMs'], 'medianMs': r.get('medianMs'),
            'metadata': [m[len('[ONNX Layer: '):-1] for m in layers[r['name']].get('Metadata', '').replace('\\x1f', '\\x1e').split('\\x1e') if m],
            'format': fmt(layers[r['name']]), 'tactic': layers[r['name']].get('TacticName')} for r in profile[1:]],
  'medianComputeMs': statistics.median(t['computeMs'] for t in times),
  'timed': len(times),
}))
`;
interface Reference {
  iterations: number;
  rows: { name: string; avgMs: number; medianMs?: number; metadata: string[]; format: string; tactic?: string }[];
  medianComputeMs: number;
  timed: number;
}

const NODE_NAMES = `
import onnx, json, sys
print(json.dumps([n.name for n in onnx.load(sys.argv[1], load_external_data=False).graph.node]))
`;

const files = (stem: string, ...kinds: string[]) => kinds.map((k) => `${stem}${k}.json`);
const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
const idsOf = (model: Model, names: string[]) => names.map((n) => model.graph.nodes.find((x) => x.name === n)!.id);
const layer = (p: LayerProfile, name: string) => p.layers.find((l) => l.name === name)!;

test('RTX 3060 ResNet-18 (TensorRT 10, Metadata) on torchvision ResNet-18: ≥ 99 % of the time on ONNX nodes, every layer as the files state it', async (t) => {
  const ref = pythonJson<Reference>(REFERENCE, RTX3060);
  const model = openModel(resnet18());
  try {
    const given = [...files(RTX3060, 'graph', 'profile', 'timing', 'build.metadata', 'profile.metadata')];
    const p = await importProfile([...given].reverse(), model);
    t.diagnostic(`mappedShare ${p.mappedShare} of ${p.totalTimeMs} ms per inference`);
    assert.ok(p.mappedShare >= 0.99, `mapped share ${p.mappedShare}`);
    assert.equal(p.source.tool, 'trtexec');
    assert.equal(p.source.device, 'NVIDIA GeForce RTX 3060 Laptop GPU');
    assert.equal(p.source.precision, 'FP32+FP16');
    assert.equal(p.inferences, ref.iterations);
    assert.equal(p.source.settings['timedInferences'], ref.timed);
    assert.ok(near(p.source.settings['medianComputeMs'] as number, ref.medianComputeMs));
    assert.equal(p.layers.length, ref.rows.length, 'no layer dropped');
    assert.ok(near(p.totalTimeMs, ref.rows.reduce((s, r) => s + r.avgMs, 0)));
    const names = new Set(pythonJson<string[]>(NODE_NAMES, resnet18()));
    for (const r of ref.rows) {
      const l = layer(p, r.name);
      assert.ok(near(l.avgMs, r.avgMs) && near(l.medianMs!, r.medianMs!), r.name);
      assert.equal(l.count, ref.iterations);
      if (r.metadata.length > 0) {
        assert.ok(r.metadata.every((n) => names.has(n)), `every Metadata name of ${r.name} is a node of the export`);
        assert.deepEqual(l.onnxNodes, idsOf(model, r.metadata), r.name);
        assert.ok(!l.overhead, r.name);
      }
      assert.equal(l.precision, !r.format ? undefined : /FP16|Half/.test(r.format) ? 'fp16' : 'fp32', r.name);
      if (r.tactic) assert.equal(l.tactic, r.tactic);
    }
    // No Metadata: the reformat feeding /conv1/Conv, the one into the Myelin region, the region's shape call.
    const conv1 = idsOf(model, ['/conv1/Conv', '/relu/Relu']);
    const reformat = layer(p, 'Reformatting CopyNode for Input Tensor 0 to /conv1/Conv + /relu/Relu');
    assert.deepEqual(reformat.onnxNodes, conv1);
    assert.equal(reformat.overhead, true);
    const fc = idsOf(model, ['/fc/Gemm']);
    for (const name of ['Reformatting CopyNode for Input Tensor 0 to {ForeignNode[fc.weight...(Unnamed Layer* 58) [ElementWise]]}', 'dummy_shape_call__mye548_0_myl24_0']) {
      assert.deepEqual(layer(p, name).onnxNodes, fc, name);
      assert.equal(layer(p, name).overhead, true, name);
    }
    assert.deepEqual(p.warnings, []);
    // Shares sum to one and come slowest first.
    assert.ok(near(p.layers.reduce((s, l) => s + l.share, 0), 1));
    assert.ok(p.layers.every((l, i) => i === 0 || p.layers[i - 1]!.avgMs >= l.avgMs));
  } finally {
    model.close();
  }
});

test('the profile JSON alone (no layer info) maps the named layers and keeps the Myelin kernel it cannot place, unmapped', async () => {
  const model = openModel(resnet18());
  try {
    const p = await importProfile(files(RTX3060, 'profile'), model);
    const ref = pythonJson<Reference>(REFERENCE, RTX3060);
    assert.equal(p.layers.length, ref.rows.length);
    const kernel = layer(p, '__myl_MulSumAdd_myl24_1');
    assert.deepEqual(kernel.onnxNodes, []);
    const unmapped = ref.rows.filter((r) => r.name === '__myl_MulSumAdd_myl24_1' || r.name.startsWith('dummy_shape_call')).reduce((s, r) => s + r.avgMs, 0);
    const total = ref.rows.reduce((s, r) => s + r.avgMs, 0);
    assert.ok(near(p.mappedShare, 1 - unmapped / total), `${p.mappedShare}`);
    assert.match(p.warnings.join('\n'), /no layer information given/);
  } finally {
    model.close();
  }
});

test('A100 ResNet-18 (TREx, TensorRT 8.x names Conv_0 + Relu_1): nothing maps onto the torch 1.13 export, all of it onto the same export with torch 1.12 node names', async (t) => {
  const ref = pythonJson<Reference>(REFERENCE, A100);
  const given = files(A100, 'graph', 'profile', 'timing', 'metadata', 'build.metadata', 'profile.metadata');
  const modern = openModel(resnet18());
  try {
    const p = await importProfile(given, modern);
    t.diagnostic(`A100 on /layer1/… names: mappedShare ${p.mappedShare}`);
    assert.equal(p.mappedShare, 0);
    assert.equal(p.layers.length, ref.rows.length);
    assert.match(p.warnings.join('\n'), /only 0 of 36 layers map onto the model: the profile is likely of another model/);
  } finally {
    modern.close();
  }
  const legacy = openModel(resnet18LegacyNames());
  try {
    const p = await importProfile(given, legacy);
    t.diagnostic(`A100 on Conv_0… names: mappedShare ${p.mappedShare} of ${p.totalTimeMs} ms`);
    assert.equal(p.source.device, 'NVIDIA A100 80GB PCIe');
    assert.equal(p.source.precision, 'FP32+FP16');
    assert.equal(p.inferences, ref.iterations);
    assert.equal(p.layers.length, ref.rows.length);
    // Reference: every layer whose name parts (or reformat target, or inserted reshape's node) are node names of the export.
    const names = new Set(pythonJson<string[]>(NODE_NAMES, resnet18LegacyNames()));
    const stated = (name: string) => {
      const target = reformatName(name)?.target ?? name;
      return target.replace(/^reshape_after_/, '').split(' + ');
    };
    const expected = ref.rows.filter((r) => stated(r.name).every((n) => names.has(n)));
    assert.equal(expected.length, ref.rows.length);
    assert.equal(p.mappedShare, 1);
    assert.deepEqual(layer(p, 'Reformatting CopyNode for Output Tensor 0 to reshape_after_Gemm_48').onnxNodes, idsOf(legacy, ['Gemm_48']));
    assert.deepEqual(layer(p, 'Conv_5 + Add_6 + Relu_7').onnxNodes, idsOf(legacy, ['Conv_5', 'Add_6', 'Relu_7']));
  } finally {
    legacy.close();
  }
});

test('MobileNet QAT (INT8, TensorRT 8.x): parsed whole, per-layer precision from the layer info (FP32 inputs inside the INT8 engine found), the share of time on layers that name ONNX nodes', async (t) => {
  const ref = pythonJson<Reference>(REFERENCE, QAT);
  const model = openModel(resnet18());
  try {
    const p = await importProfile(files(QAT, 'graph', 'profile', 'timing', 'build.metadata', 'profile.metadata'), model);
    assert.equal(p.layers.length, ref.rows.length);
    assert.equal(p.inferences, ref.iterations);
    assert.equal(p.source.precision, 'FP32+FP16+INT8');
    assert.equal(p.source.device, 'NVIDIA TITAN RTX');
    assert.equal(p.mappedShare, 0, 'not a model of this engine');
    const word = (f: string) => (/Int8/.test(f) ? 'int8' : /FP16/.test(f) ? 'fp16' : 'fp32');
    const fp32 = ref.rows.filter((r) => word(r.format) === 'fp32').map((r) => r.name);
    for (const r of ref.rows) assert.equal(layer(p, r.name).precision?.split('→')[0], word(r.format), r.name);
    assert.deepEqual(p.layers.filter((l) => l.precision?.startsWith('fp32')).map((l) => l.name).sort(), fp32.sort());
    t.diagnostic(`layers reading FP32 inside the INT8 engine: ${fp32.join(', ')}`);
    // Without the QAT model, what a user sees is whether each layer names ONNX nodes: `Conv_12`, `QuantizeLinear_2`...
    const total = ref.rows.reduce((s, r) => s + r.avgMs, 0);
    const pyNamed = ref.rows.filter((r) => /\b[A-Z][A-Za-z]*_\d+\b/.test(reformatName(r.name)?.target ?? r.name)).reduce((s, r) => s + r.avgMs, 0) / total;
    const named = p.layers.filter((l) => namesInLayerName(reformatName(l.name)?.target ?? l.name).names.some((n) => /_\d+$/.test(n))).reduce((s, l) => s + l.avgMs, 0) / p.totalTimeMs;
    t.diagnostic(`MobileNet QAT: share of time on layers naming ONNX nodes ${named}`);
    assert.ok(near(named, pyNamed));
  } finally {
    model.close();
  }
});
