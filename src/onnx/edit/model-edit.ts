import { toNumber } from '../proto/byte-range';
import type { GraphProto, ModelProto, NodeProto } from '../proto/types';
import { GraphEdit } from './graph-edit';
import { nodeSubgraphs } from './subgraphs';

/** A transform needs a newer default-domain opset than the model has: raise it first (opset-upgrade). */
export class OpsetTooOldError extends Error {
  constructor(
    readonly have: number,
    readonly need: number,
  ) {
    super(`the model imports opset ${have} of the default domain; opset ${need} is needed`);
  }
}

/**
 * The one edit API over a decoded ModelProto (DESIGN.md §2b): every graph (main and nested,
 * as GraphEdits that keep their indexes current), names unique across the whole model, and
 * opset imports. Untouched tensors stay ByteRanges into the input and are streamed when the
 * model is encoded.
 */
export class ModelEdit {
  readonly main: GraphEdit;
  private edits = new WeakMap<GraphProto, GraphEdit>();
  private names: Set<string> | undefined;

  constructor(readonly proto: ModelProto) {
    proto.graph ??= { node: [], initializer: [], input: [], output: [], value_info: [], quantization_annotation: [], sparse_initializer: [], metadata_props: [] };
    this.main = this.editOf(proto.graph);
  }

  get irVersion(): number {
    return toNumber(this.proto.ir_version ?? 0);
  }

  /** The main graph and every subgraph below it, outermost first (a work list: any depth). */
  graphs(): GraphEdit[] {
    const out = [this.main];
    for (let i = 0; i < out.length; i++) {
      const g = out[i]!;
      for (const n of g.nodes) for (const sub of nodeSubgraphs(n)) out.push(this.editOf(sub, g, n));
    }
    return out;
  }

  /** `base` if no value, node or initializer of the model has that name yet, else `base_1`, `base_2`, … */
  uniqueName(base: string): string {
    const names = this.allNames();
    let name = base;
    for (let k = 1; names.has(name); k++) name = `${base}_${k}`;
    names.add(name);
    return name;
  }

  /** Records a name as used (GraphEdit calls this for what it adds). */
  taken(name: string): void {
    this.names?.add(name);
  }

  /** The imported version of `domain` ('' and 'ai.onnx' are the default domain); undefined when not imported. */
  opsetVersion(domain = ''): number | undefined {
    const d = domain === 'ai.onnx' ? '' : domain;
    const entry = this.proto.opset_import.find((o) => (o.domain === 'ai.onnx' ? '' : (o.domain ?? '')) === d);
    return entry ? toNumber(entry.version ?? 0) : undefined;
  }

  /**
   * Makes `domain` imported at `version` or later. A custom domain is added or raised; the
   * default domain is only checked (raising it changes operators' meaning: opset-upgrade does
   * it, converting nodes) and OpsetTooOldError says by how much.
   */
  requireOpset(domain: string, version: number): void {
    const have = this.opsetVersion(domain);
    if (have !== undefined && have >= version) return;
    if (domain === '' || domain === 'ai.onnx') throw new OpsetTooOldError(have ?? 0, version);
    const rest = this.proto.opset_import.filter((o) => (o.domain ?? '') !== domain);
    this.proto.opset_import = [...rest, { domain, version }];
  }

  /** Every node of every graph with the graph it is in. */
  *nodes(): Iterable<{ node: NodeProto; graph: GraphEdit }> {
    for (const graph of this.graphs()) for (const node of graph.nodes) yield { node, graph };
  }

  /** Restores topological order in every graph. */
  sortTopologically(): void {
    for (const g of this.graphs()) g.sortTopologically();
  }

  private editOf(proto: GraphProto, parent?: GraphEdit, owner?: NodeProto): GraphEdit {
    let e = this.edits.get(proto);
    if (!e) {
      e = new GraphEdit(proto, this, parent, owner);
      this.edits.set(proto, e);
    }
    return e;
  }

  private allNames(): Set<string> {
    if (this.names) return this.names;
    const names = new Set<string>();
    for (const g of this.graphs()) {
      const p = g.proto;
      for (const v of [...p.input, ...p.output, ...p.value_info]) if (v.name) names.add(v.name);
      for (const t of p.initializer) if (t.name) names.add(t.name);
      for (const s of p.sparse_initializer) if (s.values?.name) names.add(s.values.name);
      for (const n of p.node) {
        if (n.name) names.add(n.name);
        for (const x of [...n.input, ...n.output]) if (x) names.add(x);
      }
    }
    for (const f of this.proto.functions) for (const n of f.node) for (const x of [n.name ?? '', ...n.input, ...n.output]) if (x) names.add(x);
    this.names = names;
    return names;
  }
}
