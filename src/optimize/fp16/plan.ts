import type { Graph, Model, Node, Value } from '../../onnx/model/graph';
import type { GraphProto, NodeProto, ValueInfoProto } from '../../onnx/proto/types';
import type { ValueType } from '../../onnx/model/value-type';
import { inferModel } from '../../onnx/infer/infer';
import type { OpSchema } from '../../onnx/schema/types';
import { FLOAT, inputWant, outputIsFloatBySchema, mayAutoKeep, outputMayBeFloat16, schemaOf, staticKeepReason, type Prec } from './node-policy';
import type { Fp16Options } from './options';
import { constantCounts } from './constant-values';
import type { Float16Counts } from './to-float16';

/** One place a float value is read, and the precision the reader needs there. */
export interface Use {
  /** The graph the reference is written in. */
  graph: Graph;
  /** The reading node (for graph outputs: undefined). */
  node?: Node;
  want: Prec;
  /** float16 is not allowed here by the operator's type constraints. */
  hard: boolean;
  /** A main-graph output whose name is the model's interface: the value under this name must have `want`. */
  fixedName?: boolean;
  /** The reference itself: input `index` of a node of graph `graph`, or a graph output entry. */
  ref: { graph: GraphProto; node: NodeProto; index: number } | { output: ValueInfoProto };
}

export type DefKind = 'input' | 'initializer' | 'constant' | 'node' | 'fixed32';

/** A float32 value of a converted graph: where it is defined and every read of it. */
export interface FloatDef {
  value: Value;
  graph: Graph;
  kind: DefKind;
  node?: Node;
  outputIndex?: number;
  uses: Use[];
  /** Precision the definition produces; 'copy' = a constant kept float32 with a float16 copy beside it. */
  prec: Prec | 'copy';
  /** Constants: what converting their values clamps, raises or flushes (read once, while planning). */
  counts?: Float16Counts;
}

export interface Plan {
  model: Model;
  /** Graphs whose float values convert (the main graph and the subgraphs of converted If/Loop/Scan). */
  graphs: Graph[];
  defs: Map<Value, FloatDef>;
  /** Nodes of converted graphs that keep float32, with why. */
  kept: Map<Node, string>;
  warnings: string[];
}

const isFloatTensor = (t: ValueType | null | undefined): boolean => t?.kind === 'tensor' && t.elemType === FLOAT;
/** Sequences, optionals and maps of float cannot pass through a Cast: nodes touching them stay float32. */
function isFloatContainer(t: ValueType | null | undefined): boolean {
  for (let x = t; x; ) {
    if (x.kind === 'tensor' || x.kind === 'sparse_tensor') return x !== t && x.elemType === FLOAT;
    if (x.kind === 'sequence' || x.kind === 'optional') x = x.elem;
    else if (x.kind === 'map') x = x.value;
    else return false;
  }
  return false;
}

