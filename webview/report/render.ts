// Draws a TransformReport as the page. Every string from the report (output and node names,
// paths, warnings) becomes a text node: nothing in a model can add markup or script here.
import type { TransformReport } from '../../src/optimize/report';
import type { RenderedReport, ReportOutcome } from '../../src/protocol/report-view';
import { latencyChart } from './chart';
import { el, figure, section, table } from './dom';
import { pruneSections } from './prune';
import { formatBytes, formatCosine, formatError, formatMs, formatRatio, formatShare, formatSnr, transformTitle } from './format';

export function renderReport(root: HTMLElement, r: TransformReport, outcome: ReportOutcome): void {
  root.replaceChildren();
  root.append(el('h1', {}, transformTitle(r.transform)), el('p', { class: 'files' }, el('span', { 'data-key': 'input' }, String(r.input)), ' → ', el('span', { 'data-key': 'output' }, String(r.output))));
  const missed = (r.targets ?? []).filter((t) => !t.met);
  if (outcome.exitCode === 1 || missed.length) {
    const what = missed.map((t) => `${t.name}: wanted ${t.wanted}, got ${t.got}`).join('; ');
    root.append(el('p', { class: 'warning', role: 'alert', 'data-key': 'targetNotMet' }, `Target not met${what ? ` (${what})` : ''}. The model is still written; see ${r.prune ? 'the pruning figures' : '"Kept in float"'} and the figures below.`));
  }
  root.append(
    section('Size', table(['before', 'after', 'after / before'], [[figure('sizeBefore', r.sizeBefore, formatBytes(r.sizeBefore)), figure('sizeAfter', r.sizeAfter, formatBytes(r.sizeAfter)), el('td', {}, formatRatio(r.sizeAfter, r.sizeBefore))]], 'Size')),
  );
  if (r.prune || r.parametersBefore !== undefined) root.append(...pruneSections(r));
  root.append(section('Accuracy', ...accuracy(r)));
  root.append(section('Latency', ...latency(r)));
  const changes: HTMLElement[][] = [
    [el('th', { scope: 'row' }, 'nodes added'), figure('nodesAdded', r.nodesAdded, String(r.nodesAdded))],
    [el('th', { scope: 'row' }, 'nodes changed'), figure('nodesChanged', r.nodesChanged, String(r.nodesChanged))],
    ...Object.entries(r.details ?? {}).map(([k, v]) => [el('th', { scope: 'row' }, k), figure(`details.${k}`, v, String(v))]),
  ];
  root.append(section('Changes', el('table', { 'aria-label': 'Changes', class: 'changes' }, el('tbody', {}, ...changes.map((c) => el('tr', {}, ...c))))));
  const kept = r.keptFloat ?? [];
  // Pruning keeps every node's type: "kept in float" says nothing there unless the CLI lists some.
  if (!r.prune || kept.length) root.append(
    section(
      `Kept in float (${kept.length})`,
      kept.length ? el('ul', { class: 'kept' }, ...kept.map((id, i) => el('li', { 'data-key': `keptFloat.${i}` }, el('code', {}, id), r.keptFloatWhy?.[id] ? `: ${r.keptFloatWhy[id]}` : ''))) : el('p', {}, 'None.'),
    ),
  );
  const v = r.validationData;
  root.append(section('Validation data', el('p', { 'data-key': 'validationData' }, v ? `${validationKind(v.kind)}, ${v.samples} sample${v.samples === 1 ? '' : 's'}${v.source ? `: ${v.source}` : ''}` : 'Not validated.')));
  if (r.warnings?.length) root.append(section(`Warnings (${r.warnings.length})`, el('ul', { class: 'warnings' }, ...r.warnings.map((w, i) => el('li', { 'data-key': `warnings.${i}` }, w)))));
  root.append(el('p', { class: 'command' }, 'Command: ', el('code', {}, outcome.command)));
}

function validationKind(kind: string): string {
  if (kind === 'eval') return 'Evaluation folder';
  if (kind === 'held-out') return 'Held-out calibration files (not used for calibration)';
  if (kind === 'synthesized') return 'Synthesized inputs (no data given: figures say little about real inputs)';
  return kind;
}

function accuracy(r: TransformReport): HTMLElement[] {
  if (!r.outputs?.length) return [el('p', {}, 'Not validated.')];
  const top1 = r.outputs.some((o) => o.top1Agreement !== undefined);
  const exact = r.outputs.some((o) => o.exactMatch !== undefined);
  const head = ['output', 'cosine (worst)', 'cosine (mean)', 'SNR (worst)', 'SNR (mean)', 'max abs error', ...(top1 ? ['top-1 agreement'] : []), ...(exact ? ['elements equal'] : [])];
  const rows = r.outputs.map((o, i) => [
    el('th', { scope: 'row', 'data-key': `outputs.${i}.name` }, o.name),
    figure(`outputs.${i}.cosine`, o.cosine, formatCosine(o.cosine)),
    figure(`outputs.${i}.meanCosine`, o.meanCosine, formatCosine(o.meanCosine)),
    figure(`outputs.${i}.snrDb`, o.snrDb, formatSnr(o.snrDb, o.maxAbsError)),
    figure(`outputs.${i}.meanSnrDb`, o.meanSnrDb, formatSnr(o.meanSnrDb, o.maxAbsError)),
    figure(`outputs.${i}.maxAbsError`, o.maxAbsError, formatError(o.maxAbsError)),
    ...(top1 ? [figure(`outputs.${i}.top1Agreement`, o.top1Agreement, formatShare(o.top1Agreement))] : []),
    ...(exact ? [figure(`outputs.${i}.exactMatch`, o.exactMatch, formatShare(o.exactMatch))] : []),
  ]);
  return [table(head, rows, 'Accuracy per output'), el('p', { class: 'note' }, 'Cosine and SNR are computed per sample; the worst sample is the figure targets are compared with, the mean is beside it. Integer and bool outputs (class ids, masks) are compared element by element instead and left out of cosine targets.')];
}

function latency(r: TransformReport): HTMLElement[] {
  const l = r.latencyMs;
  if (!l) return [el('p', {}, 'Not measured.')];
  const chart = el('div', { class: 'chart-box' });
  latencyChart(chart, l);
  const rows = (['before', 'after'] as const).map((k) => [el('th', { scope: 'row' }, k), figure(`latencyMs.${k}.median`, l[k].median, formatMs(l[k].median)), figure(`latencyMs.${k}.p90`, l[k].p90, formatMs(l[k].p90))]);
  rows.push([el('th', { scope: 'row' }, 'after / before'), el('td', {}, formatRatio(l.after.median, l.before.median)), el('td', {}, formatRatio(l.after.p90, l.before.p90))]);
  return [chart, table(['', 'median', 'p90'], rows, 'Latency')];
}

/** Reads back what the page shows: every keyed cell's exact value and text, and the elements by tag. */
export function readBack(root: HTMLElement): RenderedReport {
  const cells: RenderedReport['cells'] = {};
  for (const e of Array.from(root.querySelectorAll<HTMLElement>('[data-key]'))) cells[e.dataset.key!] = { value: e.dataset.value ?? '', text: e.textContent ?? '' };
  const tags: Record<string, number> = {};
  for (const e of Array.from(root.querySelectorAll('*'))) tags[e.localName] = (tags[e.localName] ?? 0) + 1;
  return { cells, tags };
}
