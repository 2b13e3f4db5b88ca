import { groupPaths as namespaceGroupPaths } from '../../src/analysis/namespace-groups';
import type { GraphPayload } from '../../src/protocol/graph-payload';

/** Each payload node's group path (namespace plus sections), as the ONNX Graph tree view has them. */
export function groupPaths(p: GraphPayload): string[] {
  return namespaceGroupPaths(p.nodes.namespace.map((ns) => p.namespaceTable[ns]!));
}
