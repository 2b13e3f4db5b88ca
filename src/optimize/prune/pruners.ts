import { TransformRefusedError } from '../errors';
import { channelPruner } from './channels/channels';
import { twoFourPruner } from './two-four';
import type { PruneMethod, Pruner } from './types';
import { unstructuredPruner } from './unstructured';

/** The pruner behind each method (issue 11). */
const PRUNERS: Record<PruneMethod, Pruner> = {
  unstructured: unstructuredPruner,
  '2:4': twoFourPruner,
  channels: channelPruner,
};

export function prunerFor(method: PruneMethod): Pruner {
  const p = Object.hasOwn(PRUNERS, method) ? PRUNERS[method] : undefined;
  // The CLI checks the method; another caller may pass anything.
  if (!p) throw new TransformRefusedError(`no pruning method '${String(method)}': use unstructured, 2:4 or channels`);
  return p;
}
