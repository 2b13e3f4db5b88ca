import type { Graph, Model, Node, Value } from '../model/graph';
import type { Dim, Shape, ValueType } from '../model/value-type';
import type { OpSchema } from '../schema/types';
import { typeToString } from '../model/value-type';
import { resolveSchema } from '../schema/registry';
import { RANK_LIMIT, tensorType, type ConstValue, type Inferred, type OpContext } from './context';
import { FoldAllocator } from './fold-allocator';
import type { Tensor } from '../tensor';
import { shapeFunction } from './ops';
import { inferFromSchema } from './ops/from-schema';

/** A declared type that inference contradicts. */
export interface TypeConflict {
  value: Value;
  node?: Node;
  declared: ValueType;
  inferred: ValueType;
}

/** What inference knows of a value: its type with declared types merged in, and its own finding. */
export interface Known extends Inferred {
  /** The type inference derived by itself, for node outputs (before merging declared types). */
  inferred?: ValueType | null;
}

/** A node whose shape function threw: a defect of the model or of inference, never hidden. */
export interface InferenceFailure {
  node: Node;
  message: string;
}

export interface InferenceResult {
  readonly conflicts: TypeConflict[];
  readonly failures: InferenceFailure[];
  /** Best knowledge: inferred and declared types merged; the declared type when inference knows nothing. */
  typeOf(v: Value): ValueType | null;
  /** What inference alone derived for a node output; null when it knows nothing. */
  inferredType(v: Value): ValueType | null;
  /** The folded value of a small tensor (shape arithmetic), when known. */
  valueOf(v: Value): ConstValue | undefined;
}

export interface InferOptions {
  /** Concrete shapes for graph inputs (by name), e.g. the shapes a run will feed: symbolic dims then resolve. */
  inputShapes?: Record<string, Shape>;
}

/**
 * Type and shape inference over every graph of the model, subgraphs included. Declared
 * types (inputs, value_info) are merged in; what cannot be derived stays unknown — never guessed.
 */
export function inferModel(model: Model, options: InferOptions = {}): InferenceResult {
  const env = new Env(model.opsetImports, model.valueCount);
  const given = options.inputShapes;
  env.runGraph(model.graph, given && model.graph.inputs.map((v) => (given[v.name] && v.type?.kind === 'tensor' ? { ...v.type, shape: given[v.name]! } : null)));
  for (const g of model.trainingGraphs) env.runGraph(g, undefined);
  const known = env.known;
  return {
    conflicts: env.conflicts,
    failures: env.failures,
    typeOf: (v) => known[v.index]?.type ?? v.type,
    inferredType: (v) => known[v.index]?.inferred ?? null,
    valueOf: (v) => known[v.index]?.value,
  };
}

class Env {
  /** By Value.index: an array, since a million-node graph makes a Map the bottleneck. */
  readonly known: (Known | undefined)[];
  readonly conflicts: TypeConflict[] = [];
  readonly failures: InferenceFailure[] = [];
  readonly folds = new FoldAllocator();
  constructor(
    readonly opsets: Map<string, number>,
    valueCount: number,
  ) {
    this.known = new Array<Known | undefined>(valueCount).fill(undefined);
  }

  /** Runs a graph; `inputTypes` (for subgraphs) refine the declared input types. Returns output types. */
  runGraph(g: Graph, inputTypes: (ValueType | null)[] | undefined): (ValueType | null)[] {
    g.inputs.forEach((v, i) => {
      const given = inputTypes?.[i] ?? null;
      this.known[v.index] = { type: given && v.type ? mergeTypes(v.type, given).type : (given ?? v.type) };
    });
    for (const t of g.initializers) {
      const v = g.values.get(t.name)!;
      // Small integer (and tiny float) initializers take part in folding.
      this.known[v.index] = { type: tensorType(t.dtype, t.dims), value: this.folds.tensor(t) };
    }
    for (const node of g.nodes) this.runNode(g, node);
    return g.outputs.map((v) => {
      const def = g.definitionOf(v);
      return (def && this.known[def.index]?.type) ?? v.type;
    });
  }

  private runNode(g: Graph, node: Node): void {
    const opset = this.opsets.get(node.domain) ?? (node.domain === '' ? 1 : 0);
    const schema = resolveSchema(node.domain, node.opType, opset);
    const results: Known[] = [];
    for (let i = 0; i < node.outputs.length; i++) results.push(UNKNOWN);
    const ctx = new NodeContext(this, g, node, opset, schema, results);
    const fn = shapeFunction(node.domain, node.opType);
    try {
      if (fn) fn(ctx);
      else if (schema) inferFromSchema(ctx);
    } catch (e) {
      // The outputs stay unknown; the checker reports the failure (E401).
      this.failures.push({ node, message: e instanceof Error ? e.message : String(e) });
    }
    for (let i = 0; i < node.outputs.length; i++) {
      const v = node.outputValue(i);
      if (!v || v.producer !== node) continue;
      let r = results[i]!;
      const declared = v.type;
      if (declared) {
        const m = r.type ? mergeTypes(declared, r.type) : { type: declared, conflict: false };
        if (m.conflict) this.conflicts.push({ value: v, node, declared, inferred: r.type! });
        r = { ...r, type: m.type };
      }
      this.known[v.index] = r;
    }
  }
}

