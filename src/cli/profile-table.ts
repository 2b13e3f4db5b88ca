// `onnx-studio profile`'s text output: the per-layer table, slowest first, and the figures a
// reader checks first (time per inference, share that landed on the model's nodes).
import type { LayerProfile, ProfiledLayer } from '../profiles/layer-profile';
import { printable } from './printable';

/** Rows printed; the rest are summed in one line. */
const MAX_ROWS = 50;
const MAX_NODES_SHOWN = 3;
/** Longest cell printed: a name from a hostile or generated file must not widen every row (the JSON keeps it whole). */
const MAX_CELL = 120;

/** How a node id is shown: its node's name where it has one (ids escape `/`). */
export type NodeLabel = (id: string) => string;

export function profileTable(p: LayerProfile, modelName: string, label: NodeLabel = (id) => id, maxRows = MAX_ROWS): string {
  const rows = p.layers.slice(0, maxRows).map((l) => [ms(l.avgMs), pct(l.share), cell(l.kind ?? ''), cell(l.name), nodesCell(l, label)]);
  const head = ['ms', 'share', 'kind', 'layer', 'ONNX nodes'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i < 2 ? c.padStart(widths[i]!) : i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const out = [line(head), ...rows.map(line)];
  const rest = p.layers.slice(maxRows);
  if (rest.length) out.push(`… ${rest.length} more layer(s), ${ms(rest.reduce((s, l) => s + l.avgMs, 0))} ms (${pct(rest.reduce((s, l) => s + l.share, 0))})`);
  out.push(summary(p, modelName));
  return out.join('\n');
}

export function summary(p: LayerProfile, modelName: string): string {
  const tool = printable(`${p.source.tool}${p.source.version ? ` ${p.source.version}` : ''}`);
  return `${tool}: ${ms(p.totalTimeMs)} ms of profiled time per inference (mean of ${p.inferences} run(s)), ${p.layers.length} layer(s); ${pct(p.mappedShare)} on nodes of ${printable(modelName)}`;
}

/** The layers that matched nodes of the model, for the message of a profile that mostly does not. */
export function matchedLayers(p: LayerProfile, label: NodeLabel = (id) => id, max = 10): string {
  const mapped = p.layers.filter((l) => l.onnxNodes.length > 0);
  const lines = mapped.slice(0, max).map((l) => `  ${cell(l.name)} → ${nodesCell(l, label)} (${pct(l.share)})`);
  if (mapped.length > max) lines.push(`  … ${mapped.length - max} more`);
  return lines.join('\n');
}

/** Escaped, and cut to MAX_CELL characters with an ellipsis. */
function cell(s: string): string {
  return printable(s.length > MAX_CELL ? `${s.slice(0, MAX_CELL - 1)}…` : s);
}

function nodesCell(l: ProfiledLayer, label: NodeLabel): string {
  if (l.onnxNodes.length === 0) return '(unmapped)';
  const shown = l.onnxNodes.slice(0, MAX_NODES_SHOWN).map((id) => cell(label(id))).join(', ');
  const more = l.onnxNodes.length > MAX_NODES_SHOWN ? ` +${l.onnxNodes.length - MAX_NODES_SHOWN}` : '';
  return `${shown}${more}${l.overhead ? ' (overhead)' : ''}`;
}

const ms = (x: number): string => (x >= 100 ? x.toFixed(1) : x >= 1 ? x.toFixed(3) : x.toFixed(4));
const pct = (x: number): string => `${(x * 100).toFixed(1)} %`;
