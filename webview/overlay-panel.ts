// The overlay's part of the side panel: which overlay (when several), on/off, the legend, and a
// sortable table of its nodes where a click reveals the node. Every string goes in as text.
import type { Overlay } from '../src/protocol/overlay';
import { overlayChart } from './overlay-chart';
import type { ColourScale } from './overlay-colours';
import { initialSort, overlayTable, ROWS_SHOWN, type TableSort } from './overlay-table';
import { statusColour, type Overlays } from './overlays';
import { el } from './panel';

/** Where each node of the model is: its op and graph level (from the host's nodes/list). */
export type NodeIndex = Map<string, { op: string; graphId: string }>;

type SortKey = 'node' | 'op' | 'value';

interface Row {
  id: string;
  op: string;
  graphId: string | null;
  value: number | undefined;
  note: string;
  detail: string;
  /** Where rows without a value sort: a verdict that blocks first (status overlays). */
  rank: number;
}

const STATUS_RANK: Record<string, number> = { unsupported: 0, conditional: 1 };

export class OverlayPanel {
  private sort: { key: SortKey; descending: boolean } = { key: 'value', descending: false };
  /** Per overlay id: how its own table is sorted and how many rows it shows. */
  private readonly tables = new Map<string, { sort: TableSort | null; shown: number }>();

  constructor(
    private readonly root: HTMLElement,
    private readonly overlays: Overlays,
    private readonly on: { reveal(nodeId: string, graphId: string): Promise<void>; changed(): void; highlight(nodeIds: string[]): void },
  ) {}

  /** Draws the section again (an overlay set or cleared, the choice changed, the model's nodes known). */
  show(index: NodeIndex | null): void {
    const o = this.overlays.active;
    this.root.hidden = !o;
    this.root.replaceChildren();
    if (!o) return;
    this.root.append(el('h3', o.title));
    this.root.append(this.controls(index));
    if (o.summary?.length) this.root.append(summary(o));
    const scale = this.overlays.scale();
    if (scale) this.root.append(legend(scale, o));
    if (o.kind === 'status') this.root.append(statusLegend(o));
    if (o.unmapped?.length) this.root.append(el('p', `${o.unmapped.length} entries name no node of this model: ${o.unmapped.slice(0, 20).join(', ')}${o.unmapped.length > 20 ? ', …' : ''}`));
    if (o.chart?.bars.length) this.root.append(overlayChart(o.chart));
    this.root.append(o.table ? this.ownTable(o, index) : this.table(o, index));
  }

  private ownTable(o: Overlay, index: NodeIndex | null): HTMLElement {
    const t = o.table!;
    const at = this.tables.get(o.id) ?? { sort: initialSort(t), shown: ROWS_SHOWN };
    this.tables.set(o.id, at);
    return overlayTable(t, at.sort, at.shown, index, {
      // After the reveal, whose selection highlights the node's own group (an overhead row's node has another).
      reveal: (row, graphId) => void this.on.reveal(row.nodes.find((id) => index?.has(id))!, graphId).then(() => this.on.highlight(row.nodes)),
      sorted: (sort) => {
        at.sort = sort;
        this.show(index);
      },
      more: () => {
        at.shown += ROWS_SHOWN;
        this.show(index);
      },
    });
  }

  private controls(index: NodeIndex | null): HTMLElement {
    const bar = el('div');
    bar.className = 'overlay-controls';
    if (this.overlays.list.length > 1) {
      const pick = el('select');
      pick.setAttribute('aria-label', 'Overlay shown');
      for (const o of this.overlays.list) {
        const option = el('option', o.title);
        option.value = o.id;
        option.selected = o.id === this.overlays.activeId;
        pick.append(option);
      }
      pick.addEventListener('change', () => this.update(() => (this.overlays.activeId = pick.value), index));
      bar.append(pick);
    }
    const label = el('label');
    const toggle = el('input');
    toggle.type = 'checkbox';
    toggle.id = 'overlay-on';
    toggle.checked = this.overlays.enabled;
    toggle.addEventListener('change', () => this.update(() => (this.overlays.enabled = toggle.checked), index));
    label.append(toggle, ' paint on graph');
    bar.append(label);
    const o = this.overlays.active;
    if (o?.kind === 'metric' && o.scale !== undefined) {
      const spread = el('select');
      spread.id = 'overlay-scale';
      spread.setAttribute('aria-label', 'Colour scale');
      for (const [value, text] of [['linear', 'linear'], ['log', 'log']]) {
        const option = el('option', text);
        option.value = value!;
        option.selected = (value === 'log') === this.overlays.isLog(o);
        spread.append(option);
      }
      spread.addEventListener('change', () => this.update(() => this.overlays.setLog(o, spread.value === 'log'), index));
      bar.append(spread);
    }
    return bar;
  }

  private update(change: () => void, index: NodeIndex | null): void {
    change();
    this.show(index);
    this.on.changed();
  }

