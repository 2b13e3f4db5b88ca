import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'node:test';
import * as ort from 'onnxruntime-node';
import { computedTensor, constantTensor } from '../src/onnx/edit/computed-tensor';
import { ModelEdit } from '../src/onnx/edit/model-edit';
import { newNode } from '../src/onnx/edit/proto-factory';
import { topologicalOrder, GraphCycleError } from '../src/onnx/edit/topological-order';
import { DiskModelFiles } from '../src/onnx/io/model-files';
import { writeModel } from '../src/onnx/io/write-model';
import { decodeModelProto, openModel } from '../src/onnx/open';
import { checkModel } from '../src/onnx/check/checker';
import { Tensor } from '../src/onnx/tensor';
import { feeds } from './helpers/corpus-feeds';
import { CORPUS_DIR } from './helpers/corpus';
import { model, graph, node, valueInfo, tensorType, tensorProto } from './helpers/models';
import { encodeModelBytes } from '../src/onnx/open';

const CLS = join(CORPUS_DIR, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
const VAD = join(CORPUS_DIR, 'silero_vad_v5.onnx');
const PYTHON = '/usr/bin/python3';

async function run(path: string, model: string): Promise<Float32Array[]> {
  const s = await ort.InferenceSession.create(path);
  const out = await s.run(feeds(model));
  await s.release();
  return s.outputNames.map((n) => out[n]!.data as Float32Array);
}

function pythonCheck(path: string): void {
  execFileSync(PYTHON, ['-c', 'import onnx,sys; onnx.checker.check_model(sys.argv[1])', path]);
}

/** Opens a model for editing: the proto and its files (weights stay on disk). */
function openForEdit(path: string): { edit: ModelEdit; files: DiskModelFiles } {
  const files = new DiskModelFiles(path);
  return { edit: new ModelEdit(decodeModelProto(files.model)), files };
}

test('weights replaced by computed tensors, identity nodes inserted before every Conv and a value renamed: onnxruntime gives the same outputs, both checkers accept', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edit-'));
  const { edit, files } = openForEdit(CLS);
  const g = edit.main;
  let produced = 0;
  let convs = 0;
  for (const conv of g.nodes.filter((n) => n.op_type === 'Conv')) {
    const w = g.weight(conv.input[1]!)!;
    assert.ok(w, `weight of ${conv.name}`);
    const tensor = new Tensor(w.tensor, files);
    const name = edit.uniqueName(`${conv.input[1]}_copy`);
    const copy = computedTensor(name, tensor.dtype, tensor.dims, () => {
      produced++;
      const v = tensor.read(tensor.elementCount).values as Float32Array;
      return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    });
    g.addInitializer(copy);
    const old = conv.input[1]!;
    g.setInput(conv, 1, name);
    g.dropIfUnread(old);
    const x = edit.uniqueName(`${conv.name}_input`);
    g.addNode(newNode({ op: 'Identity', name: edit.uniqueName(`${conv.name}_Identity`), inputs: [conv.input[0]!], outputs: [x] }));
    g.setInput(conv, 0, x);
    convs++;
  }
  assert.ok(convs > 10);
  // A value in the middle renamed everywhere.
  const middle = g.nodes.find((n) => n.op_type === 'Relu' || n.op_type === 'HardSwish')!.output[0]!;
  g.renameValue(middle, `${middle}_renamed`);
  edit.sortTopologically();
  assert.equal(produced, 0, 'computed tensors are produced while encoding, not before');
  const out = join(dir, 'edited.onnx');
  writeModel(edit.proto, files, out, { protect: [CLS] });
  assert.equal(produced, convs);
  files.close();
  const [a, b] = [await run(CLS, CLS), await run(out, CLS)];
  assert.deepEqual(b, a);
  const m = openModel(out);
  assert.deepEqual(checkModel(m).filter((d) => d.severity === 'error'), []);
  m.close();
  pythonCheck(out);
});

