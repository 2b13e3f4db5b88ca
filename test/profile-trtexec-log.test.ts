// trtexec logs (TensorRT 10.16 cookbook, H100) and the 10.16 layer info with Myelin kernels,
// mapped onto a model with the node and value names of the cookbook's ONNX file (torch.export
// names: node_conv2d, node_linear_1, ...; the names are those its layer info states). Also the
// grammar of names the fixtures lack: `{ForeignNode[a...b]}` layers of TensorRT 8.x, `[profile N]`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Model } from '../src/onnx/model/graph';
import { openModelBytes } from '../src/onnx/open';
import { importProfile } from '../src/profiles/import';
import type { LayerProfile } from '../src/profiles/layer-profile';
import { readTrtexecLogFile } from '../src/profiles/trtexec/log';
import { readTrtexecProfile } from '../src/profiles/trtexec/reader';
import { bytesOf, graph, model as modelOf, node, valueInfo } from './helpers/models';
import { COOKBOOK, pythonJson } from './helpers/trtexec-profiles';

let dir: string;
before(() => (dir = mkdtempSync(join(tmpdir(), 'trtexec-profile-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The cookbook's MNIST-like network: conv-relu-pool ×2, view, linear-relu, linear, softmax (y), argmax (z). */
function cookbookModel(): Model {
  const chain: [string, string, string[], string][] = [
    ['node_conv2d', 'Conv', ['x', 'w0'], 'conv2d'],
    ['node_relu', 'Relu', ['conv2d'], 'relu'],
    ['node_max_pool2d', 'MaxPool', ['relu'], 'max_pool2d'],
    ['node_conv2d_1', 'Conv', ['max_pool2d', 'w1'], 'conv2d_1'],
    ['node_relu_1', 'Relu', ['conv2d_1'], 'relu_1'],
    ['node_max_pool2d_1', 'MaxPool', ['relu_1'], 'max_pool2d_1'],
    ['node_view', 'Reshape', ['max_pool2d_1', 'shape'], 'view'],
    ['node_linear', 'Gemm', ['view', 'w2'], 'linear'],
    ['node_relu_2', 'Relu', ['linear'], 'relu_2'],
    ['node_linear_1', 'Gemm', ['relu_2', 'w3'], 'linear_1'],
    ['node_softmax', 'Softmax', ['linear_1'], 'y'],
    ['node_argmax', 'ArgMax', ['y'], 'z'],
  ];
  const g = graph({
    node: chain.map(([name, op, inputs, output]) => node(op, inputs, [output], [], name)),
    input: ['x', 'w0', 'w1', 'shape', 'w2', 'w3'].map((n) => valueInfo(n)),
    output: ['y', 'z'].map((n) => valueInfo(n)),
  });
  return openModelBytes(bytesOf(modelOf(g)));
}

const ids = (m: Model, names: string[]) => names.map((n) => m.graph.nodes.find((x) => x.name === n)!.id);
const layer = (p: LayerProfile, name: string) => p.layers.find((l) => l.name === name)!;

test('a --dumpProfile log alone (TensorRT 10.16): version, device, iterations and the table; Myelin kernels, shape calls and a reformat into a ForeignNode placed on nodes', async () => {
  const m = cookbookModel();
  const log = join(COOKBOOK, 'result-05.log');
  const p = await importProfile([log], m);
  // Read by eye from result-05.log: "TensorRT version: 10.16.1", "Selected Device: NVIDIA H100 PCIe",
  // "=== Profile (18362 iterations ) ===", 15 rows, the Total row's Avg. 0.0833 ms.
  assert.equal(p.source.version, '10.16.1');
  assert.equal(p.source.device, 'NVIDIA H100 PCIe');
  assert.equal(p.inferences, 18362);
  assert.equal(p.layers.length, 15);
  assert.ok(Math.abs(p.totalTimeMs - 0.0833) < 0.0002, `${p.totalTimeMs}`);
  assert.equal(layer(p, 'node_conv2d_myl0_1').medianMs, 0.0098);
  assert.equal(layer(p, 'node_conv2d_myl0_1').totalMs, 193.5);
  const on = (name: string) => [...layer(p, name).onnxNodes].sort();
  assert.deepEqual(on('node_conv2d_myl0_1'), ids(m, ['node_conv2d']));
  assert.deepEqual(on('__mye59_0_myl0_0'), ids(m, ['node_conv2d']));
  assert.equal(layer(p, '__mye59_0_myl0_0').overhead, true);
  assert.deepEqual(on('Reformatting CopyNode for Input Tensor 0 to {ForeignNode[node_conv2d_1...node_relu_1]}'), ids(m, ['node_conv2d_1', 'node_relu_1']).sort());
  assert.deepEqual(on('node_linear_1_2_myl5_3'), ids(m, ['node_linear_1']));
  assert.deepEqual(on('__myl_MaxrSubExpSum_myl5_4'), ids(m, ['node_linear', 'node_linear_1']).sort());
  assert.equal(p.mappedShare, 1);
  assert.match(p.warnings.join('\n'), /Myelin kernels name no ONNX node and have no metadata: charged to every node of their Myelin region/);
});

test('a log without a profile table, or layer info without a profile: a clear error naming the file', async () => {
  const m = cookbookModel();
  await assert.rejects(importProfile([join(COOKBOOK, 'result-01.log')], m), (e: Error) => e.name === 'ProfileFormatError' && /result-01\.log: the log has no per-layer profile table \(run trtexec with --dumpProfile/.test(e.message));
  await assert.rejects(importProfile([join(COOKBOOK, 'model-trained-exportLayerInfo.log')], m), (e: Error) => e.name === 'ProfileFormatError' && /model-trained-exportLayerInfo\.log: no per-layer times/.test(e.message));
});

test('the 10.16 layer info (Metadata joined with \\x1e and \\x1f, kgen kernels) with a profile of its layers: each layer on the nodes its Metadata names, a kernel without Metadata on the producer of its output', async () => {
  const m = cookbookModel();
  const layerInfo = join(COOKBOOK, 'model-trained-exportLayerInfo.log');
  const ref = pythonJson<{ name: string; metadata: string[] }[]>(
    `import json, sys, re
print(json.dumps([{'name': l['Name'], 'metadata': [x[len('[ONNX Layer: '):-1] for x in re.split('[\\x1e\\x1f]', l['Metadata']) if x]} for l in json.load(open(sys.argv[1]))['Layers']]))`,
    layerInfo,
  );
  assert.ok(ref.some((r) => r.metadata.length > 1 && r.name.includes('myl')), 'a \\x1f-joined Myelin entry is in the fixture');
  const profile = join(dir, 'profile.json');
  // A profile of that engine's layers (the cookbook committed none): 1 ms each, 10 iterations.
  writeFileSync(profile, JSON.stringify([{ count: 10 }, ...ref.map((r) => ({ name: r.name, timeMs: 10, averageMs: 1, medianMs: 1, percentage: 100 / ref.length }))]));
  const p = readTrtexecProfile([layerInfo, profile], m);
  assert.equal(p.mappedShare, 1);
  for (const r of ref) {
    const expected = r.metadata.length ? ids(m, [...new Set(r.metadata)]) : ids(m, ['node_argmax']);
    assert.deepEqual(layer(p, r.name).onnxNodes, expected, r.name);
  }
  assert.equal(layer(p, 'node_linear_myl4_0').kind, 'gemm');
  assert.equal(layer(p, 'node_linear_myl4_0').precision, 'fp32');
  assert.match(layer(p, 'node_linear_myl4_0').tactic!, /^sm50_xmma_cublas_gemvx/);
});

test('TensorRT 8.x Myelin layers {ForeignNode[first...last]} cover the nodes between; [profile 1] suffixes are dropped; parser-inserted reshapes are overhead on their node', () => {
  const m = cookbookModel();
  const profile = join(dir, 'profile.json');
  writeFileSync(
    profile,
    JSON.stringify([
      { count: 4 },
      { name: 'node_conv2d + node_relu [profile 1]', timeMs: 4, averageMs: 1 },
      { name: '{ForeignNode[node_max_pool2d...node_linear]}', timeMs: 8, averageMs: 2 },
      { name: 'reshape_after_node_linear_1', timeMs: 4, averageMs: 1 },
      { name: 'PWN(PWN(node_softmax), node_argmax)', timeMs: 4, averageMs: 1 },
      { name: '(Unnamed Layer* 7) [Shuffle]', timeMs: 4, averageMs: 1 },
    ]),
  );
  const p = readTrtexecProfile([profile], m);
  assert.deepEqual(layer(p, 'node_conv2d + node_relu').onnxNodes, ids(m, ['node_conv2d', 'node_relu']));
  assert.deepEqual(layer(p, '{ForeignNode[node_max_pool2d...node_linear]}').onnxNodes, ids(m, ['node_max_pool2d', 'node_conv2d_1', 'node_relu_1', 'node_max_pool2d_1', 'node_view', 'node_linear']));
  assert.deepEqual(layer(p, 'reshape_after_node_linear_1').onnxNodes, ids(m, ['node_linear_1']));
  assert.equal(layer(p, 'reshape_after_node_linear_1').overhead, true);
  assert.deepEqual(layer(p, 'PWN(PWN(node_softmax), node_argmax)').onnxNodes, ids(m, ['node_softmax', 'node_argmax']));
  assert.deepEqual(layer(p, '(Unnamed Layer* 7) [Shuffle]').onnxNodes, [], 'kept, unmapped');
  assert.equal(p.layers.length, 5);
  assert.equal(p.mappedShare, 5 / 6);
  assert.equal(p.inferences, 4);
  // Layer info of the default --profilingVerbosity=layer_names_only: bare names, read as names.
  const names = join(dir, 'names.json');
  writeFileSync(names, JSON.stringify({ Layers: ['node_conv2d + node_relu [profile 1]', '(Unnamed Layer* 7) [Shuffle]'], Bindings: ['x', 'y', 'z'] }));
  const q = readTrtexecProfile([names, profile], m);
  assert.deepEqual(layer(q, 'node_conv2d + node_relu').onnxNodes, ids(m, ['node_conv2d', 'node_relu']));
  assert.match(q.warnings.join('\n'), /3 of 5 profiled layers are not in the layer information/);
});

test('a log read in small pieces gives what it gives read in one: the --dumpLayerInfo lines and the profile table cross piece boundaries', () => {
  for (const name of ['result-04.log', 'result-05.log', 'result-02.log']) {
    const whole = readTrtexecLogFile(join(COOKBOOK, name));
    assert.deepEqual(readTrtexecLogFile(join(COOKBOOK, name), 333), whole, name);
  }
  const dump = readTrtexecLogFile(join(COOKBOOK, 'result-04.log'));
  // result-04.log lists 9 layers after "Layers:", the Myelin one with "[ONNX Layer: node_linear]\x1f[ONNX Layer: node_relu_2]".
  assert.equal(dump.layers!.length, 9);
  assert.deepEqual(dump.layers!.find((l) => l.name === 'node_linear_myl4_0')!.onnxNames, ['node_linear', 'node_relu_2']);
  assert.equal(dump.precision, 'FP32');
});

test('the TensorRT 7 / early 8 table (name first, no median) and DLA subgraphs {a,b,c}', async () => {
  const m = cookbookModel();
  // The layout of TensorRT 7.1's --dumpProfile (as printed on JetPack 4.5), with this model's layer names.
  const log = join(dir, 'trt7.log');
  writeFileSync(
    log,
    [
      '&&&& RUNNING TensorRT.trtexec # trtexec --loadEngine=m.plan --dumpProfile',
      '[I] === Profile (200 iterations ) ===',
      '[I]                           Layer   Time (ms)   Avg. Time (ms)   Time %',
      '[I]                     data to nvm       10.00             0.05     10.0',
      '[I] {node_conv2d,node_relu,node_max_pool2d}       60.00             0.30     60.0',
      '[I]         node_linear + node_relu_2       30.00             0.15     30.0',
      '[I]                           Total      100.00             0.50    100.0',
      '[I] ',
      '&&&& PASSED TensorRT.trtexec # trtexec --loadEngine=m.plan --dumpProfile',
    ].join('\n'),
  );
  const p = await importProfile([log], m);
  assert.equal(p.inferences, 200);
  assert.deepEqual(p.layers.map((l) => [l.name, l.totalMs, l.avgMs, l.medianMs]), [
    ['{node_conv2d,node_relu,node_max_pool2d}', 60, 0.3, undefined],
    ['node_linear + node_relu_2', 30, 0.15, undefined],
    ['data to nvm', 10, 0.05, undefined],
  ]);
  assert.deepEqual(layer(p, '{node_conv2d,node_relu,node_max_pool2d}').onnxNodes, ids(m, ['node_conv2d', 'node_relu', 'node_max_pool2d']));
  assert.deepEqual(layer(p, 'data to nvm').onnxNodes, []);
  assert.ok(Math.abs(p.mappedShare - 0.9) < 1e-12);
});
