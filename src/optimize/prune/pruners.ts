import { TransformRefusedError } from '../errors';
import { twoFourPruner } from './two-four';
import type { PruneMethod, Pruner } from './types';
import { unstructuredPruner } from './unstructured';

/** The pruner behind each method (issue 11); channels until its pruner is merged. */
const PRUNERS: Record<PruneMethod, Pruner | undefined> = {
  unstructured: unstructuredPruner,
  '2:4': twoFourPruner,
  channels: undefined,
};

export function prunerFor(method: PruneMethod): Pruner {
  const p = PRUNERS[method];
  if (!p) throw new TransformRefusedError(`pruning method '${method}' is not available in this build`);
  return p;
}
