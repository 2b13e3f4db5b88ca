import { dirname } from 'node:path';
import { externalDataFiles } from '../onnx/text/weights';
import { CATEGORIES, categoryOf, IO_CATEGORY } from '../analysis/op-category';
import { opKey, summarizeModel } from '../analysis/summary';
import type { InferenceResult } from '../onnx/infer/infer';
import type { Graph, Model, Value } from '../onnx/model/graph';
import { namespaceOf } from '../onnx/model/namespace';
import { typeToString } from '../onnx/model/value-type';
import { NodeKind, type GraphPayload, type ModelInfo } from '../protocol/graph-payload';

/** Interns strings into a table; returns indices. */
class Table {
  readonly items: string[] = [];
  private readonly index = new Map<string, number>();
  of(s: string): number {
    let i = this.index.get(s);
    if (i === undefined) {
      i = this.items.length;
      this.items.push(s);
      this.index.set(s, i);
    }
    return i;
  }
}

export function modelInfo(file: string, model: Model): ModelInfo {
  const s = summarizeModel(model);
  return {
    file,
    irVersion: s.irVersion,
    producer: [s.producerName, s.producerVersion].filter(Boolean).join(' '),
    opsets: s.opsetImports,
    metadata: s.metadataProps,
    nodeCount: s.nodeCount,
    totalNodeCount: s.totalNodeCount,
    parameterCount: s.parameterCount,
    weightBytes: s.weightBytes,
    dataFiles: externalDataFiles(model.proto, dirname(file)),
  };
}

/** The graph with this id prefix ('' main) or undefined. */
export function findGraph(model: Model, graphId: string): Graph | undefined {
  for (const g of model.graphs()) if (g.id === graphId) return g;
  return undefined;
}

/**
 * Graph levels above this many nodes are not sent to the view (a million-node level would be an
 * ~80 MB message and seconds of work on both sides): the view says so and shows the graph's
 * inputs and outputs; `onnx-studio inspect` and `check` still cover the whole model.
 */
const MAX_VIEW_NODES = 250_000;

export function tooLargeMessage(g: Graph): string | undefined {
  if (g.nodes.length <= MAX_VIEW_NODES) return undefined;
  return `This graph has ${g.nodes.length.toLocaleString('en-US')} nodes, more than the ${MAX_VIEW_NODES.toLocaleString('en-US')} the graph view draws: only its inputs and outputs are shown. The properties here, Go to Node…, and \`onnx-studio inspect\` / \`check\` cover the whole model.`;
}

/**
 * How a graph level's payload nodes group, in payload order (graph inputs, initializers, op
 * nodes, graph outputs): each one's namespace, and which stay at the top (inputs and outputs).
 * The canvas and the ONNX Graph tree view both group these (analysis/namespace-groups), so
 * they split levels into the same sections.
 */
export function levelGrouping(g: Graph): { namespaces: string[]; atTop: Uint8Array } {
  const inputs = g.inputs.filter((v) => !v.initializer).length;
  const namespaces = [...new Array<string>(firstOpIndex(g)).fill(''), ...g.nodes.map((n) => namespaceOf(n.name)), ...new Array<string>(g.outputs.length).fill('')];
  const atTop = new Uint8Array(namespaces.length);
  atTop.fill(1, 0, inputs);
  atTop.fill(1, namespaces.length - g.outputs.length);
  return { namespaces, atTop };
}

/** Where a level's op nodes start in its payload: after the graph inputs and the initializers. */
export function firstOpIndex(g: Graph): number {
  return g.inputs.filter((v) => !v.initializer).length + g.initializers.length;
}