test('an outer value that If subgraphs read is renamed inside them too; weights inside subgraphs are found', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'edit-'));
  const { edit, files } = openForEdit(VAD);
  const graphs = edit.graphs();
  assert.ok(graphs.length > 20);
  const sub = graphs.find((g) => g.parent && g.nodes.some((n) => n.op_type === 'Conv'))!;
  const conv = sub.nodes.find((n) => n.op_type === 'Conv')!;
  assert.ok(sub.weight(conv.input[1]!), 'a Conv weight inside an If branch');
  // Silero's If branches read the graph input `state` directly: rename it everywhere.
  const old = 'state';
  assert.ok(edit.main.isRead(old) && edit.graphs().some((g) => g.parent && g.nodes.some((n) => n.input.includes(old))));
  edit.main.renameValue(old, 'renamed_state');
  const reads = edit.graphs().flatMap((g) => [...g.nodes.flatMap((n) => n.input), ...g.proto.output.map((o) => o.name)]);
  assert.ok(!reads.includes(old), `no read of '${old}' is left, in any branch`);
  assert.ok(edit.graphs().some((g) => g.parent && g.nodes.some((n) => n.input.includes('renamed_state'))), 'branches read the new name');
  const out = join(dir, 'vad.onnx');
  writeModel(edit.proto, files, out, { protect: [VAD] });
  files.close();
  const { state, ...rest } = feeds(VAD);
  const s = await ort.InferenceSession.create(out);
  const got = await s.run({ ...rest, renamed_state: state! });
  await s.release();
  assert.deepEqual(s.outputNames.map((n) => got[n]!.data), await run(VAD, VAD));
});

test('an inserted node lands just before its first reader; a 200,000-node chain in reverse order sorts without recursion; a cycle is named', () => {
  const n = 200_000;
  const nodes = Array.from({ length: n }, (_, i) => newNode({ op: 'Relu', name: `r${i}`, inputs: [i ? `v${i - 1}` : 'x'], outputs: [`v${i}`] }));
  const sorted = topologicalOrder([...nodes].reverse());
  assert.equal(sorted.length, n);
  assert.ok(sorted.every((s, i) => s === nodes[i]));
  const a = newNode({ op: 'Relu', name: 'a', inputs: ['x'], outputs: ['y'] });
  const b = newNode({ op: 'Relu', name: 'b', inputs: ['y'], outputs: ['z'] });
  const inserted = newNode({ op: 'Identity', name: 'i', inputs: ['y'], outputs: ['y2'] });
  const c = newNode({ op: 'Relu', name: 'c', inputs: ['y2'], outputs: ['w'] });
  assert.deepEqual(topologicalOrder([a, b, c, inserted]).map((x) => x.name), ['a', 'b', 'i', 'c']);
  const p = newNode({ op: 'Relu', name: 'p', inputs: ['q_out'], outputs: ['p_out'] });
  const q = newNode({ op: 'Relu', name: 'q', inputs: ['p_out'], outputs: ['q_out'] });
  assert.throws(() => topologicalOrder([p, q]), GraphCycleError);
});

test('a weight shared through Identity nodes is found from each reader; dropping one reader keeps it for the other; names stay unique', () => {
  const w = tensorProto({ name: 'w', dims: [2], data_type: 1, float_data: [1, 2] });
  const m = model(
    graph({
      input: [valueInfo('x', tensorType(1, [2]))],
      output: [valueInfo('y1', tensorType(1, [2])), valueInfo('y2', tensorType(1, [2]))],
      initializer: [w],
      node: [node('Identity', ['w'], ['w_a'], [], 'id_a'), node('Identity', ['w'], ['w_b'], [], 'id_b'), node('Mul', ['x', 'w_a'], ['y1'], [], 'm1'), node('Mul', ['x', 'w_b'], ['y2'], [], 'm2')],
    }),
  );
  const edit = new ModelEdit(m);
  const g = edit.main;
  assert.equal(g.weight('w_a')?.tensor, w);
  assert.equal(g.weight('w_b')?.tensor, w);
  const m1 = g.nodes.find((n) => n.name === 'm1')!;
  g.addInitializer(constantTensor(edit.uniqueName('w'), 1, [2], Float32Array.from([3, 4])));
  assert.equal(g.initializer('w_1')?.name, 'w_1');
  g.setInput(m1, 1, 'w_1');
  g.dropIfUnread('w_a');
  assert.ok(!g.nodes.some((n) => n.name === 'id_a'), 'the Identity nobody reads is gone');
  assert.ok(g.initializer('w'), 'the shared weight stays for m2');
  assert.equal(edit.uniqueName('m1'), 'm1_1');
});

