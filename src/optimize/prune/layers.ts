/**
 * The layers a pruner may change (issue 11): Conv, Gemm and MatMul of the main graph whose
 * weight is a float32 initializer or Constant, possibly behind Identity nodes. Everything
 * else of those op types is listed with the reason it stays. Shared by every method: each
 * layer says where its output channels and its reduction axis lie in the weight, and which
 * other reads the weight tensor has (a pruner that changes it copies it for the pruned node
 * when one of those reads must keep the old values).
 */
import type { GraphEdit, WeightSource } from '../../onnx/edit/graph-edit';
import type { ModelEdit } from '../../onnx/edit/model-edit';
import { namesReadInSubgraphs, nodeSubgraphs } from '../../onnx/edit/subgraphs';
import { topologicalOrder } from '../../onnx/edit/topological-order';
import { dataTypeName } from '../../onnx/dtypes';
import type { ModelFiles } from '../../onnx/io/model-files';
import type { NodeProto, TensorProto } from '../../onnx/proto/types';
import { weightDims } from '../preprocess/weights';
import type { NodeIds, PruneOptions, SkippedLayer } from './types';

export const PRUNABLE_OPS: readonly string[] = ['Conv', 'Gemm', 'MatMul'];
const FLOAT = 1;

/** One read of a weight tensor: a node input (any graph, through Identity nodes), or a graph output (node undefined). */
export interface WeightRead {
  graph: GraphEdit;
  node?: NodeProto;
  input: number;
}

export interface PrunableLayer {
  node: NodeProto;
  /** Node id (DESIGN.md §2), or the node's name where the ids do not know it. */
  id: string;
  opType: string;
  graph: GraphEdit;
  /** The input that holds the weight (Conv W, Gemm B, MatMul B: always 1). */
  weightInput: number;
  /** The name the node reads (an Identity's output, possibly). */
  weightName: string;
  source: WeightSource;
  /** The initializer's name or the Constant's output: what the report calls the weight. */
  sourceName: string;
  dims: number[];
  elements: number;
  /** The weight axis of the layer's output channels / features (Conv 0, Gemm 0 or 1 per transB, MatMul last). */
  outputAxis: number;
  /** The weight axis summed over with the input (Conv 1 = C/group, Gemm K per transB, MatMul second-to-last). */
  reductionAxis: number;
  /** Conv's `group` (1 for the others). */
  group: number;
  /** Every read of the weight tensor other than this layer's own (nodes of any graph, graph outputs). */
  otherReads: WeightRead[];
}

export interface PrunableLayers {
  /** In topological order of the main graph. */
  layers: PrunableLayer[];
  skipped: SkippedLayer[];
}

/**
 * The layers `options` lets a pruner change, and the Conv/Gemm/MatMul nodes it may not, with
 * why: op type or node excluded, inside an If/Loop/Scan subgraph, a weight that is not a
 * float32 constant (computed by another op, a graph input, another dtype), a shape the op
 * cannot have, or the first/last prunable layer (`keepFirstLast`, default true). First and
 * last are the prunable layers with no other prunable layer between them and the graph's
 * inputs (first) or outputs (last), over the op types considered, before node exclusions.
 */