/** One graph level in columnar form: op nodes, graph inputs/outputs and initializers as pseudo-nodes, edges per value. */
export function graphPayload(g: Graph, inference: InferenceResult): GraphPayload {
  const tooLarge = g.nodes.length > MAX_VIEW_NODES;
  const ops = new Table();
  const namespaces = new Table();
  const values = new Table();
  const nodes: GraphPayload['nodes'] = { id: [], name: [], kind: [], op: [], namespace: [], category: [], subgraphs: [] };
  const valueTypes: string[] = [];
  const valueInferred: boolean[] = [];
  const edges: GraphPayload['edges'] = { from: [], to: [], value: [] };
  const producerIndex = new Map<Value, number>();
  const nodeNamespaces = tooLarge ? [] : levelGrouping(g).namespaces;

  const valueIndex = (v: Value): number => {
    const i = values.of(v.name);
    if (i === valueTypes.length) {
      const t = inference.typeOf(v);
      valueTypes.push(t ? typeToString(t) : '');
      valueInferred.push(!v.type && !!t);
    }
    return i;
  };
  const addNode = (id: string, name: string, kind: NodeKind, op: string, category: number, subgraphs = ''): number => {
    nodes.id.push(id);
    nodes.name.push(name);
    nodes.kind.push(kind);
    nodes.op.push(ops.of(op));
    nodes.namespace.push(namespaces.of(nodeNamespaces[nodes.id.length - 1] ?? ''));
    nodes.category.push(category);
    nodes.subgraphs.push(subgraphs);
    return nodes.id.length - 1;
  };

  for (const v of g.inputs) if (!v.initializer) producerIndex.set(v, addNode(`${g.id}#input:${v.name}`, v.name, NodeKind.Input, 'Input', IO_CATEGORY));
  for (const t of g.initializers) {
    const v = g.values.get(t.name)!;
    producerIndex.set(v, addNode(`${g.id}#initializer:${t.name}`, t.name, NodeKind.Initializer, 'Initializer', IO_CATEGORY));
  }
  const opIndex: number[] = [];
  for (const n of tooLarge ? [] : g.nodes) {
    const kind = n.opType === 'Constant' && n.domain === '' ? NodeKind.Constant : NodeKind.Op;
    const i = addNode(n.id, n.name, kind, opKey(n.domain, n.opType), categoryOf(n.opType), [...n.subgraphs].sort(thenFirst).map((s) => s.id).join('\n'));
    n.outputs.forEach((_, k) => {
      const v = n.outputValue(k);
      if (v && v.producer === n) producerIndex.set(v, i);
    });
    opIndex.push(i);
  }
  const link = (v: Value | undefined, to: number): void => {
    if (!v) return;
    const from = producerIndex.get(g.definitionOf(v) ?? v);
    if (from === undefined) return; // an outer-scope value: shown in the enclosing graph
    edges.from.push(from);
    edges.to.push(to);
    edges.value.push(valueIndex(v));
  };
  if (!tooLarge) {
    g.nodes.forEach((n, k) => {
      for (let i = 0; i < n.inputs.length; i++) link(n.inputValue(i), opIndex[k]!);
    });
  }
  for (const v of g.outputs) link(v, addNode(`${g.id}#output:${v.name}`, v.name, NodeKind.Output, 'Output', IO_CATEGORY));

  return {
    graphId: g.id,
    breadcrumbs: breadcrumbs(g),
    opTable: ops.items,
    categoryTable: [...CATEGORIES],
    namespaceTable: namespaces.items,
    nodes,
    edges,
    values: { name: values.items, type: valueTypes, inferred: valueInferred },
  };
}

/** Opening a node enters its first subgraph: an If's then_branch before its else_branch. */
const thenFirst = (a: Graph, b: Graph): number => Number(b.owner?.attribute === 'then_branch') - Number(a.owner?.attribute === 'then_branch');

function breadcrumbs(g: Graph): GraphPayload['breadcrumbs'] {
  const out: GraphPayload['breadcrumbs'] = [];
  for (let cur: Graph | undefined = g; cur; cur = cur.parent) {
    const o = cur.owner;
    out.unshift({ graphId: cur.id, label: o ? `${o.node.name || o.node.id} · ${o.attribute}${o.index === undefined ? '' : `[${o.index}]`}` : 'main graph' });
  }
  return out;
}
