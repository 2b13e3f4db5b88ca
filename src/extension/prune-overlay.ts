// The pruning-sensitivity overlay (issue 11, point 4): each unit of the sensitivity scan pruned
// alone at a few ratios, its worst output cosine painted on its nodes with the quantization-error
// overlay's colours (higher is better), and a table of units (worst cosine, the ratio chosen; the
// cosine per ratio in each row's tooltip: the side panel is narrow, the report view has them all).
// Pure (no vscode), built from the CLI's JSON report.
import type { SensitivityScan } from '../optimize/prune/types';
import type { TransformReport } from '../optimize/report';
import type { Overlay, OverlayEntry, OverlayTableRow } from '../protocol/overlay';
import { percentLabel } from './prune-args';

export const PRUNE_SENSITIVITY_OVERLAY_ID = 'prune-sensitivity';

/** Cosines sit just below 1: five decimals tell 0.99990 from 0.99995. */
const COSINE_DIGITS = 5;

type Unit = SensitivityScan['units'][number];

/** The unit's worst cosine over the scanned ratios; undefined when none is finite (JSON null: NaN or Infinity). */
function worstCosine(unit: Unit): number | undefined {
  const finite = (unit.cosine ?? []).filter((c): c is number => typeof c === 'number' && Number.isFinite(c));
  return finite.length ? Math.min(...finite) : undefined;
}

function describe(unit: Unit, ratios: readonly number[]): string {
  const scanned = ratios.map((r, i) => `${formatCosine(unit.cosine?.[i])} at ${percentLabel(r)}`).join(', ');
  const chosen = unit.chosen > 0 ? `pruned at ${percentLabel(unit.chosen)}` : 'left';
  return `unit ${unit.id} (${unit.nodes.length} layer${unit.nodes.length === 1 ? '' : 's'}, ${unit.parameters} parameters): output cosine ${scanned}; ${chosen}`;
}

const formatCosine = (c: unknown): string => (typeof c === 'number' && Number.isFinite(c) ? c.toFixed(COSINE_DIGITS) : 'not finite');

/** The overlay of a report whose pruning ran a sensitivity scan, else undefined. */
export function pruneSensitivityOverlay(report: TransformReport): Overlay | undefined {
  const scan = report.prune?.sensitivity;
  if (!scan || !Array.isArray(scan.units)) return undefined;
  const ratios = Array.isArray(scan.ratios) ? scan.ratios : [];
  const nodes: Record<string, OverlayEntry> = {};
  const units = scan.units.map((unit) => ({ unit, worst: worstCosine(unit) }));
  for (const { unit, worst } of units) {
    const entry: OverlayEntry = {
      ...(worst !== undefined ? { value: worst } : {}),
      label: unit.chosen > 0 ? `−${percentLabel(unit.chosen)}` : 'left',
      detail: describe(unit, ratios),
      // The layers of one channel group are pruned together: they highlight together.
      ...(unit.nodes.length > 1 ? { group: unit.id } : {}),
    };
    // A node in two units keeps the worse figure.
    for (const id of unit.nodes) {
      const before = nodes[id]?.value;
      if (before === undefined || (worst !== undefined && worst < before)) nodes[id] = entry;
    }
  }
  // Most sensitive first; units without a finite cosine last.
  units.sort((a, b) => (a.worst ?? Infinity) - (b.worst ?? Infinity));
  const rows: OverlayTableRow[] = units.map(({ unit, worst }) => ({
    name: unit.id,
    nodes: unit.nodes,
    cells: [worst ?? null, unit.chosen, unit.parameters],
    detail: describe(unit, ratios),
  }));
  const chosenUnits = scan.units.filter((u) => u.chosen > 0).length;
  return {
    id: PRUNE_SENSITIVITY_OVERLAY_ID,
    title: 'Pruning sensitivity (worst output cosine)',
    kind: 'metric',
    higherIsBetter: true,
    nodes,
    summary: [
      { label: 'target cosine', text: String(scan.targetCosine), value: scan.targetCosine },
      { label: 'cosine of the chosen ratios', text: formatCosine(scan.cosineChosen), ...(Number.isFinite(scan.cosineChosen) ? { value: scan.cosineChosen } : {}) },
      { label: 'units pruned', text: `${chosenUnits} of ${scan.units.length}`, value: chosenUnits },
    ],
    table: {
      nameTitle: 'Unit',
      columns: [
        { title: 'worst cosine', format: COSINE_DIGITS },
        { title: 'chosen', format: 'percent' },
        { title: 'parameters', format: 0 },
      ],
      rows,
    },
  };
}
