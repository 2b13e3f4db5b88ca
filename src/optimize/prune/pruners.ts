import { TransformRefusedError } from '../errors';
import type { PruneMethod, Pruner } from './types';

/** The pruner behind each method (issue 11). Placeholders until the pruners are merged. */
const PRUNERS: Record<PruneMethod, Pruner | undefined> = {
  unstructured: undefined,
  '2:4': undefined,
  channels: undefined,
};

export function prunerFor(method: PruneMethod): Pruner {
  const p = PRUNERS[method];
  if (!p) throw new TransformRefusedError(`pruning method '${method}' is not available in this build`);
  return p;
}
