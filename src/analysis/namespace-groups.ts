// The namespace tree of one graph level, shared by the canvas (webview) and the ONNX Graph tree
// view (extension host), so both show the same groups and split big levels the same way. Pure:
// no Node or VS Code modules, the webview bundles it.

/** No level shows more than this many children: bigger levels are split into sections. */
export const SECTION_LIMIT = 1000;

const SECTION = /^§(\d+)$/;

/**
 * Each node's group path: its namespace (`encoder/layers/encoder_layer_0`) with section
 * segments (`§3`) inserted wherever a level has more than SECTION_LIMIT children. Graphs without
 * namespaces are thereby split too — in node order, which ONNX keeps topological, so sections
 * are runs of the network. `namespaces[i]` is node i's namespace ('' for none). Nodes marked
 * `atTop` (the graph's inputs and outputs: where a reader starts and ends) stay at the root,
 * outside every section.
 */
export function groupPaths(namespaces: readonly string[], atTop?: ArrayLike<number>): string[] {
  const n = namespaces.length;
  const segments = namespaces.map((ns) => ns.split('/').filter(Boolean));
  const paths = new Array<string>(n);
  const rest: number[] = [];
  for (let i = 0; i < n; i++) {
    if (atTop?.[i]) paths[i] = '';
    else rest.push(i);
  }
  // Walk the namespace tree level by level; `members` are the nodes below the current prefix.
  const stack: { prefix: string[]; depth: number; members: number[] }[] = [{ prefix: [], depth: 0, members: rest }];
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

/** What a group is called on screen: its last segment, `§3` as `section 3`. */
export function groupLabel(path: string): string {
  const last = path.split('/').pop()!;
  return last.replace(SECTION, 'section $1');
}

/** One level of the tree: its sub-groups (full paths, first-seen order) and its nodes (indices, in order). */
export interface GroupLevel {
  groups: string[];
  nodes: number[];
}

/** The tree as levels keyed by group path ('' the root), from the nodes' group paths. */
export function groupTree(paths: readonly string[]): Map<string, GroupLevel> {
  const levels = new Map<string, GroupLevel>();
  const level = (path: string): GroupLevel => {
    let l = levels.get(path);
    if (!l) levels.set(path, (l = { groups: [], nodes: [] }));
    return l;
  };
  level('');
  paths.forEach((path, i) => {
    if (!levels.has(path)) {
      const parts = path.split('/').filter(Boolean);
      for (let d = 1; d <= parts.length; d++) {
        const child = parts.slice(0, d).join('/');
        if (levels.has(child)) continue;
        level(parts.slice(0, d - 1).join('/')).groups.push(child);
        level(child);
      }
    }
    level(path).nodes.push(i);
  });
  return levels;
}
