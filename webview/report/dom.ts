// The report page's building blocks: elements from tags and children, where every string is a
// text node (nothing from a report can become markup), and the keyed figure cells tests read back.

export type Child = Node | string;

export function el(tag: string, attrs: Record<string, string> = {}, ...children: Child[]): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  e.append(...children);
  return e;
}

/** A figure cell: shown text, the exact JSON value in data-value, its key in data-key. */
export function figure(key: string, value: unknown, text: string): HTMLElement {
  return el('td', { class: 'figure', 'data-key': key, 'data-value': JSON.stringify(value ?? null), title: String(value ?? '') }, text);
}

export function table(head: string[], rows: HTMLElement[][], label: string): HTMLElement {
  const t = el('table', { 'aria-label': label }, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { scope: 'col' }, h)))), el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r))));
  return el('div', { class: 'table-box' }, t);
}

export function section(title: string, ...content: Child[]): HTMLElement {
  return el('section', {}, el('h2', {}, title), ...content);
}
