// An overlay's own table (a profile's layers, a comparison's changes): sortable by any column,
// capped (more on demand, so a 10,000-layer profile stays responsive), a click on a row's name
// reveals its first node and highlights all its nodes. Names come from files: text only.
import type { OverlayTable, OverlayTableRow } from '../src/protocol/overlay';
import type { NodeIndex } from './overlay-panel';
import { el } from './panel';

/** Rows drawn at first, and added by each "show more". */
export const ROWS_SHOWN = 200;

/** Which column sorts (-1: the name), and how. */
export interface TableSort {
  column: number;
  descending: boolean;
}

export interface TableHooks {
  reveal(row: OverlayTableRow, graphId: string): void;
  sorted(sort: TableSort): void;
  more(): void;
}

export function initialSort(t: OverlayTable): TableSort | null {
  return t.sortBy === undefined ? null : { column: t.sortBy, descending: true };
}

/** Rows in the order asked; missing cells sort last either way; null sort keeps the table's order. */
export function sortRows(rows: readonly OverlayTableRow[], sort: TableSort | null): OverlayTableRow[] {
  if (!sort) return [...rows];
  const sign = sort.descending ? -1 : 1;
  const key = (r: OverlayTableRow): number | string | null => (sort.column < 0 ? r.name : (r.cells[sort.column] ?? null));
  return [...rows].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (x === null || y === null || x === '' || y === '') return x === y ? 0 : x === null || x === '' ? 1 : -1;
    if (typeof x === 'number' && typeof y === 'number') return sign * (x - y);
    return sign * String(x).localeCompare(String(y));
  });
}

export function formatCell(value: number | string | null, format: number | 'percent' | undefined): string {
  if (value === null) return '—';
  if (typeof value === 'string') return value;
  if (format === 'percent') return `${(value * 100).toFixed(1)} %`;
  return value.toFixed(format ?? 2);
}

export function overlayTable(t: OverlayTable, sort: TableSort | null, shown: number, index: NodeIndex | null, hooks: TableHooks): HTMLElement {
  const box = el('div');
  const table = el('table');
  table.className = 'overlay-table layer-table';
  const head = el('tr');
  const titles = [t.nameTitle, ...t.columns.map((c) => c.title)];
  titles.forEach((title, k) => {
    const column = k - 1;
    const active = sort?.column === column;
    const b = el('button', title + (active ? (sort!.descending ? ' ▼' : ' ▲') : ''));
    b.className = 'link';
    b.title = `Sort by ${title.toLowerCase()}`;
    // Numbers read first largest, names first A.
    b.addEventListener('click', () => hooks.sorted({ column, descending: active ? !sort!.descending : column >= 0 }));
    const th = el('th');
    th.append(b);
    head.append(th);
  });
  table.append(el('thead'), el('tbody'));
  table.tHead!.append(head);
  const rows = sortRows(t.rows, sort);
  for (const r of rows.slice(0, shown)) table.tBodies[0]!.append(row(t, r, index, hooks));
  box.append(table);
  if (rows.length > shown) {
    const more = el('button', `Show ${Math.min(ROWS_SHOWN, rows.length - shown)} more of ${rows.length - shown} rows`);
    more.className = 'link more-rows';
    more.addEventListener('click', () => hooks.more());
    box.append(more);
  }
  return box;
}

function row(t: OverlayTable, r: OverlayTableRow, index: NodeIndex | null, hooks: TableHooks): HTMLTableRowElement {
  const tr = el('tr');
  tr.dataset.layer = r.name;
  tr.dataset.nodes = r.nodes.join('\n');
  if (r.overhead) tr.classList.add('overhead');
  if (r.nodes.length === 0) tr.classList.add('unmapped');
  const first = r.nodes.find((id) => index?.has(id));
  const name = el('button', r.name);
  name.className = 'link';
  name.disabled = first === undefined;
  name.title = [r.nodes.length === 0 ? 'maps to no node of this model' : first === undefined ? 'its nodes are not in this model' : `reveal ${r.nodes.length} node(s)`, r.detail].filter(Boolean).join('\n');
  if (first !== undefined) name.addEventListener('click', () => hooks.reveal(r, index!.get(first)!.graphId));
  const cell = el('td');
  cell.append(name);
  if (r.overhead) cell.append(el('span', ' overhead'));
  tr.append(cell);
  r.cells.forEach((c, k) => {
    const text = formatCell(c, t.columns[k]?.format);
    const td = el('td', text);
    td.title = text; // cells are cut to the panel's width
    if (typeof c === 'number') {
      td.dataset.value = String(c);
      td.className = 'number';
    }
    tr.append(td);
  });
  return tr;
}