/** Decides, for every float32 value of every convertible graph, its precision and each reader's. */
export function planFloat16(model: Model, options: Fp16Options): Plan {
  const infer = inferModel(model);
  const opsets = model.opsetImports;
  const blockOps = new Set(options.blockOps);
  const blockNodes = new Set(options.blockNodes);
  const typeOf = (g: Graph, v: Value): ValueType | null => infer.typeOf(g.definitionOf(v) ?? v);
  const schemas = new Map<Node, OpSchema | undefined>();
  const kept = new Map<Node, string>();
  const warnings: string[] = [];

  // Graphs to convert, outermost first; a kept node's subgraphs stay float32 as a whole.
  const graphs: Graph[] = [model.graph];
  for (let gi = 0; gi < graphs.length; gi++) {
    const g = graphs[gi]!;
    for (const node of g.nodes) {
      const schema = schemaOf(node, opsets);
      schemas.set(node, schema);
      let why = staticKeepReason(node, schema, blockOps, blockNodes);
      if (!why && [...node.inputs.map((_, i) => node.inputValue(i)), ...node.outputs.map((_, i) => node.outputValue(i))].some((v) => v && isFloatContainer(typeOf(g, v)))) {
        why = 'a sequence, optional or map of float (no Cast can convert it)';
      }
      if (why) kept.set(node, why);
      else graphs.push(...node.subgraphs);
    }
  }

  const defs = new Map<Value, FloatDef>();
  const addDef = (g: Graph, value: Value, kind: DefKind, prec: Prec | 'copy', node?: Node, outputIndex?: number): void => {
    defs.set(value, { value, graph: g, kind, node, outputIndex, uses: [], prec });
  };
  for (const g of graphs) {
    const top = g === model.graph;
    for (const v of g.inputs) if (!v.initializer && isFloatTensor(typeOf(g, v))) addDef(g, v, 'input', top && options.keepIoTypes ? 32 : 16);
    for (const v of g.values.values()) {
      // From IR 4 on, an initializer the main graph also declares as an input is IO (a caller may
      // feed it): with kept IO types it stays float32 and its readers get a Cast. Before IR 4 every
      // initializer had to be listed as an input, so there that says nothing: it is a weight.
      const io = top && options.keepIoTypes && v.isGraphInput && model.irVersion >= 4;
      if (v.initializer?.dtype === FLOAT) addDef(g, v, io ? 'fixed32' : 'initializer', io ? 32 : 16);
      else if (v.sparseInitializer?.values.dtype === FLOAT) addDef(g, v, 'fixed32', 32);
    }
    for (const node of g.nodes) {
      node.outputs.forEach((_, i) => {
        const v = node.outputValue(i);
        if (!v || v.producer !== node) return;
        const schema = schemas.get(node);
        const type = typeOf(g, v);
        const inputElemType = (k: number): number | undefined => {
          const t = node.inputValue(k) && typeOf(g, node.inputValue(k)!);
          return t?.kind === 'tensor' ? t.elemType : undefined;
        };
        if (!(type ? isFloatTensor(type) : outputIsFloatBySchema(node, schema, i, inputElemType))) return;
        if (node.opType === 'Constant' && node.domain === '' && !kept.has(node)) addDef(g, v, 'constant', 16, node, i);
        else addDef(g, v, 'node', kept.has(node) || !schema || !outputMayBeFloat16(schema, i) ? 32 : 16, node, i);
      });
    }
  }

  // Reads: node inputs, graph outputs, and outer values read inside a kept node's subgraphs.
  const nodeUses = new Map<Node, Use[]>();
  const unknownTypes = new Set<string>();
  const defOf = (g: Graph, name: string): FloatDef | undefined => {
    const v = g.values.get(name);
    const d = v && g.definitionOf(v);
    return d && defs.get(d);
  };
  for (const g of graphs) {
    for (const node of g.nodes) {
      const schema = schemas.get(node);
      const keptWhy = kept.get(node);
      const uses: Use[] = [];
      node.inputs.forEach((name, i) => {
        if (!name) return;
        const d = defOf(g, name);
        if (!d) {
          const v = node.inputValue(i);
          if (!keptWhy && v && typeOf(g, v) === null) unknownTypes.add(name);
          return;
        }
        const w = keptWhy || !schema ? { want: 32 as Prec, hard: false } : inputWant(node, schema, i, (k) => !!defOf(g, node.inputs[k] ?? ''));
        const use: Use = { graph: g, node, ...w, ref: { graph: g.proto, node: node.proto, index: i } };
        d.uses.push(use);
        uses.push(use);
      });
      if (keptWhy) for (const sub of node.subgraphs) collectOuterReads(sub, node, defs, uses);
      nodeUses.set(node, uses);
    }
    const top = g === model.graph;
    for (const vi of g.proto.output) {
      const d = defOf(g, vi.name ?? '');
      if (!d) continue;
      const want: Prec = top && options.keepIoTypes ? 32 : 16;
      d.uses.push({ graph: g, want, hard: false, fixedName: top, ref: { output: vi } });
    }
  }
  if (unknownTypes.size) warnings.push(`${unknownTypes.size} value(s) of unknown type left as they are (e.g. '${[...unknownTypes][0]}'): if one is float32 the output may not load`);

  for (const d of defs.values()) {
    if (d.kind !== 'initializer' && d.kind !== 'constant') continue;
    d.counts = constantCounts(d, model.files, options);
    if (d.counts.clamped && options.outOfRange === 'keep-float32') keepReaders(d, nodeUses, kept, defs);
  }
  autoKeep(graphs, defs, nodeUses, kept);

  for (const d of defs.values()) {
    if (d.kind !== 'initializer' && d.kind !== 'constant') continue;
    const w16 = d.uses.some((u) => u.want === 16);
    const w32 = d.uses.some((u) => u.want === 32);
    d.prec = w16 && w32 ? 'copy' : w32 ? 32 : 16;
  }
  return { model, graphs, defs, kept, warnings };
}