test('before IR 4 an added initializer is also a graph input (python onnx.checker requires it)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edit-'));
  const m = model(graph({ input: [valueInfo('x', tensorType(1, [2]))], output: [valueInfo('y', tensorType(1, [2]))], node: [node('Relu', ['x'], ['y'], [], 'r')] }), 7, { ir_version: 3 });
  const edit = new ModelEdit(m);
  edit.main.addInitializer(constantTensor('k', 1, [2], Float32Array.from([1, 2])));
  const n = edit.main.nodes[0]!;
  edit.main.addNode(newNode({ op: 'Add', name: 'add', inputs: ['y0', 'k'], outputs: ['y'] }));
  n.output = ['y0'];
  edit.main.sortTopologically();
  assert.ok(edit.proto.graph!.input.some((i) => i.name === 'k'));
  const path = join(dir, 'ir3.onnx');
  writeModel(edit.proto, undefined, path, { protect: [] });
  pythonCheck(path);
});

test('an output over the single-file limit keeps its larger weights in a data file beside it; python onnx reads the same values', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edit-'));
  const { edit, files } = openForEdit(CLS);
  const out = join(dir, 'split.onnx');
  const written = writeModel(edit.proto, files, out, { protect: [CLS], singleFileLimit: 100_000 });
  files.close();
  assert.equal(written.dataPath, `${out}.data`);
  assert.ok(statSync(out).size < statSync(CLS).size / 2, 'the model file keeps only the small tensors');
  assert.ok(existsSync(written.dataPath!));
  const script = `
import onnx, sys, numpy as np
from onnx import numpy_helper
a = onnx.load(sys.argv[1]); b = onnx.load(sys.argv[2])
onnx.checker.check_model(sys.argv[2])
ta = {t.name: numpy_helper.to_array(t) for t in a.graph.initializer}
for n in a.graph.node:
  for at in n.attribute:
    if at.type == onnx.AttributeProto.TENSOR: ta[n.output[0]] = numpy_helper.to_array(at.t)
tb = {t.name: numpy_helper.to_array(t) for t in b.graph.initializer}
for n in b.graph.node:
  for at in n.attribute:
    if at.type == onnx.AttributeProto.TENSOR: tb[n.output[0]] = numpy_helper.to_array(at.t)
assert ta.keys() == tb.keys()
assert all(np.array_equal(ta[k], tb[k]) for k in ta)
c = onnx.load(sys.argv[2], load_external_data=False)
print(sum(1 for t in c.graph.initializer if t.data_location == 1) + sum(1 for n in c.graph.node for at in n.attribute if at.type == 4 and at.t.data_location == 1))
`;
  const moved = Number(execFileSync(PYTHON, ['-c', script, CLS, out], { encoding: 'utf8' }).trim());
  assert.ok(moved > 0, 'some tensors went to the data file');
  assert.ok(readFileSync(written.dataPath!).length > 0);
});

test('writeModel refuses the input as output and leaves it as it was', () => {
  const dir = mkdtempSync(join(tmpdir(), 'edit-'));
  const bytes = encodeModelBytes(model(graph({ input: [valueInfo('x', tensorType(1, [2]))], output: [valueInfo('y', tensorType(1, [2]))], node: [node('Relu', ['x'], ['y'])] })));
  const path = join(dir, 'm.onnx');
  writeFileSync(path, bytes);
  const edit = new ModelEdit(decodeModelProto(new DiskModelFiles(path).model));
  assert.throws(() => writeModel(edit.proto, undefined, path, { protect: [path] }), /refusing to write over/);
  assert.equal(Buffer.compare(readFileSync(path), bytes), 0);
});
