import type { GraphEdit } from '../../../onnx/edit/graph-edit';
import { toNumber } from '../../../onnx/proto/byte-range';
import type { NodeProto } from '../../../onnx/proto/types';
import { Tensor, toNumbers, type NumericValues } from '../../../onnx/tensor';

/** Small facts about nodes and the constants they read (attributes, shapes, scales, pads). */

export function intAttr(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute.find((x) => x.name === name);
  return a?.i !== undefined ? toNumber(a.i) : fallback;
}

export function intsAttr(node: NodeProto, name: string): number[] | undefined {
  const a = node.attribute.find((x) => x.name === name);
  return a ? a.ints.map(toNumber) : undefined;
}

/** The dims of the weight behind `name` (initializer or Constant, through Identity), or undefined when computed. */
export function constantDims(g: GraphEdit, name: string | undefined): number[] | undefined {
  const w = name ? g.weight(name) : undefined;
  return w && new Tensor(w.tensor).dims;
}

/** Up to `limit` values of a small constant as numbers (shapes, scales, pads, split sizes); undefined when computed or larger. */
export function constantNumbers(g: GraphEdit, name: string | undefined, limit = 64): number[] | undefined {
  const w = name ? g.weight(name) : undefined;
  if (!w) return undefined;
  const t = new Tensor(w.tensor);
  if (t.elementCount > limit || t.dtype === 8) return undefined;
  return toNumbers(t.read(limit).values as NumericValues);
}

/** The node's id (DESIGN.md §2) as the contract names nodes. */
export function nodeId(ids: ReadonlyMap<NodeProto, string>, node: NodeProto): string {
  return ids.get(node) ?? node.name ?? node.output[0] ?? '';
}

export const isDefaultDomain = (node: NodeProto): boolean => !node.domain || node.domain === 'ai.onnx';
