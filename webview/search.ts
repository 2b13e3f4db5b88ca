// Ctrl+F: finds nodes by op, name and the tensors they read or write; Enter steps through matches.
// The searchable text of every drawn item is built once per layout, on the first query (one pass
// over the edges), so a keystroke scans strings, not the graph.
import type { GraphPayload } from '../src/protocol/graph-payload';
import type { SceneItem } from './scene';

/** Per drawn item: its label, sublabel and (for nodes) the values it reads or writes, lower-cased. */
export function searchTexts(p: GraphPayload, items: readonly SceneItem[], itemOf: ArrayLike<number>): string[] {
  const values: string[][] = items.map((it) => [it.label, it.sublabel]);
  const add = (node: number, value: number): void => {
    const item = itemOf[node]!;
    if (items[item]?.node === node) values[item]!.push(p.values.name[value]!);
  };
  for (let e = 0; e < p.edges.from.length; e++) {
    add(p.edges.from[e]!, p.edges.value[e]!);
    add(p.edges.to[e]!, p.edges.value[e]!);
  }
  return values.map((v) => v.join('\n').toLowerCase());
}

/** Items whose text contains the query (case-insensitive). */
export function matchingItems(texts: readonly string[], query: string): number[] {
  const q = query.trim().toLowerCase();
  const out: number[] = [];
  if (q) texts.forEach((t, i) => t.includes(q) && out.push(i));
  return out;
}

export class Search {
  private matches: number[] = [];
  private at = -1;
  private texts: string[] | undefined = [];
  private build: () => string[] = () => [];

  constructor(
    private readonly input: HTMLInputElement,
    private readonly count: HTMLElement,
    private readonly on: { highlight(set: Set<number>): void; reveal(item: number): void },
  ) {
    input.addEventListener('input', () => this.run());
    input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') this.next(e.shiftKey ? -1 : 1);
      if (e.key === 'Escape') {
        input.value = '';
        this.run();
        input.blur();
      }
    });
  }

  /** New items drawn: search them from now on (the current query runs again). */
  index(build: () => string[]): void {
    this.build = build;
    this.texts = undefined;
    if (this.input.value.trim()) this.run();
  }

  focus(): void {
    this.input.focus();
    this.input.select();
  }

  reset(): void {
    this.input.value = '';
    this.run();
  }

  private run(): void {
    if (this.input.value.trim()) this.texts ??= this.build();
    this.matches = matchingItems(this.texts ?? [], this.input.value);
    this.at = -1;
    this.count.textContent = this.input.value.trim() ? `${this.matches.length} found` : '';
    this.on.highlight(new Set(this.matches));
  }

  private next(step: number): void {
    if (!this.matches.length) return;
    this.at = (this.at + step + this.matches.length) % this.matches.length;
    this.count.textContent = `${this.at + 1} of ${this.matches.length}`;
    this.on.reveal(this.matches[this.at]!);
  }
}
