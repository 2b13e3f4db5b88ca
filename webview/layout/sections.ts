import { groupPaths as namespaceGroupPaths } from '../../src/analysis/namespace-groups';
import { NodeKind, type GraphPayload } from '../../src/protocol/graph-payload';

/** Each payload node's group path (namespace plus sections), as the ONNX Graph tree view has them; inputs and outputs at the top. */
export function groupPaths(p: GraphPayload): string[] {
  const atTop = p.nodes.kind.map((k) => Number(k === NodeKind.Input || k === NodeKind.Output));
  return namespaceGroupPaths(p.nodes.namespace.map((ns) => p.namespaceTable[ns]!), atTop);
}
