import type { ModelEdit } from '../onnx/edit/model-edit';
import type { NodeProto } from '../onnx/proto/types';
import { latestOpset, normalizeDomain, opsAt } from '../onnx/schema/registry';
import { TransformRefusedError } from './errors';

/**
 * Operators that compute on quantized values: Q/DQ, DynamicQuantizeLinear, QLinear*,
 * ConvInteger/MatMulInteger in the default domain, and their com.microsoft relatives
 * (QGemm, QAttention, DynamicQuantizeMatMul, MatMulIntegerToFloat, MatMulNBits, ...),
 * taken from the schema registry so that new contrib ops are covered when it is updated.
 */
const QUANTIZED_NAME = /^Q[A-Z]|[Qq]uantiz|Integer|NBits|Bnb4|FpQ4/;

const QUANTIZED_OPS: ReadonlyMap<string, ReadonlySet<string>> = new Map(
  ['', 'com.microsoft'].map((domain) => [domain, new Set(opsAt(domain, latestOpset(domain)).filter((op) => QUANTIZED_NAME.test(op)))]),
);

export function isQuantizedOp(domain: string | undefined, opType: string | undefined): boolean {
  return QUANTIZED_OPS.get(normalizeDomain(domain ?? ''))?.has(opType ?? '') ?? false;
}

export interface QuantizedNode {
  name: string;
  opType: string;
  domain: string;
}

/** Nodes are named in the message up to this many. */
const NAMED = 5;

/** The model already holds quantized operators: quantizing it again would stack errors on errors. */
export class AlreadyQuantizedError extends Error {
  override name = 'AlreadyQuantizedError';
  /** `advice`: what to do instead (a quantizer: do not quantize twice; pruning: prune the float model). */
  constructor(readonly nodes: QuantizedNode[], advice = 'do not quantize twice') {
    const named = nodes.slice(0, NAMED).map((n) => `'${n.name}' (${n.domain ? `${n.domain}::` : ''}${n.opType})`);
    const more = nodes.length > NAMED ? ` and ${nodes.length - NAMED} more` : '';
    super(`the model is already quantized: ${advice} (${named.join(', ')}${more})`);
  }
}

/** No node matches what was asked to be quantized (op types, include/exclude lists, weights). */
export class NothingToQuantizeError extends TransformRefusedError {
  override name = 'NothingToQuantizeError';
}

function described(node: NodeProto): QuantizedNode {
  return { name: node.name || node.output[0] || '', opType: node.op_type ?? '', domain: normalizeDomain(node.domain ?? '') };
}

/** Every quantized node of the model: all graphs, subgraphs at any depth, and function bodies. */
export function findQuantizedNodes(edit: ModelEdit): QuantizedNode[] {
  const found: QuantizedNode[] = [];
  for (const { node } of edit.nodes()) if (isQuantizedOp(node.domain, node.op_type)) found.push(described(node));
  for (const f of edit.proto.functions) for (const node of f.node) if (isQuantizedOp(node.domain, node.op_type)) found.push(described(node));
  return found;
}

/** Throws AlreadyQuantizedError when the model holds any quantized operator. */
export function refuseIfQuantized(edit: ModelEdit, advice?: string): void {
  const found = findQuantizedNodes(edit);
  if (found.length) throw new AlreadyQuantizedError(found, advice);
}
