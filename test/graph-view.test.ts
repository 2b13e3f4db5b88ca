// The graph view's pure parts, on generated models: one namespace tree for the canvas and the
// ONNX Graph tree view, collapsed groups chained in data-flow order, weight-only nodes hidden
// with the weights, graph inputs in the first row, search over an index built once, and
// superseded layouts that stop the worker.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { groupPaths, groupTree, SECTION_LIMIT } from '../src/analysis/namespace-groups';
import { graphPayload, levelGrouping } from '../src/extension/graph-payload';
import { inferModel } from '../src/onnx/infer/infer';
import { openModelBytes } from '../src/onnx/open';
import { NodeKind, type GraphPayload } from '../src/protocol/graph-payload';
import { LayoutClient, type LayoutWorker } from '../webview/layout-client';
import { layeredLayout } from '../webview/layout/layered';
import { groupPaths as payloadGroupPaths } from '../webview/layout/sections';
import type { LayoutReply, LayoutRequest } from '../webview/layout/worker';
import { visibleGraph } from '../webview/layout/visible-graph';
import { layoutInput, sceneItems } from '../webview/scene';
import { matchingItems, searchTexts } from '../webview/search';
import { bytesOf, graph, model, node, tensorProto, tensorType, valueInfo } from './helpers/models';

const FLOAT = 1;
const weight = (name: string): ReturnType<typeof tensorProto> => tensorProto({ name, dims: [4], data_type: FLOAT, float_data: [1, 2, 3, 4] });

function open(m: ReturnType<typeof model>): { payload: GraphPayload; grouping: ReturnType<typeof levelGrouping> } {
  const opened = openModelBytes(bytesOf(m));
  return { payload: graphPayload(opened.graph, inferModel(opened)), grouping: levelGrouping(opened.graph) };
}

/**
 * A transformer as torchvision exports it: a patch embedding, `layers` encoder layers chained
 * under /encoder/layers/encoder_layer_N/, and each layer's shared weights copied through a
 * top-level Identity of an initializer (the rows of these made the first view blank).
 */
function transformerLike(layers: number): ReturnType<typeof model> {
  const nodes = [node('Relu', ['input'], ['x0'], [], '/conv_proj/Conv')];
  const initializer = [];
  for (let l = 0; l < layers; l++) {
    const ns = `/encoder/layers/encoder_layer_${l}`;
    initializer.push(weight(`w${l}`));
    nodes.push(node('Identity', [`w${l}`], [`wc${l}`], [], `Identity_${l}`));
    nodes.push(node('Mul', [`x${l}`, `wc${l}`], [`m${l}`], [], `${ns}/mlp/Mul`));
    nodes.push(node('Add', [`m${l}`, `x${l}`], [`x${l + 1}`], [], `${ns}/Add`));
  }
  nodes.push(node('Relu', [`x${layers}`], ['logits'], [], '/heads/head/Gemm'));
  return model(graph({ node: nodes, initializer, input: [valueInfo('input', tensorType(FLOAT, [4]))], output: [valueInfo('logits', tensorType(FLOAT, [4]))] }));
}

/** Lays out what is shown of a payload with `expanded` groups open, as the webview does. */
function layOut(p: GraphPayload, expanded: Set<string>): { label: string; group: string; kind: unknown; x: number; y: number }[] {
  const vg = visibleGraph(p, payloadGroupPaths(p), expanded);
  const { items, edges } = sceneItems(p, vg, false);
  const { shown, input } = layoutInput(items, edges, false);
  const r = layeredLayout(input);
  return shown.map((i, k) => ({ label: items[i]!.label, group: items[i]!.group, kind: items[i]!.kind, x: r.x[k]!, y: r.y[k]! }));
}

test('the canvas and the ONNX Graph tree view split a 2,500-node level into the same sections; inputs and outputs stay on top', () => {
  const n = 2500;
  const nodes = Array.from({ length: n }, (_, i) => node('Relu', [i ? `v${i - 1}` : 'x'], [`v${i}`], [], `r${i}`));
  const { payload, grouping } = open(model(graph({ node: nodes, input: [valueInfo('x', tensorType(FLOAT, [4]))], output: [valueInfo(`v${n - 1}`, tensorType(FLOAT, [4]))] })));
  const treePaths = groupPaths(grouping.namespaces, grouping.atTop);
  assert.deepEqual(treePaths, payloadGroupPaths(payload), 'one grouping for both');
  // The 2,500 nodes split into 3 sections; the graph's input and output stay beside them.
  const sections = Math.ceil(n / SECTION_LIMIT);
  const root = groupTree(treePaths).get('')!;
  assert.deepEqual(root.groups, Array.from({ length: sections }, (_, k) => `§${k + 1}`));
  assert.deepEqual(root.nodes.map((i) => payload.nodes.name[i]), ['x', `v${n - 1}`]);
});

