import type { Model } from '../../onnx/model/graph';

/**
 * Warnings for --exclude-nodes names that match no node (by name or node id) in any graph: a
 * typo would otherwise quantize the very node the user meant to keep in float, silently.
 */
export function unmatchedNodeNames(model: Model, names: readonly string[] | undefined): string[] {
  if (!names?.length) return [];
  const known = new Set<string>();
  for (const g of model.graphs()) for (const n of g.nodes) known.add(n.name).add(n.id);
  const missing = names.filter((n) => !known.has(n));
  return missing.length ? [`--exclude-nodes: no node is named ${missing.map((n) => `'${n}'`).join(', ')}; nothing was excluded for ${missing.length === 1 ? 'it' : 'them'}`] : [];
}