/** The inference function's view of one node; a class so that a million nodes cost no closures. */
class NodeContext implements OpContext {
  readonly inputCount: number;
  readonly outputCount: number;
  constructor(
    private readonly env: Env,
    private readonly g: Graph,
    readonly node: Node,
    readonly opset: number,
    readonly schema: OpSchema | undefined,
    private readonly results: Known[],
  ) {
    this.inputCount = node.inputs.length;
    this.outputCount = node.outputs.length;
  }
  private info(i: number): Inferred | undefined {
    const v = this.node.inputValue(i);
    const def = v && this.g.definitionOf(v);
    return def && this.env.known[def.index];
  }
  has(i: number): boolean {
    return !!this.node.inputs[i];
  }
  type(i: number): ValueType | null {
    return this.info(i)?.type ?? null;
  }
  elem(i: number): number | undefined {
    const t = this.info(i)?.type;
    return t && (t.kind === 'tensor' || t.kind === 'sparse_tensor') && t.elemType ? t.elemType : undefined;
  }
  shape(i: number): Shape {
    const t = this.info(i)?.type;
    return t && (t.kind === 'tensor' || t.kind === 'sparse_tensor') ? t.shape : null;
  }
  rank(i: number): number | undefined {
    return this.shape(i)?.length;
  }
  value(i: number): ConstValue | undefined {
    return this.info(i)?.value;
  }
  ints(i: number): number[] | undefined {
    const v = this.info(i)?.value;
    return v && v.data.every((d) => typeof d === 'number') ? (v.data as number[]) : undefined;
  }
  attrInt(name: string, fallback: number): number;
  attrInt(name: string): number | undefined;
  attrInt(name: string, fallback?: number): number | undefined {
    const a = this.node.attribute(name);
    return a ? a.int() : fallback;
  }
  attrInts(name: string): number[] | undefined {
    return this.node.attribute(name)?.ints();
  }
  attrFloat(name: string, fallback: number): number {
    return this.node.attribute(name)?.float() ?? fallback;
  }
  attrString(name: string, fallback: string): string {
    const a = this.node.attribute(name);
    return a ? a.string() : fallback;
  }
  hasAttr(name: string): boolean {
    return !!this.node.attribute(name);
  }
  fold(elemType: number, dims: readonly Dim[], make: (i: number) => Dim): ConstValue | undefined {
    return this.env.folds.value(elemType, dims, make);
  }
  foldTensor(t: Tensor): ConstValue | undefined {
    return this.env.folds.tensor(t);
  }
  out(i: number, type: ValueType | null, value?: ConstValue): void {
    const capped = type?.kind === 'tensor' && type.shape && type.shape.length > RANK_LIMIT ? { ...type, shape: null } : type;
    if (i < this.results.length) this.results[i] = { type: capped, value, inferred: capped };
  }
  tensor(i: number, elemType: number | undefined, shape: Shape, value?: ConstValue): void {
    this.out(i, tensorType(elemType, shape), value);
  }
  subgraph(sg: Graph, inputs: (ValueType | null)[]): (ValueType | null)[] {
    return this.env.runGraph(sg, inputs);
  }
  graphAttr(name: string): Graph | undefined {
    return this.node.subgraphs.find((s) => s.owner?.attribute === name);
  }
}

const UNKNOWN: Known = Object.freeze({ type: null, inferred: null });

/** Declared ∧ inferred: the more specific of each part; `conflict` when they contradict. */
function mergeTypes(declared: ValueType, inferred: ValueType): { type: ValueType; conflict: boolean } {
  if (declared.kind !== inferred.kind) return { type: inferred, conflict: true };
  if (declared.kind === 'tensor' && inferred.kind === 'tensor') {
    const elemConflict = !!declared.elemType && !!inferred.elemType && declared.elemType !== inferred.elemType;
    const s = mergeShapes(declared.shape, inferred.shape);
    return { type: { kind: 'tensor', elemType: inferred.elemType || declared.elemType, shape: s.shape }, conflict: elemConflict || s.conflict };
  }
  return { type: typeToString(inferred).includes('?') ? declared : inferred, conflict: false };
}

function mergeShapes(a: Shape, b: Shape): { shape: Shape; conflict: boolean } {
  if (a === null) return { shape: b, conflict: false };
  if (b === null) return { shape: a, conflict: false };
  if (a.length !== b.length) return { shape: b, conflict: true };
  let conflict = false;
  const shape = a.map((d, i): Dim => {
    const e = b[i]!;
    if (typeof d === 'number' && typeof e === 'number') {
      if (d !== e) conflict = true;
      return e;
    }
    if (typeof e === 'number') return e;
    if (typeof d === 'number') return d;
    return e ?? d;
  });
  return { shape, conflict };
}
