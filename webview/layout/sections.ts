import type { GraphPayload } from '../../src/protocol/graph-payload';

/** No level shows more than this many children: bigger levels are split into sections. */
export const SECTION_LIMIT = 1000;

/**
 * Each node's group path: its namespace (from its name) with section segments (`§3`) inserted
 * wherever a level has more than SECTION_LIMIT children. Graphs without namespaces are thereby
 * split too — in node order, which ONNX keeps topological, so sections are runs of the network.
 */
export function groupPaths(p: GraphPayload): string[] {
  const n = p.nodes.id.length;
  const segments = p.nodes.namespace.map((ns) => p.namespaceTable[ns]!.split('/').filter(Boolean));
  const paths = new Array<string>(n);
  // Walk the namespace tree level by level; `members` are the nodes below the current prefix.
  const stack: { prefix: string[]; depth: number; members: number[] }[] = [{ prefix: [], depth: 0, members: Array.from({ length: n }, (_, i) => i) }];
  while (stack.length) {
    const { prefix, depth, members } = stack.pop()!;
    // Children: named sub-namespaces (in first-seen order) and nodes that live at this level.
    const children: { key: string; members: number[] }[] = [];
    const byKey = new Map<string, number[]>();
    for (const i of members) {
      const seg = segments[i]![depth];
      if (seg === undefined) {
        children.push({ key: '', members: [i] });
        continue;
      }
      let list = byKey.get(seg);
      if (!list) {
        byKey.set(seg, (list = []));
        children.push({ key: seg, members: list });
      }
      list.push(i);
    }
    const sections = children.length > SECTION_LIMIT ? Math.ceil(children.length / SECTION_LIMIT) : 0;
    const per = sections ? Math.ceil(children.length / sections) : 0;
    children.forEach((c, k) => {
      const base = sections ? [...prefix, `§${Math.floor(k / per) + 1}`] : prefix;
      if (c.key === '') paths[c.members[0]!] = base.join('/');
      else stack.push({ prefix: [...base, c.key], depth: depth + 1, members: c.members });
    });
  }
  return paths;
}
