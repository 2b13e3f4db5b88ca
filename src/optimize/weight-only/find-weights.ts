/**
 * Finds the float constants that may be stored as int8 behind a DequantizeLinear although no
 * quantized operator reads them: those whose every read, through data-movement ops only
 * (movement-ops.ts), ends at a recurrent op's W or R input. Silero VAD v5 keeps its LSTM
 * weights as Constant nodes that Slice → Concat → Unsqueeze chains, inside nested If
 * branches, cut into the gate blocks both LSTMs read. A constant with any other reader (an
 * Add, a graph output, a Slice's `starts`) stays as it is. Work lists, no recursion: a chain
 * of any depth costs its length.
 */
import type { GraphEdit, WeightSource } from '../../onnx/edit/graph-edit';
import type { ModelEdit } from '../../onnx/edit/model-edit';
import { namesReadInSubgraphs } from '../../onnx/edit/subgraphs';
import type { NodeProto } from '../../onnx/proto/types';
import { isRecurrentWeight, movesData, RECURRENT_WEIGHT_INPUTS } from './movement-ops';

const FLOAT = 1;
/** Fewer values save less than a scale, a DequantizeLinear and three names cost. */
export const MIN_ELEMENTS = 128;

/** Which recurrent nodes may read weight-only int8 weights: the transform's op and node lists. */
export interface WeightOnlyFilter {
  /** Only these op types are quantized (undefined: the recurrent ones are in). */
  includeOps?: readonly string[];
  excludeOps?: readonly string[];
  /** Only these nodes (names or ids), when given. */
  includeNodes?: readonly string[];
  /** Names or ids. */
  excludeNodes?: readonly string[];
  /** A node's id (model/graph.ts), for lists that name nodes by id. */
  idOf?: (node: NodeProto) => string | undefined;
}

/** One read of the constant's own name: what the writer points at the DequantizeLinear. */
export interface ConstantRead {
  graph: GraphEdit;
  node: NodeProto;
  input: number;
}

export interface WeightOnlyCandidate {
  source: WeightSource;
  /** The value the constant defines. */
  name: string;
  reads: ConstantRead[];
  /** The recurrent nodes its values reach. */
  consumers: NodeProto[];
}

export function findWeightOnly(edit: ModelEdit, filter: WeightOnlyFilter): WeightOnlyCandidate[] {
  const graphs = edit.graphs();
  const children = new Map<GraphEdit, GraphEdit[]>();
  for (const g of graphs) if (g.parent) children.set(g.parent, [...(children.get(g.parent) ?? []), g]);
  const allowed = nodeFilter(filter);
  const sources = new Map<unknown, { source: WeightSource; name: string }>();
  for (const g of graphs) {
    for (const node of g.nodes) {
      if (node.domain || !RECURRENT_WEIGHT_INPUTS[node.op_type ?? ''] || !allowed(node)) continue;
      for (const i of RECURRENT_WEIGHT_INPUTS[node.op_type!]!) {
        const name = node.input[i];
        if (name) for (const s of constantsBehind(g, name)) sources.set(s.source.tensor, s);
      }
    }
  }
  const readBelow = new Map<NodeProto, Set<string>>();
  const namesBelow = (g: GraphEdit): Set<string> => {
    let names = readBelow.get(g.owner!);
    if (!names) readBelow.set(g.owner!, (names = namesReadInSubgraphs(g.owner!)));
    return names;
  };
  const out: WeightOnlyCandidate[] = [];
  for (const { source, name } of sources.values()) {
    const reached = readersIfMovementOnly(source.graph, name, children, namesBelow, allowed);
    if (reached) out.push({ source, name, ...reached });
  }
  return out;
}

