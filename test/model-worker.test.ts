// The graph editor's document loader in plain Node: the model lives in a worker thread
// (dist/model-worker.js), answers come back as transferred columns, and closing or reloading
// ends the worker. Expected node counts come from python onnx.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { MessageChannel } from 'node:worker_threads';
import { pack, unpack } from '../src/extension/columns';
import { GraphDocument } from '../src/extension/graph-document';
import { ModelWorker } from '../src/extension/model-worker-client';
import { bytesOf, graph, model, node, reluAddModel, reluChainBytes, tensorProto, tensorType, valueInfo } from './helpers/models';
import { ROOT } from './helpers/corpus';

const WORKER = join(ROOT, 'dist', 'model-worker.js');
type Uri = ConstructorParameters<typeof GraphDocument>[0];
const uri = (path: string): Uri => ({ fsPath: path }) as Uri;

/** Runs `body` with a fresh temp folder, removed afterwards. */
async function inTempDir(body: (dir: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'osw-'));
  try {
    await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The node count python onnx reads from the file (the reference). */
function pythonNodeCount(path: string): number {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import onnx, sys; print(len(onnx.load(sys.argv[1], load_external_data=False).graph.node))', path], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(r.stdout.trim());
}

test('packed results cross a MessagePort as moved buffers and unpack to the same value, hostile keys and names included', async () => {
  const names = Array.from({ length: 5000 }, (_, i) => (i % 7 === 0 ? `n\u{1F600}${i}` : i % 11 === 0 ? `lone\uD800${i}` : `node/${i}`));
  const value = {
    metadata: { $column: 'x', path: 'y', shell: [1, 2] },
    nodes: { id: names, kind: names.map((_, i) => i % 5), weight: names.map((_, i) => i / 3), big: [2 ** 40, -1], visible: names.map((_, i) => i % 2 === 0) },
    breadcrumbs: [{ graphId: '', label: 'main graph' }],
    mixed: [1, 'a', null],
    empty: [],
  };
  const expected = structuredClone(value);
  // A lone surrogate cannot survive UTF-8; it arrives as U+FFFD and nothing else moves.
  expected.nodes.id = names.map((s) => s.replace(/\uD800/g, '\uFFFD'));
  const { packed, transfer } = pack(value);
  assert.equal(packed.columns.length, 6, 'id, kind, weight, big, visible and metadata.shell became columns');
  const { port1, port2 } = new MessageChannel();
  const received = new Promise<unknown>((resolve) => port2.once('message', resolve));
  port1.postMessage(packed, transfer);
  const arrived = await received;
  port1.close();
  assert.ok(transfer.every((b) => b.byteLength === 0), 'the buffers were moved, not copied');
  assert.deepEqual(unpack(arrived as typeof packed), expected);
});

test('packed numbers keep the sign of zero', () => {
  const value = { zeros: [-0, 0, 1], floats: [-0, 0.5] };
  const back = unpack<typeof value>(pack(value).packed);
  assert.ok(Object.is(back.zeros[0], -0) && Object.is(back.floats[0], -0));
  assert.ok(Object.is(back.zeros[1], 0));
});

test('a document opens its model in a worker: counts as python onnx reads them, the graph level, details, and the open error of a non-model', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'm.onnx');
    writeFileSync(path, bytesOf(reluAddModel()));
    const doc = new GraphDocument(uri(path), { workerScript: WORKER });
    const info = (): typeof doc.info => doc.info;
    assert.equal(info(), undefined, 'the constructor returns before the model is read');
    const { graph: g } = await doc.graph('');
    assert.equal(info()?.nodeCount, pythonNodeCount(path));
    assert.equal(g.nodes.id.filter((_, i) => g.nodes.kind[i] === 0).length, pythonNodeCount(path));
    assert.deepEqual(g.values.type.slice(0, 1), ['float[1,4]'], 'inferred types reach the host');
    assert.equal((await doc.request('node/details', { nodeId: 'relu' })).opType, 'Relu');
    assert.deepEqual(await doc.request('node/locate', { nodeId: 'add' }), { graphId: '' });
    assert.equal(await doc.request('node/locate', { nodeId: 'nope' }), null);
    await assert.rejects(doc.request('tensor/read', { graphId: '', name: 'r' }), /computed when the model runs/);
    const worker = doc.worker!;
    doc.dispose();
    await worker.exited;
    assert.ok(worker.hasExited, 'dispose ends the worker');

    const pointer = join(dir, 'lfs.onnx');
    writeFileSync(pointer, 'version https://git-lfs.github.com/spec/v1\noid sha256:0\nsize 1\n');
    const bad = new GraphDocument(uri(pointer), { workerScript: WORKER });
    await assert.rejects(bad.request('graph/get', { graphId: '', orMain: true }), /Git LFS pointer/);
    assert.match(bad.error?.hint ?? '', /git lfs pull/);
    bad.dispose();
  });
});

test('a missing external data file is a warning and the graph still opens', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'ext.onnx');
    const w = tensorProto({ name: 'w', dims: [4], data_type: 1, data_location: 1, external_data: [{ key: 'location', value: 'gone.bin' }] });
    writeFileSync(path, bytesOf(model(graph({ node: [node('Add', ['x', 'w'], ['y'], [], 'add')], input: [valueInfo('x', tensorType(1, [4]))], output: [valueInfo('y', tensorType(1, [4]))], initializer: [w] }))));
    const doc = new GraphDocument(uri(path), { workerScript: WORKER });
    await doc.ready;
    assert.equal(doc.error, undefined);
    assert.equal(doc.warnings.length, 1);
    assert.match(doc.warnings[0]!, /gone\.bin/);
    doc.dispose();
  });
});

