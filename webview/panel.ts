// The side panel: model and node properties, tensor statistics. Every model string goes in
// through textContent, never as HTML.
import type { ModelInfo, NodeDetails, TensorStats } from '../src/protocol/graph-payload';

type Row = [string, string];

export class Panel {
  constructor(private readonly root: HTMLElement) {}

  clear(): void {
    this.root.replaceChildren();
  }

  private section(title: string, rows: Row[]): HTMLElement {
    const sec = el('section');
    sec.append(el('h3', title));
    const table = el('table');
    for (const [k, v] of rows) {
      const tr = el('tr');
      tr.append(el('th', k), el('td', v));
      table.append(tr);
    }
    sec.append(table);
    this.root.append(sec);
    return sec;
  }

  showModel(m: ModelInfo): void {
    this.clear();
    this.section('Model', [
      ['file', m.file],
      ['IR version', String(m.irVersion)],
      ['producer', m.producer || '—'],
      ['opsets', Object.entries(m.opsets).map(([d, v]) => `${d || 'ai.onnx'} ${v}`).join(', ')],
      ['nodes', `${m.nodeCount} (${m.totalNodeCount} with subgraphs)`],
      ['parameters', m.parameterCount.toLocaleString('en-US')],
      ['weights', `${(m.weightBytes / 2 ** 20).toFixed(2)} MiB`],
    ]);
    const meta = Object.entries(m.metadata);
    if (meta.length) this.section('Metadata', meta);
  }

  showNode(d: NodeDetails, onTensor: (name: string) => void, onCopy: (text: string) => void): void {
    this.clear();
    const sec = this.section(d.opType, [
      ['name', d.name || '(unnamed)'],
      ['id', d.id],
      ['domain', d.domain || 'ai.onnx'],
      ['schema', d.schema ? `${d.opType}-${d.schema.since}${d.schema.deprecated ? ' (deprecated)' : ''}` : 'not checked (no schema for this domain)'],
      ...d.opset,
    ]);
    if (d.schema) sec.append(el('p', d.schema.summary));
    const copy = el('button', 'Copy name');
    copy.addEventListener('click', () => onCopy(d.name || d.id));
    sec.append(copy);
    if (d.attributes.length) this.section('Attributes', d.attributes.map((a) => [a.name, `${a.value}  : ${a.type}`]));
    for (const [title, list] of [['Inputs', d.inputs], ['Outputs', d.outputs]] as const) {
      if (!list.length) continue;
      const s = this.section(title, list.map((x) => [x.formal, `${x.name || '(none)'}  ${x.type}`]));
      list.forEach((x, i) => {
        if (!x.name) return;
        const b = el('button', `Values of ${x.name}`);
        b.className = 'link';
        b.addEventListener('click', () => onTensor(x.name));
        s.querySelectorAll('tr')[i]?.querySelector('td')?.append(b);
      });
    }
  }

  showTensor(t: TensorStats, onSave: () => void): void {
    const rows: Row[] = [
      ['tensor', t.name],
      ['type', `${t.dtype}[${t.shape.join(',')}]`],
      ['elements', t.count.toLocaleString('en-US') + (t.truncated ? ' (statistics over the first ones read)' : '')],
    ];
    if (t.min !== null) rows.push(['min / max', `${fmt(t.min)} / ${fmt(t.max)}`], ['mean / std', `${fmt(t.mean)} / ${fmt(t.std)}`], ['sparsity', `${(100 * t.sparsity!).toFixed(2)} %`]);
    rows.push(['first values', t.first.join(', ')]);
    const sec = this.section('Tensor', rows);
    const save = el('button', 'Save as .npy');
    save.addEventListener('click', onSave);
    sec.append(save);
  }

  /** Extra rows under what is shown (e.g. the selected node's overlay entry). */
  showFacts(title: string, rows: Row[]): void {
    this.section(title, rows);
  }

  /** A line of guidance (not a problem): what a selected group is and how to open it. */
  showNote(message: string): void {
    this.clear();
    this.root.append(el('p', message));
  }

  showError(message: string): void {
    const p = el('p', message);
    p.className = 'error';
    this.root.append(p);
  }
}

// null: a statistic that overflowed (the std of float64 values near 1e300).
const fmt = (x: number | null): string => (x === null ? '—' : Math.abs(x) >= 1e4 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : x.toFixed(4));

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  return e;
}