export function prunableLayers(edit: ModelEdit, _files: ModelFiles | undefined, options: PruneOptions, ids: NodeIds): PrunableLayers {
  const considered = opFilter(options);
  const excluded = new Set(options.excludeNodes ?? []);
  const skipped: SkippedLayer[] = [];
  const idOf = (n: NodeProto): string => ids.get(n) ?? n.name ?? '';
  const skip = (n: NodeProto, reason: string): void => void skipped.push({ node: idOf(n), opType: n.op_type ?? '', reason });

  const main = edit.main;
  const order = topologicalOrder(main.nodes);
  const candidates = new Map<NodeProto, PrunableLayer>();
  for (const n of order) {
    const op = n.op_type ?? '';
    if (n.domain || !PRUNABLE_OPS.includes(op)) {
      if (!n.domain && options.includeOps?.includes(op)) skip(n, `${op} is not a prunable op type (${PRUNABLE_OPS.join(', ')})`);
      continue;
    }
    if (!considered(op)) {
      if (options.includeOps || options.excludeOps?.includes(op)) skip(n, `op type ${op} is excluded`);
      continue;
    }
    const found = layerOf(main, n, idOf(n));
    if (typeof found === 'string') skip(n, found);
    else candidates.set(n, found);
  }
  const ends = options.keepFirstLast === false ? new Map<NodeProto, string>() : firstAndLast(order, candidates);
  const reads = weightReads(edit, new Set([...candidates.values()].map((l) => l.source.tensor)));
  const layers: PrunableLayer[] = [];
  for (const [n, layer] of candidates) {
    if (excluded.has(layer.id) || (n.name && excluded.has(n.name))) skip(n, 'excluded by name');
    else if (ends.has(n)) skip(n, ends.get(n)!);
    else {
      layer.otherReads = (reads.get(layer.source.tensor) ?? []).filter((r) => !(r.node === n && r.input === layer.weightInput && r.graph === main));
      layers.push(layer);
    }
  }
  for (const g of edit.graphs().slice(1)) {
    for (const n of g.nodes) if (!n.domain && considered(n.op_type ?? '')) skip(n, `inside a subgraph of '${g.owner?.name || g.owner?.op_type}' (${g.owner?.op_type}): layers in If/Loop/Scan bodies are left`);
  }
  return { layers, skipped };
}

function opFilter(options: PruneOptions): (op: string) => boolean {
  const include = new Set(options.includeOps ?? PRUNABLE_OPS);
  const exclude = new Set(options.excludeOps ?? []);
  return (op) => PRUNABLE_OPS.includes(op) && include.has(op) && !exclude.has(op);
}

const intAttribute = (n: NodeProto, name: string, fallback: number): number => {
  const a = n.attribute.find((x) => x.name === name);
  return a?.i === undefined ? fallback : Number(a.i);
};

/** The layer, or why it cannot be one. */
function layerOf(g: GraphEdit, n: NodeProto, id: string): PrunableLayer | string {
  const op = n.op_type!;
  const weightName = n.input[1];
  if (!weightName) return `${op} has no weight input`;
  if (op === 'MatMul' && g.weight(n.input[0] ?? '') && !g.weight(weightName)) return 'the constant is MatMul\'s A, not its B: only B\'s weights are pruned';
  const origin = weightOrigin(g, weightName);
  if (typeof origin === 'string') return origin;
  const { source, name: sourceName } = origin;
  const dims = weightDims(source);
  const rank = dims.length;
  const elements = dims.reduce((a, b) => a * b, 1);
  if (!elements) return `weight '${sourceName}' has no elements`;
  const base = { node: n, id, opType: op, graph: g, weightInput: 1, weightName, source, sourceName, dims, elements, otherReads: [] };
  if (op === 'Conv') {
    if (rank < 3) return `Conv weight '${sourceName}' has rank ${rank}, not 3 or more`;
    const group = intAttribute(n, 'group', 1);
    return { ...base, outputAxis: 0, reductionAxis: 1, group };
  }
  if (op === 'Gemm') {
    if (rank !== 2) return `Gemm weight '${sourceName}' has rank ${rank}, not 2`;
    const transB = intAttribute(n, 'transB', 0) !== 0;
    return { ...base, outputAxis: transB ? 0 : 1, reductionAxis: transB ? 1 : 0, group: 1 };
  }
  if (rank < 2) return `MatMul weight '${sourceName}' has rank ${rank}: B needs a K axis and an N axis`;
  return { ...base, outputAxis: rank - 1, reductionAxis: rank - 2, group: 1 };
}