test('Save as .npy refuses to replace the external data file the model refers to, and writes elsewhere', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'ext.onnx');
    const data = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
    writeFileSync(join(dir, 'w.bin'), data);
    const w = tensorProto({ name: 'w', dims: [4], data_type: 1, data_location: 1, external_data: [{ key: 'location', value: 'w.bin' }] });
    writeFileSync(path, bytesOf(model(graph({ node: [node('Add', ['x', 'w'], ['y'], [], 'add')], input: [valueInfo('x', tensorType(1, [4]))], output: [valueInfo('y', tensorType(1, [4]))], initializer: [w] }))));
    const worker = new ModelWorker(WORKER);
    try {
      assert.ok((await worker.request('model/open', { path, infer: false })).ok);
      await assert.rejects(worker.request('tensor/save', { graphId: '', name: 'w', target: join(dir, 'w.bin') }), /refusing to write over .*w\.bin: the model refers to it/);
      assert.deepEqual(new Uint8Array(readFileSync(join(dir, 'w.bin'))), data, 'the external data is untouched');
      await worker.request('tensor/save', { graphId: '', name: 'w', target: join(dir, 'w.npy') });
      assert.ok(existsSync(join(dir, 'w.npy')));
    } finally {
      await worker.terminate();
    }
  });
});

test('closing a document while its large model is still loading ends the worker; a reload replaces it', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'chain.onnx');
    writeFileSync(path, reluChainBytes(20_000));
    const closed = new GraphDocument(uri(path), { workerScript: WORKER });
    const worker = closed.worker!;
    closed.dispose();
    await worker.exited;
    await closed.ready;
    assert.equal(closed.info, undefined, 'the cancelled load reports nothing');
    await assert.rejects(closed.request('graph/get', { graphId: '', orMain: true }), /not loaded/);

    let changed = (): void => {};
    const doc = new GraphDocument(uri(path), { workerScript: WORKER, watch: (c) => ((changed = c), { dispose: () => {} }) });
    await doc.ready;
    assert.equal(doc.info?.nodeCount, 20_000);
    const first = doc.worker!;
    writeFileSync(path, bytesOf(reluAddModel()));
    const reloaded = new Promise<void>((resolve) => doc.onDidReload(resolve));
    changed();
    await reloaded;
    await first.exited;
    assert.equal(doc.info?.nodeCount, pythonNodeCount(path));
    doc.dispose();
  });
});

test('Inspect: a worker opened without inference still summarizes; a request after terminate is refused', async () => {
  await inTempDir(async (dir) => {
    const path = join(dir, 'm.onnx');
    writeFileSync(path, bytesOf(reluAddModel()));
    const worker = new ModelWorker(WORKER);
    const opened = await worker.request('model/open', { path, infer: false });
    assert.ok(opened.ok);
    const summary = await worker.request('model/summary', {});
    assert.equal(summary.nodeCount, pythonNodeCount(path));
    await worker.terminate();
    await assert.rejects(worker.request('model/summary', {}), /closed/);
  });
});

test('Open as ONNX Text and Save as ONNX Model run in a worker: the printed text compiles back, never over the model it refers to', async () => {
  await inTempDir(async (dir) => {
    const modelPath = join(dir, 'm.onnx');
    const weights = new Float32Array(300).map((_, i) => i / 7);
    const w = tensorProto({ name: 'w', dims: [300], data_type: 1, raw_data: new Uint8Array(weights.buffer) });
    const g = graph({ node: [node('Add', ['x', 'w'], ['y'])], input: [valueInfo('x', tensorType(1, [300]))], output: [valueInfo('y', tensorType(1, [300]))], initializer: [w] });
    writeFileSync(modelPath, bytesOf(model(g)));
    const before = readFileSync(modelPath);
    const worker = new ModelWorker(WORKER);
    try {
      const textPath = join(dir, 'm.onnxtxt');
      const printed = await worker.request('text/print', { path: modelPath, textPath });
      assert.ok(printed.ok && printed.notWritten === undefined, JSON.stringify(printed));
      assert.equal(readFileSync(textPath, 'utf8'), printed.text);
      // A second print finds the text in the way: not replaced, the text comes back to open unsaved.
      const again = await worker.request('text/print', { path: modelPath, textPath });
      assert.ok(again.ok && /already exists/.test(again.notWritten ?? ''), JSON.stringify(again));
      const refs = await worker.request('text/references', { text: printed.text, folder: dir });
      assert.deepEqual(refs, { ok: true, files: [modelPath] });
      // Compiling over the model the text refers to is refused; elsewhere it writes the same weights.
      const refused = await worker.request('text/compile', { text: printed.text, textPath, target: modelPath, references: 'inline' });
      assert.ok(!refused.ok && 'problem' in refused && /refusing|refers/.test(refused.problem), JSON.stringify(refused));
      assert.deepEqual(readFileSync(modelPath), before, 'the model is untouched');
      const out = join(dir, 'out.onnx');
      const written = await worker.request('text/compile', { text: printed.text, textPath, target: out, references: 'inline' });
      assert.ok(written.ok, JSON.stringify(written));
      const r = spawnSync('/usr/bin/python3', ['-c', 'import onnx, sys; from onnx import numpy_helper; print(numpy_helper.to_array(onnx.load(sys.argv[1]).graph.initializer[0]).tobytes().hex())', out], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), Buffer.from(weights.buffer).toString('hex'));
      const bad = await worker.request('text/compile', { text: 'garbage <', textPath, target: join(dir, 'bad.onnx'), references: 'inline' });
      assert.ok(!bad.ok && 'errors' in bad && bad.errors[0]!.line === 1, JSON.stringify(bad));
      assert.ok(!existsSync(join(dir, 'bad.onnx')));
    } finally {
      await worker.terminate();
    }
  });
});