test('a collapsed transformer is a narrow chain; its encoder layers stack in data-flow order', () => {
  const { payload } = open(transformerLike(12));
  const collapsed = layOut(payload, new Set());
  const rows = new Map<number, number>();
  for (const it of collapsed) rows.set(it.y, (rows.get(it.y) ?? 0) + 1);
  assert.ok(Math.max(...rows.values()) <= 2, `at most 2 items a row, got rows of ${[...rows.values()].join(', ')}`);
  assert.ok(!collapsed.some((it) => it.label === 'Identity'), 'weight copies hide with the weights');
  const order = [...collapsed].sort((a, b) => a.y - b.y).map((it) => it.label);
  assert.deepEqual(order, ['input', 'conv_proj', 'encoder', 'heads', 'logits']);

  const layers = layOut(payload, new Set(['encoder', 'encoder/layers'])).filter((it) => it.group.startsWith('encoder/layers/'));
  assert.equal(layers.length, 12);
  for (let l = 1; l < 12; l++) {
    const at = (k: number) => layers.find((it) => it.group === `encoder/layers/encoder_layer_${k}`)!;
    assert.ok(at(l).y > at(l - 1).y, `layer ${l} below layer ${l - 1}`);
    assert.equal(at(l).x, at(0).x, 'one column');
  }
});

test('graph inputs stay in the first row even when first read deep in the graph', () => {
  const nodes = [node('Relu', ['x'], ['a'], [], 'r0'), node('Relu', ['a'], ['b'], [], 'r1'), node('Add', ['b', 'late'], ['y'], [], 'add')];
  const inputs = [valueInfo('x', tensorType(FLOAT, [4])), valueInfo('late', tensorType(FLOAT, [4]))];
  const { payload } = open(model(graph({ node: nodes, input: inputs, output: [valueInfo('y', tensorType(FLOAT, [4]))] })));
  const laid = layOut(payload, new Set());
  const ys = laid.filter((it) => it.kind === NodeKind.Input).map((it) => it.y);
  assert.deepEqual(ys, [ys[0], ys[0]]);
  assert.equal(ys[0], Math.min(...laid.map((it) => it.y)));
});

test('search: the index built once finds what a scan of every edge finds', () => {
  const { payload: p } = open(transformerLike(5));
  const vg = visibleGraph(p, payloadGroupPaths(p), new Set(['encoder', 'encoder/layers', ...Array.from({ length: 5 }, (_, l) => `encoder/layers/encoder_layer_${l}`), 'encoder/layers/encoder_layer_0/mlp']));
  const { items } = sceneItems(p, vg, true);
  const texts = searchTexts(p, items, vg.itemOf);
  // The reference: every item's label and sublabel, and for nodes every value on an edge it touches.
  const reference = (q: string): number[] =>
    items.flatMap((it, i) => {
      const names = [it.label, it.sublabel];
      if (it.node >= 0) p.edges.from.forEach((a, e) => (a === it.node || p.edges.to[e] === it.node) && names.push(p.values.name[p.edges.value[e]!]!));
      return names.some((t) => t.toLowerCase().includes(q.toLowerCase())) ? [i] : [];
    });
  for (const q of ['x3', 'WC2', 'mul', 'encoder_layer_4', 'Identity', 'logits', 'nothing-like-this']) assert.deepEqual(matchingItems(texts, q), reference(q), q);
  assert.deepEqual(matchingItems(texts, '  '), []);
});

test('a layout superseded while running stops its worker; the newer one is answered', async () => {
  const workers: { requests: LayoutRequest[]; terminated: boolean; reply(r: Partial<LayoutReply>): void }[] = [];
  const client = new LayoutClient(() => {
    const w: LayoutWorker & (typeof workers)[number] = {
      onmessage: null,
      onerror: null,
      requests: [],
      terminated: false,
      postMessage(m) {
        w.requests.push(m);
      },
      terminate() {
        w.terminated = true;
      },
      reply(r) {
        w.onmessage?.({ data: { id: w.requests.at(-1)!.id, x: new Float64Array(), y: new Float64Array(), bounds: { width: 0, height: 0 }, ms: 0, ...r } } as MessageEvent<LayoutReply>);
      },
    };
    workers.push(w);
    return w;
  });
  const input = { count: 0, from: [], to: [], width: [], height: [] };
  const first = client.layout(input);
  const second = client.layout(input);
  assert.equal(await first, null);
  assert.equal(workers.length, 2);
  assert.ok(workers[0]!.terminated, 'the busy worker is terminated');
  workers[1]!.reply({ bounds: { width: 7, height: 9 } });
  assert.deepEqual((await second)?.bounds, { width: 7, height: 9 });
  // An idle worker is reused, not restarted.
  const third = client.layout(input);
  assert.equal(workers.length, 2);
  workers[1]!.reply({});
  assert.notEqual(await third, null);
  // A worker that crashes rejects its layout (the view says why) and is replaced by the next one.
  const fourth = client.layout(input);
  (workers[1] as unknown as LayoutWorker).onerror?.({ message: 'out of memory' } as ErrorEvent);
  await assert.rejects(fourth, /out of memory/);
  assert.ok(workers[1]!.terminated);
  void client.layout(input);
  assert.equal(workers.length, 3, 'a fresh worker after the crash');
});