/** The float32 tensor behind `name` (through Identity, in this graph and enclosing ones), or why there is none. */
function weightOrigin(g: GraphEdit, name: string): { source: WeightSource; name: string } | string {
  const source = g.weight(name);
  if (source) {
    const dtype = source.tensor.data_type ?? 0;
    const sourceName = source.constant ? (source.constant.output[0] ?? name) : (source.tensor.name ?? name);
    if (dtype !== FLOAT) return `weight '${sourceName}' is ${dataTypeName(dtype)}: only float32 weights are pruned`;
    return { source, name: sourceName };
  }
  // Follow the same path g.weight took to say where it ended.
  let value = name;
  for (let steps = 0; steps < 1_000_000; steps++) {
    const scope = g.scopes().find((s) => s.producer(value) || s.initializer(value) || s.proto.input.some((i) => i.name === value));
    const p = scope?.producer(value);
    if (p?.op_type === 'Identity' && !p.domain && p.input[0]) {
      value = p.input[0];
      continue;
    }
    if (p) return `weight '${name}' is computed by ${p.domain ? `${p.domain}::` : ''}${p.op_type} '${p.name ?? ''}', not a float constant`;
    if (scope) return `weight '${name}' is a graph input, not a constant`;
    break;
  }
  return `weight '${name}' is not defined in the model`;
}

/**
 * Which candidates are the first (no candidate upstream) and last (no candidate downstream)
 * of the main graph, with the reason. One forward and one backward pass over the order;
 * values a subgraph captures count as its node's inputs.
 */
function firstAndLast(order: readonly NodeProto[], candidates: ReadonlyMap<NodeProto, unknown>): Map<NodeProto, string> {
  const reads = (n: NodeProto): string[] => (nodeSubgraphs(n).length ? [...n.input, ...namesReadInSubgraphs(n)] : n.input).filter((x) => x);
  const afterCandidate = new Set<string>();
  const beforeCandidate = new Set<string>();
  const ends = new Map<NodeProto, string>();
  for (const n of order) {
    const downstream = reads(n).some((x) => afterCandidate.has(x));
    if (candidates.has(n) && !downstream) ends.set(n, 'first prunable layer (nearest the inputs): kept, as keepFirstLast asks');
    if (downstream || candidates.has(n)) for (const o of n.output) if (o) afterCandidate.add(o);
  }
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    const upstream = n.output.some((o) => o && beforeCandidate.has(o));
    if (candidates.has(n) && !upstream) ends.set(n, ends.has(n) ? 'first and last prunable layer: kept, as keepFirstLast asks' : 'last prunable layer (nearest the outputs): kept, as keepFirstLast asks');
    if (upstream || candidates.has(n)) for (const x of reads(n)) beforeCandidate.add(x);
  }
  return ends;
}

/**
 * Every read of the given tensors in the whole model: node inputs of any graph and graph
 * outputs, seen through Identity nodes (which are not reads themselves).
 */
export function weightReads(edit: ModelEdit, tensors: ReadonlySet<TensorProto>): Map<TensorProto, WeightRead[]> {
  const out = new Map<TensorProto, WeightRead[]>();
  if (!tensors.size) return out;
  for (const g of edit.graphs()) {
    const resolved = new Map<string, TensorProto | undefined>();
    const tensorOf = (name: string): TensorProto | undefined => {
      if (!resolved.has(name)) {
        const t = g.weight(name)?.tensor;
        resolved.set(name, t && tensors.has(t) ? t : undefined);
      }
      return resolved.get(name);
    };
    const add = (t: TensorProto | undefined, read: WeightRead): void => {
      if (!t) return;
      const list = out.get(t);
      if (list) list.push(read);
      else out.set(t, [read]);
    };
    for (const n of g.nodes) {
      if (n.op_type === 'Identity' && !n.domain) continue;
      n.input.forEach((x, i) => x && add(tensorOf(x), { graph: g, node: n, input: i }));
    }
    g.proto.output.forEach((o, i) => o.name && add(tensorOf(o.name), { graph: g, input: i }));
  }
  return out;
}
