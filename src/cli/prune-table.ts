// `onnx-studio prune`'s text output: the per-layer table (sparsity, or channels kept), the
// layers left with why, and what the method gains. --json carries the same in the report.
import type { TransformReport } from '../optimize/report';
import { printable } from './printable';

/** Skipped layers listed one by one; the rest are counted. */
const MAX_SKIPPED = 20;
/** Longest name printed: a name from a hostile or generated file must not widen every row. */
const MAX_CELL = 80;

const cell = (s: string): string => {
  const p = printable(s);
  return p.length > MAX_CELL ? `${p.slice(0, MAX_CELL - 1)}…` : p;
};
const pct = (share: number): string => `${(share * 100).toFixed(1)} %`;
const count = (n: number): string => n.toLocaleString('en-US');

/** The lines printed after a prune, before the "written" line; none for other transforms. */
export function pruneTable(report: TransformReport): string[] {
  const part = report.prune;
  if (!part) return [];
  const channels = part.method === 'channels';
  // Channel pruning removes weights rather than zeroing them: its rows show what was kept. A
  // layer that only reads pruned channels keeps its output channels and still loses weights.
  const head = channels ? ['layer', 'op', 'weights', 'output channels'] : ['layer', 'op', 'weights', 'sparsity'];
  const rows = part.prunedLayers.map((l) =>
    channels
      ? [cell(l.node), l.opType, `${count(l.elementsBefore)} → ${count(l.elementsAfter)}`, l.channelsBefore === undefined ? '' : `${l.channelsBefore} → ${l.channelsAfter}`]
      : [cell(l.node), l.opType, count(l.elementsAfter), pct(l.sparsity)],
  );
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i >= 2 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const out = [line(head), ...rows.map(line)];
  if (part.skippedLayers.length) {
    out.push(`${channels ? 'output channels left whole' : 'left alone'}: ${part.skippedLayers.length} layer(s)`);
    for (const s of part.skippedLayers.slice(0, MAX_SKIPPED)) out.push(`  ${cell(s.node)} (${s.opType}): ${printable(s.reason)}`);
    if (part.skippedLayers.length > MAX_SKIPPED) out.push(`  … ${part.skippedLayers.length - MAX_SKIPPED} more (see --json)`);
  }
  if (report.parametersBefore !== undefined && report.parametersAfter !== undefined) {
    const fewer = report.parametersBefore ? 1 - report.parametersAfter / report.parametersBefore : 0;
    const sparsity = channels ? '' : `; sparsity of the pruned layers ${pct(report.sparsity ?? 0)}`;
    out.push(`parameters ${count(report.parametersBefore)} → ${count(report.parametersAfter)} (${fewer < 0 ? `${pct(-fewer)} more: pruned copies of shared weights` : `${pct(fewer)} fewer`})${sparsity}`);
  }
  if (part.recipe) out.push(`recipe: ${printable(part.recipe)}`);
  if (part.note) out.push(`note: ${part.note}`);
  return out;
}
