// The profile overlay (issue 10, point 3), built from `onnx-studio profile --json`, so the editor
// shows exactly what the CLI prints: nodes coloured by the time of the layer(s) that compute
// them, the nodes of one fused layer in one group, a per-layer table, time by op type, and the
// unmapped time as a row and a bar of its own. Pure (no vscode): the unit tests build it from JSON.
import type { ProfileJson } from '../profiles/layer-profile';
import type { Overlay, OverlayChart, OverlayEntry, OverlayTableRow } from '../protocol/overlay';
import { parseJson } from './cli-message';

export const PROFILE_OVERLAY_ID = 'profile';

/** Op type and name of each node of the model by id (the editor's nodes/list); empty when unknown. */
export type NodeOps = ReadonlyMap<string, { op: string; name: string }>;

/** How a node is shown: its name (ids escape `/`), else its id. */
export function nodeLabel(id: string, ops: NodeOps): string {
  return ops.get(id)?.name || id;
}

type Layer = ProfileJson['layers'][number];

const TOOL_NAMES: Record<ProfileJson['source']['tool'], string> = { onnxruntime: 'ONNX Runtime', trtexec: 'TensorRT (trtexec)', nsys: 'Nsight Systems' };
/** Bars of the op-type chart before the rest are summed into one. */
const CHART_BARS = 12;
/** Warnings listed in the summary; the output channel has every one (the CLI's stderr). */
const WARNINGS_SHOWN = 5;
const UNMAPPED = 'unmapped';
const OVERHEAD = 'overhead';

/** The CLI's JSON, or undefined when stdout is not a profile document. */
export function parseProfileJson(stdout: string): ProfileJson | undefined {
  return parseJson<ProfileJson>(stdout, (j) => typeof j?.source?.tool === 'string' && Array.isArray(j.layers) && typeof j.totalTimeMs === 'number' && typeof j.mappedShare === 'number');
}

/** "ONNX Runtime 1.30.0, CPU, opt all": what a profile is called in titles and picks. */
export function profileLabel(p: ProfileJson): string {
  const s = p.source;
  // The keys the ONNX Runtime run states (src/cli/profile.ts); imported files state their own.
  // Threads 0 is ONNX Runtime's own choice (one per physical core), not "0 thread(s)".
  const threads = s.settings.threads === 0 ? 'threads: ONNX Runtime’s choice' : s.settings.threads !== undefined && `${s.settings.threads} thread(s)`;
  const settings = [s.settings.optimization !== undefined && `opt ${s.settings.optimization}`, threads];
  return [`${TOOL_NAMES[s.tool] ?? s.tool}${s.version ? ` ${s.version}` : ''}`, s.device, s.precision, ...settings].filter(Boolean).join(', ');
}

