import { dataType } from '../dtypes';
import type { Graph, Model, Node, Value } from '../model/graph';
import type { Dim, Shape, ValueType } from '../model/value-type';
import { typeToString } from '../model/value-type';
import { resolveSchema } from '../schema/registry';
import { FOLD_LIMIT, tensorType, type ConstValue, type Inferred, type OpContext } from './context';
import { OPS } from './ops';
import { inferFromSchema } from './ops/from-schema';

/** A declared type that inference contradicts. */
export interface TypeConflict {
  value: Value;
  node?: Node;
  declared: ValueType;
  inferred: ValueType;
}

export interface InferenceResult {
  /** What inference alone derived for each value (null type: nothing known). */
  readonly inferred: Map<Value, Inferred>;
  readonly conflicts: TypeConflict[];
  /** Inputs whose types break their operator's constraints are found by the checker from these types. */
  typeOf(v: Value): ValueType | null;
}

/**
 * Type and shape inference over every graph of the model, subgraphs included. Declared
 * types (inputs, value_info) are merged in; what cannot be derived stays unknown — never guessed.
 */
export function inferModel(model: Model): InferenceResult {
  const inferred = new Map<Value, Inferred>();
  const merged = new Map<Value, Inferred>();
  const conflicts: TypeConflict[] = [];
  const opsets = model.opsetImports;
  const env = new Env(inferred, merged, conflicts, opsets);
  env.runGraph(model.graph, undefined);
  for (const g of model.trainingGraphs) env.runGraph(g, undefined);
  return {
    inferred,
    conflicts,
    typeOf: (v) => merged.get(v)?.type ?? v.type,
  };
}

class Env {
  constructor(
    readonly inferred: Map<Value, Inferred>,
    readonly merged: Map<Value, Inferred>,
    readonly conflicts: TypeConflict[],
    readonly opsets: Map<string, number>,
  ) {}

  /** Runs a graph; `inputTypes` (for subgraphs) refine the declared input types. Returns output types. */
  runGraph(g: Graph, inputTypes: (ValueType | null)[] | undefined): (ValueType | null)[] {
    g.inputs.forEach((v, i) => {
      const given = inputTypes?.[i] ?? null;
      this.merged.set(v, { type: given && v.type ? mergeTypes(v.type, given).type : (given ?? v.type) });
    });
    for (const t of g.initializers) {
      const v = g.values.get(t.name)!;
      const type = tensorType(t.dtype, t.dims);
      this.merged.set(v, { type, value: initializerValue(v) });
    }
    for (const node of g.nodes) this.runNode(g, node);
    return g.outputs.map((v) => this.lookup(g, v.name)?.type ?? v.type);
  }

  lookup(g: Graph, name: string): Inferred | undefined {
    for (let cur: Graph | undefined = g; cur; cur = cur.parent) {
      const v = cur.values.get(name);
      if (v) {
        const info = this.merged.get(v);
        if (info) return info;
      }
    }
    return undefined;
  }

  private runNode(g: Graph, node: Node): void {
    const opset = this.opsets.get(node.domain) ?? (node.domain === '' ? 1 : 0);
    const schema = resolveSchema(node.domain, node.opType, opset);
    const results: Inferred[] = node.outputs.map(() => ({ type: null }));
    const ctx = this.context(g, node, opset, schema, results);
    const fn = node.domain === '' || node.domain === 'ai.onnx.ml' || node.domain === 'ai.onnx.preview.training' ? OPS[node.opType] : undefined;
    try {
      if (fn) fn(ctx);
      else if (schema) inferFromSchema(ctx);
    } catch {
      // An inference function that meets input it cannot handle knows nothing; the checker reports real defects.
    }
    node.outputs.forEach((name, i) => {
      if (!name) return;
      const v = g.values.get(name)!;
      const r = results[i]!;
      this.inferred.set(v, r);
      const declared = v.type;
      if (!declared || !r.type) {
        this.merged.set(v, { type: r.type ?? declared, value: r.value });
        return;
      }
      const m = mergeTypes(declared, r.type);
      if (m.conflict) this.conflicts.push({ value: v, node, declared, inferred: r.type });
      this.merged.set(v, { type: m.type, value: r.value });
    });
  }

  private context(g: Graph, node: Node, opset: number, schema: OpContext['schema'], results: Inferred[]): OpContext {
    const info = (i: number): Inferred | undefined => {
      const name = node.inputs[i];
      return name ? this.lookup(g, name) : undefined;
    };
    const attr = (name: string) => node.attribute(name);
    const ctx: OpContext = {
      node,
      opset,
      schema,
      inputCount: node.inputs.length,
      outputCount: node.outputs.length,
      has: (i) => !!node.inputs[i],
      type: (i) => info(i)?.type ?? null,
      elem: (i) => {
        const t = info(i)?.type;
        return t && (t.kind === 'tensor' || t.kind === 'sparse_tensor') && t.elemType ? t.elemType : undefined;
      },
      shape: (i) => {
        const t = info(i)?.type;
        return t && (t.kind === 'tensor' || t.kind === 'sparse_tensor') ? t.shape : null;
      },
      rank: (i) => ctx.shape(i)?.length,
      value: (i) => info(i)?.value,
      ints: (i) => {
        const v = info(i)?.value;
        return v && v.data.every((d) => typeof d === 'number') ? (v.data as number[]) : undefined;
      },
      attrInt: ((name: string, fallback?: number) => {
        const a = attr(name);
        return a ? a.int() : fallback;
      }) as OpContext['attrInt'],
      attrInts: (name) => attr(name)?.ints(),
      attrFloat: (name, fallback) => attr(name)?.float() ?? fallback,
      attrString: (name, fallback) => {
        const a = attr(name);
        return a ? a.string() : fallback;
      },
      hasAttr: (name) => !!attr(name),
      out: (i, type, value) => {
        if (i < results.length) results[i] = { type, value };
      },
      tensor: (i, elemType, shape, value) => ctx.out(i, tensorType(elemType, shape), value),
      subgraph: (sg, inputs) => this.runGraph(sg, inputs),
      graphAttr: (name) => {
        const a = attr(name);
        return a ? node.subgraphs.find((s) => s.owner?.attribute === a.name) : undefined;
      },
    };
    return ctx;
  }
}

/** Values of small numeric initializers take part in folding. */
function initializerValue(v: Value): ConstValue | undefined {
  const t = v.initializer;
  if (!t || t.elementCount > FOLD_LIMIT || t.isExternal) return undefined;
  const info = dataType(t.dtype);
  if (!info || info.field === 'string_data' || info.name.startsWith('complex')) return undefined;
  try {
    return { elemType: t.dtype, dims: t.dims, data: t.read().values as number[] };
  } catch {
    return undefined;
  }
}

/** Declared ∧ inferred: the more specific of each part; `conflict` when they contradict. */
export function mergeTypes(declared: ValueType, inferred: ValueType): { type: ValueType; conflict: boolean } {
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
