// The overlays the host sent (overlay/set, overlay/clear): which one is shown, whether it is
// on, and what it paints on each drawn item — a colour from its value, a badge. A collapsed
// group shows the worst value among its members, so a problem is visible before expanding.
import type { GraphPayload } from '../src/protocol/graph-payload';
import type { Overlay, OverlayEntry } from '../src/protocol/overlay';
import { sequentialScale, themeStops, type ColourScale } from './overlay-colours';

export interface ItemPaint {
  /** Per drawn item: its fill, or undefined (the overlay says nothing about it: drawn faded). */
  fill: (string | undefined)[];
  badge: (string | undefined)[];
}

export class Overlays {
  private readonly all = new Map<string, Overlay>();
  activeId: string | null = null;
  enabled = true;
  /** The linear/log choice made in the view, per overlay id (else the overlay's own `scale`). */
  private readonly log = new Map<string, boolean>();

  get list(): Overlay[] {
    return [...this.all.values()];
  }

  get active(): Overlay | undefined {
    return this.activeId === null ? undefined : this.all.get(this.activeId);
  }

  /** The one just set is shown (and the view turned on). */
  set(overlay: Overlay): void {
    this.all.set(overlay.id, overlay);
    this.activeId = overlay.id;
    this.enabled = true;
  }

  clear(id?: string): void {
    if (id === undefined) this.all.clear();
    else this.all.delete(id);
    if (this.activeId === null || !this.all.has(this.activeId)) this.activeId = this.all.keys().next().value ?? null;
  }

  isLog(o: Overlay): boolean {
    return this.log.get(o.id) ?? o.scale === 'log';
  }

  setLog(o: Overlay, log: boolean): void {
    this.log.set(o.id, log);
  }

  /** The colours of the active metric overlay, from its worst value to its best. */
  scale(): ColourScale | undefined {
    const o = this.active;
    if (!o || o.kind !== 'metric') return undefined;
    const values = Object.values(o.nodes).map((e) => e.value).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    const log = this.isLog(o);
    const range = valueRange(values, log);
    if (!range) return undefined;
    const [lo, hi] = range;
    const options = { log, ...(o.centre !== undefined ? { centre: o.centre } : {}) };
    return o.higherIsBetter === false ? sequentialScale(hi, lo, themeStops(), options) : sequentialScale(lo, hi, themeStops(), options);
  }

  /** The ids of the nodes of the active overlay in one group (a fused layer) with this node, itself included. */
  groupOf(nodeId: string): string[] {
    const o = this.active;
    const group = o?.nodes[nodeId]?.group;
    if (!o || group === undefined) return [];
    return Object.entries(o.nodes).filter(([, e]) => e.group === group).map(([id]) => id);
  }

  /** What the shown overlay paints on each item of the current level; null when none is shown. */
  paint(p: GraphPayload, itemOf: ArrayLike<number>, items: number): ItemPaint | null {
    const o = this.active;
    if (!o || !this.enabled) return null;
    const scale = this.scale();
    const worse = (a: number, b: number): boolean => (o.higherIsBetter === false ? a > b : a < b);
    const worst: (number | undefined)[] = new Array(items);
    const paint: ItemPaint = { fill: new Array(items), badge: new Array(items) };
    p.nodes.id.forEach((id, node) => {
      const entry = o.nodes[id];
      const item = itemOf[node];
      if (!entry || item === undefined || item < 0) return;
      if (entry.label) paint.badge[item] = entry.label;
      if (entry.status !== undefined) paint.fill[item] ??= statusColour(entry.status);
      const v = entry.value;
      if (v === undefined || !Number.isFinite(v)) return;
      const w = worst[item];
      if (w === undefined || worse(v, w)) worst[item] = v;
    });
    if (scale) worst.forEach((v, item) => v !== undefined && (paint.fill[item] = scale(v)));
    return paint;
  }
}

/**
 * The lowest and highest of the values the colours span; undefined when there are none. On a log
 * scale only the positive values count (a 0 ms node then takes the best end): a single 0 would
 * otherwise flatten the whole domain to one colour.
 */
export function valueRange(values: readonly number[], log: boolean): [number, number] | undefined {
  const spanned = log && values.some((v) => v > 0) ? values.filter((v) => v > 0) : values;
  if (!spanned.length) return undefined;
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of spanned) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)]; // no spread: a large model's values overflow the stack
  return [lo, hi];
}

/**
 * 'status' overlays (TensorRT, issue 9) pick a theme chart colour per status name: the known
 * verdicts keep their meaning (green takes, yellow may, red does not), others take the rest in turn.
 */
const KNOWN_STATUS: Record<string, string> = { supported: '--vscode-charts-green', conditional: '--vscode-charts-yellow', unsupported: '--vscode-charts-red' };
const OTHER_VARS = ['--vscode-charts-blue', '--vscode-charts-purple', '--vscode-charts-orange'];
const statusNames: string[] = [];
export function statusColour(status: string): string {
  let variable = KNOWN_STATUS[status];
  if (!variable) {
    let i = statusNames.indexOf(status);
    if (i < 0) i = statusNames.push(status) - 1;
    variable = OTHER_VARS[i % OTHER_VARS.length]!;
  }
  return getComputedStyle(document.body).getPropertyValue(variable).trim() || '#888888';
}

/** A node's entry as rows of the properties panel. */
export function overlayFacts(e: OverlayEntry, unit?: string): [string, string][] {
  const rows: [string, string][] = [];
  if (e.value !== undefined) rows.push(['value', `${e.value.toFixed(2)}${unit ? ` ${unit}` : ''}`]);
  if (e.status !== undefined) rows.push(['status', e.status]);
  if (e.label !== undefined) rows.push(['tag', e.label]);
  if (e.detail !== undefined) rows.push(['why', e.detail]);
  if (e.group !== undefined) rows.push(['group', e.group]);
  return rows;
}