  private table(o: Overlay, index: NodeIndex | null): HTMLTableElement {
    // A status overlay lists its findings (entries with a badge or a reason); every node is still painted.
    const listed = Object.entries(o.nodes).filter(([, e]) => o.kind !== 'status' || e.label !== undefined || e.detail !== undefined);
    const rows: Row[] = listed.map(([id, e]) => {
      const at = index?.get(id);
      return { id, op: at?.op ?? '—', graphId: at?.graphId ?? null, value: e.value, note: e.label ?? e.status ?? '', detail: e.detail ?? '', rank: STATUS_RANK[e.status ?? ''] ?? 2 };
    });
    rows.sort(compare(this.sort.key, this.sort.descending));
    const table = el('table');
    table.className = 'overlay-table';
    const head = el('tr');
    const titles: [SortKey, string][] = [['node', 'Node'], ['op', 'Op'], ['value', o.unit ? `Value (${o.unit})` : 'Value']];
    for (const [key, title] of titles) {
      const b = el('button', title + (this.sort.key === key ? (this.sort.descending ? ' ▼' : ' ▲') : ''));
      b.className = 'link';
      b.title = `Sort by ${title.toLowerCase()}`;
      b.addEventListener('click', () => {
        this.sort = { key, descending: this.sort.key === key ? !this.sort.descending : false };
        this.show(index);
      });
      const th = el('th');
      th.append(b);
      head.append(th);
    }
    head.append(el('th', ''));
    table.append(el('thead'), el('tbody'));
    table.tHead!.append(head);
    for (const r of rows) table.tBodies[0]!.append(this.row(r));
    return table;
  }

  private row(r: Row): HTMLTableRowElement {
    const tr = el('tr');
    tr.dataset.node = r.id;
    if (r.value !== undefined) tr.dataset.value = String(r.value);
    if (r.detail) tr.title = r.detail;
    const node = el('button', r.id);
    node.className = 'link';
    node.disabled = r.graphId === null;
    if (r.graphId === null) node.title = 'not a node of this model';
    else node.addEventListener('click', () => void this.on.reveal(r.id, r.graphId!));
    const cell = el('td');
    cell.append(node);
    tr.append(cell, el('td', r.op), el('td', r.value === undefined ? '—' : r.value.toFixed(2)), el('td', r.note));
    return tr;
  }
}

/** Missing values sort last in either direction. */
function compare(key: SortKey, descending: boolean): (a: Row, b: Row) => number {
  const sign = descending ? -1 : 1;
  return (a, b) => {
    if (key === 'value') {
      if (a.value === undefined && b.value === undefined) return sign * (a.rank - b.rank);
      if (a.value === undefined || b.value === undefined) return a.value === undefined ? 1 : -1;
      return sign * (a.value - b.value);
    }
    const field = key === 'node' ? 'id' : 'op'; // the Node column sorts by id (it had no field of its own)
    return sign * a[field].localeCompare(b[field]);
  };
}

/** Each status with its colour and how many nodes have it. */
function statusLegend(o: Overlay): HTMLElement {
  const counts = new Map<string, number>();
  for (const e of Object.values(o.nodes)) if (e.status !== undefined) counts.set(e.status, (counts.get(e.status) ?? 0) + 1);
  const box = el('div');
  box.className = 'overlay-legend';
  for (const [status, n] of counts) {
    const swatch = el('span', '■');
    swatch.style.color = statusColour(status);
    box.append(swatch, el('span', ` ${status} ${n}  `));
  }
  return box;
}

function legend(scale: ColourScale, o: Overlay): HTMLElement {
  const box = el('div');
  box.className = 'overlay-legend';
  const bar = el('canvas');
  bar.width = 160;
  bar.height = 10;
  bar.setAttribute('role', 'img');
  bar.setAttribute('aria-label', `colours from worst (${short(scale.worst)}) to best (${short(scale.best)})`);
  const ctx = bar.getContext('2d');
  for (let x = 0; ctx && x < bar.width; x++) {
    ctx.fillStyle = scale(scale.valueAt(x / (bar.width - 1)));
    ctx.fillRect(x, 0, 1, bar.height);
  }
  const unit = o.unit ? ` ${o.unit}` : '';
  box.append(el('span', `worst ${short(scale.worst)}${unit}`), bar, el('span', `${short(scale.best)}${unit} best`));
  return box;
}

/** The overlay's figures: label and text, the unrounded value in data-value for readers and tests. */
function summary(o: Overlay): HTMLElement {
  const table = el('table');
  table.className = 'overlay-summary';
  for (const f of o.summary!) {
    const tr = el('tr');
    tr.dataset.label = f.label;
    if (f.value !== undefined) tr.dataset.value = String(f.value);
    tr.append(el('th', f.label), el('td', f.text));
    table.append(tr);
  }
  return table;
}

/** Three significant digits (times span 0.001 ms to seconds), whole numbers from 100 up. */
function short(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : String(Number(v.toPrecision(3)));
}
