import { floatOf, intOf } from '../../onnx/edit/conversions/attributes';
import type { GraphEdit, WeightSource } from '../../onnx/edit/graph-edit';
import type { AttributeProto, NodeProto } from '../../onnx/proto/types';
import type { ValueTypes } from '../preprocess/value-types';
import { floatWeight, weightDims } from '../preprocess/weights';
import { DEFAULT_OP_TYPES, type DynamicOptions } from './options';

const FLOAT = 1;

/** A node to quantize: its float32 activation input 0 and its weight input 1. */
export interface Candidate {
  graph: GraphEdit;
  node: NodeProto;
  weight: WeightSource;
  weightDims: number[];
}

const attr = (node: NodeProto, name: string): AttributeProto | undefined => node.attribute.find((x) => x.name === name);
const intAttr = (node: NodeProto, name: string, fallback: number): number => intOf(attr(node, name), fallback);
const floatAttr = (node: NodeProto, name: string, fallback: number): number => floatOf(attr(node, name), fallback);

export const gemmAttributes = (node: NodeProto): { alpha: number; beta: number; transB: boolean } => ({
  alpha: floatAttr(node, 'alpha', 1),
  beta: floatAttr(node, 'beta', 1),
  transB: intAttr(node, 'transB', 0) !== 0,
});

/** Why a node of a selected op type is left in float, or undefined when it can be quantized. */
function unsupported(g: GraphEdit, node: NodeProto, dims: number[], typeOf: ValueTypes | undefined): string | undefined {
  if (g.weight(node.input[0] ?? '')) return 'its input 0 is a constant, not an activation';
  const known = typeOf?.(g, node.input[0]!);
  if (known && known.kind === 'tensor' && known.elemType !== FLOAT) return 'its input 0 is not float32';
  switch (node.op_type) {
    case 'MatMul':
      return dims.length === 2 ? undefined : `its weight has rank ${dims.length}, not 2`;
    case 'Gemm':
      if (intAttr(node, 'transA', 0) !== 0) return 'Gemm with transA=1';
      return dims.length === 2 ? undefined : `its weight has rank ${dims.length}`;
    case 'Conv':
      return dims.length >= 3 ? undefined : `its weight has rank ${dims.length}`;
    default:
      return `${node.op_type} has no integer form here`;
  }
}

/**
 * The nodes dynamic quantization changes, in every graph: default-domain nodes of the chosen
 * op types whose input 1 is a float32 weight (initializer or Constant, through Identity), not
 * excluded by op type or name. Nodes with a weight left in float are listed with why; nodes
 * of two activations (attention's Q·Kᵀ) are only counted.
 */
/** A node of a chosen op type with a weight, left in float, and why. */
export interface LeftFloat {
  node: NodeProto;
  reason: string;
}

/** The op types to quantize: opTypes (or the default set) less excludeOps. */
export function chosenOpTypes(options: DynamicOptions): string[] {
  const excluded = new Set(options.excludeOps ?? []);
  return [...new Set(options.opTypes ?? DEFAULT_OP_TYPES)].filter((op) => !excluded.has(op));
}

/** The reason a node the user excluded stays float (no warning: it was asked for). */
export const EXCLUDED_BY_NAME = 'excluded by name';

export function selectNodes(graphs: readonly GraphEdit[], options: DynamicOptions, typeOf: ValueTypes | undefined): { candidates: Candidate[]; leftFloat: LeftFloat[]; withoutWeight: number } {
  const ops = new Set(chosenOpTypes(options));
  const include = options.includeNodes?.length ? new Set(options.includeNodes) : undefined;
  const exclude = new Set(options.excludeNodes ?? []);
  const candidates: Candidate[] = [];
  const leftFloat: LeftFloat[] = [];
  let withoutWeight = 0;
  for (const graph of graphs) {
    for (const node of graph.nodes) {
      if (node.domain || !ops.has(node.op_type ?? '')) continue;
      const names = [node.name ?? '', options.idOf?.(node) ?? ''].filter((n) => n);
      const excludedByName = names.some((n) => exclude.has(n));
      if (excludedByName || (include && !names.some((n) => include.has(n)))) {
        // Listed in keptFloat as static mode lists it; a node left out by the include list is not asked for.
        if (excludedByName && floatWeight(graph, node.input[1])) leftFloat.push({ node, reason: EXCLUDED_BY_NAME });
        continue;
      }
      const weight = floatWeight(graph, node.input[1]);
      if (!weight) {
        withoutWeight++;
        continue;
      }
      const dims = weightDims(weight);
      const why = unsupported(graph, node, dims, typeOf);
      if (why) leftFloat.push({ node, reason: why });
      else candidates.push({ graph, node, weight, weightDims: dims });
    }
  }
  return { candidates, leftFloat, withoutWeight };
}
