import { toNumber } from '../../proto/byte-range';
import type { GraphProto, ModelProto, NodeProto, TensorProto } from '../../proto/types';
import { nodeSubgraphs } from '../subgraphs';

/** What an opset upgrade reads of a whole model: imports, IR needs, graphs, constants, reads. */

/** The lowest IR version each opset needs (onnx.helper.VERSION_TABLE). */
export function minimumIrVersion(opset: number): number {
  if (opset <= 8) return 3;
  if (opset >= 21) return 10;
  return [4, 5, 6, 7, 7, 7, 8, 8, 8, 8, 9, 9][opset - 9]!;
}

export const isDefaultDomain = (d: string | undefined): boolean => !d || d === 'ai.onnx';

export function defaultOpset(imports: ModelProto['opset_import']): number | undefined {
  const entry = imports.find((o) => isDefaultDomain(o.domain));
  return entry ? toNumber(entry.version ?? 0) : undefined;
}

/** The same imports with the default domain at `version`. */
export function withDefaultOpset(imports: ModelProto['opset_import'], version: number): ModelProto['opset_import'] {
  return imports.map((o) => (isDefaultDomain(o.domain) ? { ...o, version } : o));
}

/** The main graph and the training graphs (subgraphs hang below them). */
export function mainGraphs(m: ModelProto): GraphProto[] {
  const out = m.graph ? [m.graph] : [];
  for (const t of m.training_info) for (const g of [t.initialization, t.algorithm]) if (g) out.push(g);
  return out;
}

/** Initializers and Constant-node tensors of every graph, by name. */
export function constantTensors(m: ModelProto): Map<string, TensorProto> {
  const out = new Map<string, TensorProto>();
  const work = mainGraphs(m);
  while (work.length) {
    const g = work.pop()!;
    for (const t of g.initializer) if (t.name) out.set(t.name, t);
    for (const n of g.node) {
      const value = n.op_type === 'Constant' && isDefaultDomain(n.domain) ? n.attribute.find((a) => a.name === 'value')?.t : undefined;
      if (value && n.output[0]) out.set(n.output[0], value);
      work.push(...nodeSubgraphs(n));
    }
  }
  return out;
}

/** Every name something reads: a node input in any graph or function, a graph or function output. */
export function namesRead(m: ModelProto): Set<string> {
  const reads = new Set<string>();
  const work: { node: NodeProto[]; outputs: string[] }[] = mainGraphs(m).map((g) => ({ node: g.node, outputs: g.output.map((o) => o.name ?? '') }));
  for (const f of m.functions) work.push({ node: f.node, outputs: f.output });
  while (work.length) {
    const { node, outputs } = work.pop()!;
    for (const o of outputs) reads.add(o);
    for (const n of node) {
      for (const x of n.input) if (x) reads.add(x);
      for (const g of nodeSubgraphs(n)) work.push({ node: g.node, outputs: g.output.map((o) => o.name ?? '') });
    }
  }
  return reads;
}
