// The report view's pruning part (issue 11, point 5): method and what it gains, parameters
// before and after, sparsity, the per-layer table, the layers left with why, the recipe, and the
// sensitivity scan. Strings from the report (node and weight names, reasons, paths) are text nodes.
import type { TransformReport } from '../../src/optimize/report';
import type { PrunedLayer, SensitivityScan, SkippedLayer } from '../../src/optimize/prune/types';
import { formatCosine, formatRatio, formatShare } from './format';
import { el, figure, section, table } from './dom';

const METHOD_TEXT: Record<string, string> = {
  channels: 'channels (structured: output channels removed)',
  unstructured: 'unstructured (smallest weights zeroed)',
  '2:4': '2:4 semi-structured (2 of every 4 weights along the reduction axis zeroed)',
};

const count = (n: unknown): string => (typeof n === 'number' ? n.toLocaleString('en-US') : '—');
const arrow = (before: unknown, after: unknown): string => `${count(before)} → ${count(after)}`;

export function pruneSections(r: TransformReport): HTMLElement[] {
  const p = r.prune;
  const rows: HTMLElement[][] = [
    [el('th', { scope: 'row' }, 'method'), el('td', { 'data-key': 'prune.method', 'data-value': JSON.stringify(p?.method ?? null) }, METHOD_TEXT[String(p?.method)] ?? String(p?.method ?? '—'))],
    [el('th', { scope: 'row' }, 'parameters before'), figure('parametersBefore', r.parametersBefore, count(r.parametersBefore))],
    [el('th', { scope: 'row' }, 'parameters after'), figure('parametersAfter', r.parametersAfter, count(r.parametersAfter))],
    [el('th', { scope: 'row' }, 'after / before'), el('td', {}, typeof r.parametersAfter === 'number' && typeof r.parametersBefore === 'number' ? formatRatio(r.parametersAfter, r.parametersBefore) : '—')],
    [el('th', { scope: 'row' }, 'sparsity of the pruned layers'), figure('sparsity', r.sparsity, formatShare(r.sparsity))],
  ];
  if (p?.recipe) rows.push([el('th', { scope: 'row' }, 'recipe (PyTorch)'), el('td', { 'data-key': 'prune.recipe' }, el('code', {}, String(p.recipe)))]);
  const summary = section(
    'Method and parameters',
    el('table', { 'aria-label': 'Method and parameters', class: 'changes' }, el('tbody', {}, ...rows.map((c) => el('tr', {}, ...c)))),
    ...(p?.note ? [el('p', { class: 'note', 'data-key': 'prune.note' }, String(p.note))] : []),
  );
  const out = [summary, prunedLayers(p?.prunedLayers ?? []), skippedLayers(p?.skippedLayers ?? [])];
  if (p?.sensitivity) out.push(sensitivity(p.sensitivity));
  return out;
}

function prunedLayers(layers: PrunedLayer[]): HTMLElement {
  if (!layers.length) return section('Pruned layers (0)', el('p', {}, 'None.'));
  const channels = layers.some((l) => l.channelsBefore !== undefined);
  const units = layers.some((l) => l.unit !== undefined);
  const head = ['node', 'op', 'weight', 'elements before → after', 'zeros', 'sparsity', ...(channels ? ['channels before → after'] : []), ...(units ? ['unit'] : [])];
  const rows = layers.map((l, i) => {
    const key = `prune.prunedLayers.${i}`;
    return [
      el('th', { scope: 'row', 'data-key': `${key}.node` }, el('code', {}, String(l.node))),
      el('td', {}, String(l.opType)),
      el('td', { 'data-key': `${key}.weight` }, el('code', {}, String(l.weight))),
      el('td', { class: 'figure', 'data-key': `${key}.elements`, 'data-value': JSON.stringify([l.elementsBefore ?? null, l.elementsAfter ?? null]) }, arrow(l.elementsBefore, l.elementsAfter)),
      figure(`${key}.zeros`, l.zeros, count(l.zeros)),
      figure(`${key}.sparsity`, l.sparsity, formatShare(l.sparsity)),
      ...(channels ? [el('td', { class: 'figure', 'data-key': `${key}.channels`, 'data-value': JSON.stringify([l.channelsBefore ?? null, l.channelsAfter ?? null]) }, l.channelsBefore === undefined ? '—' : arrow(l.channelsBefore, l.channelsAfter))] : []),
      ...(units ? [el('td', {}, l.unit === undefined ? '' : el('code', {}, String(l.unit)))] : []),
    ];
  });
  return section(`Pruned layers (${layers.length})`, table(head, rows, 'Pruned layers'));
}

function skippedLayers(skipped: SkippedLayer[]): HTMLElement {
  if (!skipped.length) return section('Left unpruned (0)', el('p', {}, 'None.'));
  return section(
    `Left unpruned (${skipped.length})`,
    el('ul', { class: 'kept' }, ...skipped.map((s, i) => el('li', { 'data-key': `prune.skippedLayers.${i}` }, el('code', {}, String(s.node)), ` (${String(s.opType)}): ${String(s.reason)}`))),
  );
}

function sensitivity(scan: SensitivityScan): HTMLElement {
  const ratios = Array.isArray(scan.ratios) ? scan.ratios : [];
  const head = ['unit', 'layers', 'parameters', ...ratios.map((r) => `cosine at ${formatShare(r)}`), 'chosen'];
  const rows = (scan.units ?? []).map((u, i) => {
    const key = `prune.sensitivity.units.${i}`;
    return [
      el('th', { scope: 'row', 'data-key': `${key}.id`, title: (u.nodes ?? []).join('\n') }, el('code', {}, String(u.id))),
      el('td', {}, String(u.nodes?.length ?? 0)),
      figure(`${key}.parameters`, u.parameters, count(u.parameters)),
      ...ratios.map((_, k) => figure(`${key}.cosine.${k}`, u.cosine?.[k], formatCosine(u.cosine?.[k]))),
      figure(`${key}.chosen`, u.chosen, u.chosen > 0 ? formatShare(u.chosen) : 'left'),
    ];
  });
  return section(
    'Sensitivity scan',
    el('p', {}, 'Target output cosine ', el('span', { 'data-key': 'prune.sensitivity.targetCosine', 'data-value': JSON.stringify(scan.targetCosine ?? null) }, String(scan.targetCosine)), '; with the chosen ratios: ', el('span', { 'data-key': 'prune.sensitivity.cosineChosen', 'data-value': JSON.stringify(scan.cosineChosen ?? null) }, formatCosine(scan.cosineChosen)), '.'),
    table(head, rows, 'Sensitivity per unit'),
    el('p', { class: 'note' }, 'Each unit pruned alone at each ratio; the worst output cosine over the calibration inputs. The graph shows the same figures as an overlay.'),
  );
}
