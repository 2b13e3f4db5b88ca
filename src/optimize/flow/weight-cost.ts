// What keeping a node's weights float costs, in values (4 bytes each instead of 1): the budget
// of the accuracy-aware weight stage.
import type { Model } from '../../onnx/model/graph';
import { movesData, RECURRENT_WEIGHT_INPUTS } from '../weight-only/movement-ops';

type Node = Model['graph']['nodes'][number];

/**
 * Values of a node's weight: its largest constant input, or for a recurrent node the constants
 * its W and R come from through data movement (weight-only storage: Silero cuts one constant
 * into gate blocks), each counted once. Falling back such a node makes those constants float.
 */
export function weightValues(node: Node | undefined): number {
  if (!node) return 0;
  const recurrent = node.domain === '' ? RECURRENT_WEIGHT_INPUTS[node.opType] : undefined;
  if (recurrent) return constantsBehind(node, recurrent);
  let most = 0;
  for (const name of node.inputs) most = Math.max(most, constantSize(node, name));
  return most;
}

function constantSize(node: Node, name: string): number {
  const v = name ? node.graph.resolve(name) : undefined;
  const t = v?.initializer ?? (v?.producer?.opType === 'Constant' ? v.producer.attribute('value')?.tensor() : undefined);
  return t?.elementCount ?? 0;
}

/** The constants inputs `indices` of `node` reach back through data-movement ops (a work list, no recursion). */
function constantsBehind(node: Node, indices: readonly number[]): number {
  const seen = new Set<string>();
  let total = 0;
  const work: { node: Node; name: string }[] = indices.map((i) => ({ node, name: node.inputs[i] ?? '' }));
  while (work.length) {
    const { node: reader, name } = work.pop()!;
    const v = name ? reader.graph.resolve(name) : undefined;
    if (!v) continue;
    const key = `${v.index}:${v.name}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const size = constantSize(reader, name);
    if (size) {
      total += size;
      continue;
    }
    const p = v.producer;
    if (p && p.domain === '') p.inputs.forEach((input, i) => movesData(p.opType, i) && work.push({ node: p, name: input }));
  }
  return total;
}