function nodeFilter(f: WeightOnlyFilter): (node: NodeProto) => boolean {
  const include = f.includeOps && new Set(f.includeOps);
  const excludeOps = new Set(f.excludeOps ?? []);
  const includeNodes = f.includeNodes?.length ? new Set(f.includeNodes) : undefined;
  const excludeNodes = new Set(f.excludeNodes ?? []);
  return (node) => {
    const op = node.op_type ?? '';
    if (excludeOps.has(op) || (include && !include.has(op))) return false;
    const names = [node.name ?? '', f.idOf?.(node) ?? ''].filter((n) => n);
    if (names.some((n) => excludeNodes.has(n))) return false;
    return !includeNodes || names.some((n) => includeNodes.has(n));
  };
}

/** The float constants (large enough) that `name`, read in `graph`, is moved out of, back through data-movement ops in this and enclosing graphs. */
function constantsBehind(graph: GraphEdit, name: string): { source: WeightSource; name: string }[] {
  const found: { source: WeightSource; name: string }[] = [];
  const work: [GraphEdit, string][] = [[graph, name]];
  const seen = new Map<GraphEdit, Set<string>>();
  while (work.length) {
    const [g, value] = work.pop()!;
    const scope = g.scopes().find((s) => defines(s, value));
    if (!scope) continue;
    let inScope = seen.get(scope);
    if (!inScope) seen.set(scope, (inScope = new Set()));
    if (inScope.has(value)) continue;
    inScope.add(value);
    const tensor = scope.initializer(value);
    const p = scope.producer(value);
    if (tensor) found.push({ source: { tensor, graph: scope }, name: value });
    else if (!p || p.domain) continue;
    else if (p.op_type === 'Constant') {
      const t = p.attribute.find((a) => a.name === 'value')?.t;
      if (t) found.push({ source: { tensor: t, graph: scope, constant: p }, name: value });
    } else {
      p.input.forEach((input, i) => {
        if (input && movesData(p.op_type ?? '', i)) work.push([scope, input]);
      });
    }
  }
  return found.filter((f) => f.source.tensor.data_type === FLOAT && elementCount(f.source) >= MIN_ELEMENTS);
}

function elementCount(s: WeightSource): number {
  return s.tensor.dims.reduce((a: number, d) => a * Number(d), 1);
}

/**
 * Follows every read of `name` (defined in `graph`), in this graph and in the subgraphs that
 * capture it: the reads of the name itself and the recurrent nodes reached, or undefined when
 * some path meets anything but data movement or an allowed recurrent weight input.
 */
function readersIfMovementOnly(
  graph: GraphEdit,
  name: string,
  children: ReadonlyMap<GraphEdit, GraphEdit[]>,
  namesBelow: (g: GraphEdit) => Set<string>,
  allowed: (node: NodeProto) => boolean,
): { reads: ConstantRead[]; consumers: NodeProto[] } | undefined {
  const reads: ConstantRead[] = [];
  const consumers = new Set<NodeProto>();
  const work: [GraphEdit, string][] = [[graph, name]];
  const seen = new Map<GraphEdit, Set<string>>();
  while (work.length) {
    const [g, value] = work.pop()!;
    let inGraph = seen.get(g);
    if (!inGraph) seen.set(g, (inGraph = new Set()));
    if (inGraph.has(value)) continue;
    inGraph.add(value);
    if (g.isGraphOutput(value)) return undefined;
    for (const node of g.consumersOf(value)) {
      for (let i = 0; i < node.input.length; i++) {
        if (node.input[i] !== value) continue;
        if (value === name) reads.push({ graph: g, node, input: i });
        const op = node.domain ? '' : (node.op_type ?? '');
        if (isRecurrentWeight(op, i)) {
          if (!allowed(node)) return undefined;
          consumers.add(node);
        } else if (movesData(op, i)) {
          for (const o of node.output) if (o) work.push([g, o]);
        } else return undefined;
      }
    }
    for (const c of children.get(g) ?? []) if (!defines(c, value) && namesBelow(c).has(value)) work.push([c, value]);
  }
  return consumers.size ? { reads, consumers: [...consumers] } : undefined;
}

function defines(g: GraphEdit, name: string): boolean {
  return !!g.producer(name) || !!g.initializer(name) || g.proto.input.some((i) => i.name === name);
}
