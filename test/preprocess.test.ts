import assert from 'node:assert/strict';
import { join } from 'node:path';
import test, { after } from 'node:test';
import * as ort from 'onnxruntime-node';
import { constantTensor } from '../src/onnx/edit/computed-tensor';
import { ModelEdit } from '../src/onnx/edit/model-edit';
import { writeModel } from '../src/onnx/io/write-model';
import { preprocess } from '../src/optimize/preprocess/preprocess';
import { feeds } from './helpers/corpus-feeds';
import { CORPUS_DIR, ROOT } from './helpers/corpus';
import { attr, graph, model, node, tensorType, valueInfo } from './helpers/models';
import { assertValidModel, npyFiles, openForEdit, outputFolder, readNpy, removeOutputs, runModel } from './helpers/quantize-run';

after(removeOutputs);

const RESNET_BN = join(ROOT, '.cache', 'models', 'resnet18-bn.onnx');

const runPlain = (path: string, input: Record<string, ort.Tensor>): Promise<Float32Array[]> => runModel(path, input, 'disabled');

function assertRelativelyEqual(a: Float32Array, b: Float32Array, tolerance: number): void {
  assert.equal(a.length, b.length);
  const scale = a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const worst = a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
  assert.ok(worst <= tolerance * scale, `max abs difference ${worst} against max abs value ${scale}`);
}

/** Identity nodes, in any graph, whose output is not an output of their graph. */
const removableIdentities = (edit: ModelEdit): number => edit.graphs().flatMap((g) => g.nodes.filter((n) => n.op_type === 'Identity' && !g.isGraphOutput(n.output[0]!))).length;

function preprocessed(path: string): { out: string; result: ReturnType<typeof preprocess>; edit: ModelEdit } {
  const { edit, files } = openForEdit(path);
  try {
    const result = preprocess(edit, files);
    const out = writeModel(edit.proto, files, join(outputFolder(), 'pre.onnx'), { protect: [path] }).path;
    return { out, result, edit };
  } finally {
    files.close();
  }
}

test('ResNet-18 exported with its BatchNormalization nodes: every one folds into its Conv, Identity nodes go, Conv names stay; ORT gives the same outputs within 1e-5 relative', async () => {
  const { edit: before, files } = openForEdit(RESNET_BN);
  const convNames = before.main.nodes.filter((n) => n.op_type === 'Conv').map((n) => n.name);
  const batchNorms = before.main.nodes.filter((n) => n.op_type === 'BatchNormalization').length;
  const identities = removableIdentities(before);
  files.close();
  assert.ok(batchNorms >= 20);
  const { out, result, edit } = preprocessed(RESNET_BN);
  assert.equal(result.batchNormsFolded, batchNorms);
  assert.equal(result.identitiesRemoved, identities);
  assert.ok(result.valuesTyped > 0);
  const ops = edit.main.nodes.map((n) => n.op_type);
  assert.ok(!ops.includes('BatchNormalization') && !ops.includes('Identity'));
  assert.deepEqual(edit.main.nodes.filter((n) => n.op_type === 'Conv').map((n) => n.name), convNames);
  assertValidModel(out);
  for (const f of npyFiles(join(ROOT, '.cache', 'data', 'imagenet224', 'eval')).slice(0, 2)) {
    const input = { input: readNpy(f) };
    const [[a], [b]] = [await runPlain(RESNET_BN, input), await runPlain(out, input)];
    assertRelativelyEqual(a!, b!, 1e-5);
  }
});

test('Silero VAD v5 (If branches): Identity nodes that write graph outputs stay, the others go; outputs unchanged', async () => {
  const vad = join(CORPUS_DIR, 'silero_vad_v5.onnx');
  const { edit: before, files } = openForEdit(vad);
  const identities = removableIdentities(before);
  const kept = before.graphs().flatMap((g) => g.nodes.filter((n) => n.op_type === 'Identity' && g.isGraphOutput(n.output[0]!))).length;
  files.close();
  assert.ok(kept > 0);
  const { out, result, edit } = preprocessed(vad);
  assert.equal(result.identitiesRemoved, identities);
  assert.equal(edit.graphs().flatMap((g) => g.nodes.filter((n) => n.op_type === 'Identity')).length, kept);
  assertValidModel(out);
  const [a, b] = [await runPlain(vad, feeds(vad)), await runPlain(out, feeds(vad))];
  assert.deepEqual(b, a);
});

test('an Identity that is a graph output stays; a BatchNormalization whose Conv output has a second reader is not folded', () => {
  const f = (name: string, dims: number[], v: number[]): ReturnType<typeof constantTensor> => constantTensor(name, 1, dims, Float32Array.from(v));
  const m = model(
    graph({
      input: [valueInfo('x', tensorType(1, [1, 1, 2, 2]))],
      output: [valueInfo('y', tensorType(1, [1, 1, 2, 2])), valueInfo('c', tensorType(1, [1, 1, 2, 2])), valueInfo('out', tensorType(1, [1, 1, 2, 2]))],
      initializer: [f('w', [1, 1, 1, 1], [2]), f('s', [1], [1]), f('b', [1], [0]), f('m', [1], [0]), f('v', [1], [1])],
      node: [
        node('Identity', ['x'], ['x1'], [], 'id_mid'),
        node('Conv', ['x1', 'w'], ['c'], [], 'conv'),
        node('BatchNormalization', ['c', 's', 'b', 'm', 'v'], ['y'], [], 'bn'),
        node('Identity', ['y'], ['out'], [], 'id_out'),
      ],
    }),
  );
  const edit = new ModelEdit(m);
  const r = preprocess(edit, undefined);
  assert.equal(r.identitiesRemoved, 1);
  assert.equal(r.batchNormsFolded, 0, 'the Conv output c is a graph output too');
  assert.deepEqual(edit.main.nodes.map((n) => n.name), ['conv', 'bn', 'id_out']);
  assert.equal(edit.main.nodes[0]!.input[0], 'x');
});

test('an Identity whose output an If branch returns as its own output stays (the branch would return an outer value directly)', () => {
  const branch = graph({ name: 'b', output: [valueInfo('x1', tensorType(1, [2]))] });
  const ifAttr = (name: string) => ({ ...attr(name, branch), name });
  const m = model(
    graph({
      input: [valueInfo('x', tensorType(1, [2])), valueInfo('c', tensorType(9, []))],
      output: [valueInfo('y', tensorType(1, [2]))],
      node: [node('Identity', ['x'], ['x1'], [], 'id'), node('If', ['c'], ['y'], [ifAttr('then_branch'), ifAttr('else_branch')], 'if')],
    }),
  );
  const edit = new ModelEdit(m);
  assert.equal(preprocess(edit, undefined).identitiesRemoved, 0);
  assert.ok(edit.main.nodes.some((n) => n.name === 'id'));
});
