// Two profiles of one model compared (issue 10, point 3: FP32 vs INT8, ORT vs TensorRT, before
// vs after pruning): each node's time in both, its ratio painted on the graph (1 = unchanged,
// colours diverge from it on a log scale), and the biggest changes as a table. Pure (no vscode).
import type { ProfileJson } from '../profiles/layer-profile';
import type { Overlay, OverlayEntry } from '../protocol/overlay';
import { nodeLabel, percent, profileLabel, type NodeOps } from './profile-overlay';

export const COMPARE_OVERLAY_ID = 'profile-compare';
/** Rows of the changes table: the largest absolute changes. */
const TABLE_ROWS = 200;

/**
 * Each node's time per inference: a layer's time split evenly over the nodes it computes, so
 * profiles that fuse differently (an ORT node per layer, a TensorRT layer per block) add up alike.
 */
export function nodeTimes(p: ProfileJson): Map<string, number> {
  const times = new Map<string, number>();
  for (const l of p.layers) for (const id of l.onnxNodes) times.set(id, (times.get(id) ?? 0) + l.timeMs / l.onnxNodes.length);
  return times;
}

/** Time per inference of the layers that map to no node of the model. */
function unmappedMs(p: ProfileJson): number {
  return p.layers.filter((l) => l.onnxNodes.length === 0).reduce((s, l) => s + l.timeMs, 0);
}

export interface NodeChange {
  id: string;
  beforeMs: number;
  afterMs: number;
  /** afterMs / beforeMs; undefined when the node has no time in one of them. */
  ratio: number | undefined;
}

/** Every node timed in either profile, largest absolute change first. */
export function nodeChanges(before: ProfileJson, after: ProfileJson): NodeChange[] {
  const a = nodeTimes(before);
  const b = nodeTimes(after);
  const ids = new Set([...a.keys(), ...b.keys()]);
  return [...ids]
    .map((id) => {
      const [beforeMs, afterMs] = [a.get(id) ?? 0, b.get(id) ?? 0];
      return { id, beforeMs, afterMs, ratio: beforeMs > 0 && afterMs > 0 ? afterMs / beforeMs : undefined };
    })
    .sort((x, y) => Math.abs(y.afterMs - y.beforeMs) - Math.abs(x.afterMs - x.beforeMs) || x.id.localeCompare(y.id));
}

export function compareOverlay(before: ProfileJson, after: ProfileJson, ops: NodeOps): Overlay {
  const changes = nodeChanges(before, after);
  const nodes: Record<string, OverlayEntry> = {};
  for (const c of changes) {
    const detail = `${c.beforeMs.toFixed(3)} ms → ${c.afterMs.toFixed(3)} ms`;
    nodes[c.id] = c.ratio !== undefined ? { value: c.ratio, detail } : { label: c.beforeMs > 0 ? 'only before' : 'only after', detail };
  }
  const [nameA, nameB] = [profileLabel(before), profileLabel(after)];
  // Nodes with a ratio: none (profiles of different models, or zero times) leaves nothing coloured, which the summary says.
  const inBoth = changes.filter((c) => c.ratio !== undefined).length;
  return {
    id: COMPARE_OVERLAY_ID,
    title: `Profiles compared: ${nameB} / ${nameA}`,
    kind: 'metric',
    unit: '×',
    higherIsBetter: false,
    centre: 1,
    scale: 'log',
    nodes,
    summary: [
      { label: 'before', text: `${nameA}: ${before.totalTimeMs.toFixed(3)} ms, ${percent(before.mappedShare)} mapped`, value: before.totalTimeMs },
      { label: 'after', text: `${nameB}: ${after.totalTimeMs.toFixed(3)} ms, ${percent(after.mappedShare)} mapped`, value: after.totalTimeMs },
      { label: 'ratio', text: before.totalTimeMs > 0 ? `${(after.totalTimeMs / before.totalTimeMs).toFixed(3)} × (after / before)` : '—', ...(before.totalTimeMs > 0 ? { value: after.totalTimeMs / before.totalTimeMs } : {}) },
      { label: 'per node', text: 'a layer’s time is split evenly over the nodes it computes' },
      // Time on no node is in neither the ratios nor the table: said here, never dropped.
      { label: 'unmapped', text: `${unmappedMs(before).toFixed(3)} ms → ${unmappedMs(after).toFixed(3)} ms (on no node, not in the ratios)`, value: unmappedMs(after) - unmappedMs(before) },
      { label: 'timed in both', text: inBoth ? `${inBoth} of ${changes.length} nodes` : `none of ${changes.length} nodes: no ratio to paint (profiles of different models?)`, value: inBoth },
    ],
    table: {
      nameTitle: 'Node',
      columns: [{ title: 'Op' }, { title: 'Before (ms)', format: 3 }, { title: 'After (ms)', format: 3 }, { title: 'Ratio', format: 2 }, { title: 'Change (ms)', format: 3 }],
      rows: changes.slice(0, TABLE_ROWS).map((c) => ({ name: nodeLabel(c.id, ops), nodes: [c.id], cells: [ops.get(c.id)?.op ?? '', c.beforeMs, c.afterMs, c.ratio ?? null, c.afterMs - c.beforeMs] })),
    },
  };
}