/** The nodes reading a weight float16 cannot hold keep float32, so the weight stays exact. */
function keepReaders(d: FloatDef, nodeUses: Map<Node, Use[]>, kept: Map<Node, string>, defs: Map<Value, FloatDef>): void {
  for (const u of d.uses) {
    const node = u.node;
    if (!node || kept.has(node) || node.subgraphs.length) continue;
    kept.set(node, `reads '${d.value.name}', whose values go beyond float16's range`);
    for (const r of nodeUses.get(node) ?? []) r.want = 32;
    node.outputs.forEach((_, i) => {
      const out = node.outputValue(i);
      const od = out && defs.get(out);
      if (od && od.node === node) od.prec = 32;
    });
  }
}

/** Outer float values read anywhere inside a kept node's subgraph: they are read as float32. */
function collectOuterReads(root: Graph, owner: Node, defs: Map<Value, FloatDef>, into: Use[]): void {
  const queue = [root];
  for (let qi = 0; qi < queue.length; qi++) {
    const sg = queue[qi]!;
    const outer = (name: string): FloatDef | undefined => {
      const v = sg.values.get(name);
      const d = v && sg.definitionOf(v);
      return d && d !== v ? defs.get(d) : undefined;
    };
    for (const n of sg.nodes) {
      n.inputs.forEach((name, i) => {
        const d = name ? outer(name) : undefined;
        if (!d) return;
        const use: Use = { graph: owner.graph, node: owner, want: 32, hard: false, ref: { graph: sg.proto, node: n.proto, index: i } };
        d.uses.push(use);
        into.push(use);
      });
      queue.push(...n.subgraphs);
    }
    for (const vi of sg.proto.output) {
      const d = outer(vi.name ?? '');
      if (d) d.uses.push({ graph: owner.graph, node: owner, want: 32, hard: false, ref: { output: vi } });
    }
  }
}

/**
 * Float shape arithmetic whose every result feeds float32-only inputs stays float32 (and so
 * do its own inputs' reads), innermost graphs and last nodes first so chains propagate.
 */
function autoKeep(graphs: Graph[], defs: Map<Value, FloatDef>, nodeUses: Map<Node, Use[]>, kept: Map<Node, string>): void {
  for (let gi = graphs.length - 1; gi >= 0; gi--) {
    const nodes = graphs[gi]!.nodes;
    for (let ni = nodes.length - 1; ni >= 0; ni--) {
      const node = nodes[ni]!;
      if (kept.has(node) || !mayAutoKeep(node)) continue;
      const outs = node.outputs.map((_, i) => node.outputValue(i)).map((v) => v && defs.get(v)).filter((d): d is FloatDef => !!d && d.node === node);
      const uses = outs.flatMap((d) => d.uses);
      if (!outs.length || !uses.length || !uses.every((u) => u.want === 32 && u.hard)) continue;
      kept.set(node, 'float shape arithmetic feeding only float32 inputs (kept exact)');
      for (const d of outs) d.prec = 32;
      for (const u of nodeUses.get(node) ?? []) {
        u.want = 32;
        u.hard = true;
      }
    }
  }
}

/** Sets a ValueInfo's tensor element type to the precision's float type (only where it is a float type). */
export function setFloatType(type: { tensor_type?: { elem_type?: number } } | undefined, prec: Prec): void {
  const t = type?.tensor_type;
  if (t && (t.elem_type === 1 || t.elem_type === 10)) t.elem_type = prec === 16 ? 10 : 1;
}