export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)} %`;
}

/** One line for a notification: total, how much maps, how many layers. */
export function profileSummaryLine(p: ProfileJson): string {
  const mapped = p.layers.filter((l) => l.onnxNodes.length > 0).length;
  return `${profileLabel(p)}: ${p.totalTimeMs.toFixed(3)} ms per inference over ${p.inferences} run(s); ${percent(p.mappedShare)} of the time on ${mapped} of ${p.layers.length} layers maps to nodes of the model`;
}

/** Each node's place in the model's order (the order of `ops`, as nodes/list gives it), computed once per map. */
const orderOf = new WeakMap<NodeOps, Map<string, number>>();
function nodeOrder(ops: NodeOps): Map<string, number> {
  let order = orderOf.get(ops);
  if (!order) orderOf.set(ops, (order = new Map([...ops.keys()].map((id, i) => [id, i]))));
  return order;
}

/**
 * The ONNX op types a layer computes in model order ("Conv+Relu" whichever order the tool lists
 * the nodes in, so one fused pattern is one bar), else the tool's own layer kind.
 */
export function layerOps(layer: Layer, ops: NodeOps): string {
  const order = nodeOrder(ops);
  const ids = layer.onnxNodes.filter((id) => ops.has(id)).sort((a, b) => order.get(a)! - order.get(b)!);
  const known = [...new Set(ids.map((id) => ops.get(id)!.op))];
  return known.length ? known.join('+') : (layer.kind ?? '');
}

/** Time per inference by op type, slowest first; overhead and unmapped time are bars of their own, never dropped. */
export function timeByOpType(p: ProfileJson, ops: NodeOps): OverlayChart['bars'] {
  const sums = new Map<string, number>();
  for (const l of p.layers) {
    const key = l.onnxNodes.length === 0 ? UNMAPPED : l.overhead ? OVERHEAD : layerOps(l, ops) || '?';
    sums.set(key, (sums.get(key) ?? 0) + l.timeMs);
  }
  const apart = (label: string): boolean => label === UNMAPPED || label === OVERHEAD;
  const ranked = [...sums].filter(([label]) => !apart(label)).sort((a, b) => b[1] - a[1]);
  const shown = ranked.slice(0, CHART_BARS);
  const rest = ranked.slice(CHART_BARS).reduce((s, [, v]) => s + v, 0);
  const bars: OverlayChart['bars'] = shown.map(([label, value]) => ({ label, value }));
  const others = ranked.length - CHART_BARS;
  if (rest > 0) bars.push({ label: `${others} other op type${others === 1 ? '' : 's'}`, value: rest });
  for (const label of [OVERHEAD, UNMAPPED]) if (sums.has(label)) bars.push({ label, value: sums.get(label)!, muted: true });
  return bars;
}

/**
 * Each node's entry: the time of the layers that compute it (a fused layer's time on each of its
 * nodes, so the fused nodes show alike), grouped by the layer that is not overhead.
 */
function nodeEntries(p: ProfileJson): Record<string, OverlayEntry> {
  const nodes: Record<string, OverlayEntry & { value: number }> = {};
  const why = new Map<string, string[]>();
  // Slowest first (the CLI's order, kept by sorting again), so a node's group is its main layer.
  for (const l of [...p.layers].sort((a, b) => b.timeMs - a.timeMs)) {
    for (const id of l.onnxNodes) {
      const e = (nodes[id] ??= { value: 0 });
      e.value += l.timeMs;
      if (!l.overhead && e.group === undefined) e.group = l.name;
      const line = `${l.overhead ? 'overhead ' : ''}${l.name}: ${l.timeMs.toFixed(3)} ms (${percent(l.share)})${l.onnxNodes.length > 1 ? `, shared by ${l.onnxNodes.length} nodes` : ''}`;
      why.set(id, [...(why.get(id) ?? []), line]);
    }
  }
  for (const [id, lines] of why) {
    nodes[id]!.detail = lines.join('; ');
    if (nodes[id]!.group === undefined) nodes[id]!.label = 'overhead';
  }
  return nodes;
}

function tableRow(l: Layer, ops: NodeOps, withPrecision: boolean): OverlayTableRow {
  const first = l.onnxNodes[0];
  const nodesCell = first === undefined ? UNMAPPED : `${nodeLabel(first, ops)}${l.onnxNodes.length > 1 ? ` +${l.onnxNodes.length - 1}` : ''}`;
  const names = l.onnxNodes.slice(0, 20).map((id) => nodeLabel(id, ops));
  const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(2)} MiB`;
  const facts = [
    l.kind && `kind ${l.kind}`,
    l.precision && `precision ${l.precision}`,
    l.tactic && `tactic ${l.tactic}`,
    l.medianMs !== undefined && `median ${l.medianMs.toFixed(4)} ms`,
    `${l.count} call(s)`,
    l.activationBytes !== undefined && `activations ${mib(l.activationBytes)}`,
    l.outputBytes !== undefined && `outputs ${mib(l.outputBytes)}`,
    names.length > 0 && `nodes: ${names.join(', ')}${l.onnxNodes.length > 20 ? ', …' : ''}`,
  ];
  return {
    name: l.name,
    nodes: l.onnxNodes,
    cells: [layerOps(l, ops), l.timeMs, l.share, nodesCell, ...(withPrecision ? [l.precision ?? null] : [])],
    ...(l.overhead ? { overhead: true } : {}),
    detail: facts.filter(Boolean).join('; '),
  };
}

export function profileOverlay(p: ProfileJson, ops: NodeOps): Overlay {
  // Per-layer precision where the source has it (TensorRT layer info: FP32 layers inside an INT8 engine).
  const withPrecision = p.layers.some((l) => l.precision);
  const unmapped = p.layers.filter((l) => l.onnxNodes.length === 0);
  const unmappedMs = unmapped.reduce((s, l) => s + l.timeMs, 0);
  const overheadMs = p.layers.filter((l) => l.overhead).reduce((s, l) => s + l.timeMs, 0);
  return {
    id: PROFILE_OVERLAY_ID,
    title: `Profile: ${profileLabel(p)}`,
    kind: 'metric',
    unit: 'ms',
    higherIsBetter: false,
    scale: 'linear',
    nodes: nodeEntries(p),
    summary: [
      { label: 'source', text: [profileLabel(p), ...p.source.files.map((f) => f.split(/[\\/]/).pop())].join(' · ') },
      { label: 'per inference', text: `${p.totalTimeMs.toFixed(3)} ms over ${p.inferences} run(s)`, value: p.totalTimeMs },
      { label: 'mapped share', text: percent(p.mappedShare), value: p.mappedShare },
      { label: 'unmapped', text: unmapped.length ? `${unmappedMs.toFixed(3)} ms in ${unmapped.length} layer(s)` : 'none: every layer maps to nodes', value: unmappedMs },
      ...(overheadMs > 0 ? [{ label: 'overhead', text: `${overheadMs.toFixed(3)} ms (charged to the nodes it serves)`, value: overheadMs }] : []),
      ...p.warnings.slice(0, WARNINGS_SHOWN).map((w) => ({ label: 'warning', text: w })),
      ...(p.warnings.length > WARNINGS_SHOWN ? [{ label: 'warning', text: `${p.warnings.length - WARNINGS_SHOWN} more in the output channel`, value: p.warnings.length }] : []),
    ],
    table: {
      nameTitle: 'Layer',
      columns: [{ title: 'Op types' }, { title: 'Time (ms)', format: 3 }, { title: 'Share', format: 'percent' }, { title: 'ONNX nodes' }, ...(withPrecision ? [{ title: 'Precision' }] : [])],
      rows: p.layers.map((l) => tableRow(l, ops, withPrecision)),
      sortBy: 1,
    },
    chart: { title: 'Time by op type', unit: 'ms', bars: timeByOpType(p, ops) },
  };
}
