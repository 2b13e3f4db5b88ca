// An overlay's bar chart (a profile's time by op type): horizontal bars drawn with d3-selection,
// the scale one division; unmapped and overhead bars drawn muted, never left out. Labels are text.
import { select } from 'd3-selection';
import type { OverlayChart } from '../src/protocol/overlay';
import { el } from './panel';

const SVG_NS = 'http://www.w3.org/2000/svg';
const ROW = 18;
const LABEL_W = 120;
const VALUE_W = 64;
const WIDTH = 300;
/** What fits in LABEL_W at the chart's font size; the full label is the bar's tooltip. */
const LABEL_CHARS = 19;

export function overlayChart(chart: OverlayChart): HTMLElement {
  const box = el('figure');
  box.className = 'overlay-chart';
  box.append(el('figcaption', chart.title));
  const bars = chart.bars;
  const max = Math.max(...bars.map((b) => b.value), Number.EPSILON);
  const plot = WIDTH - LABEL_W - VALUE_W;
  const width = (v: number): number => Math.max(1, (Math.max(0, v) / max) * plot);
  const svg = select(box)
    .append(() => document.createElementNS(SVG_NS, 'svg'))
    .attr('role', 'img')
    .attr('aria-label', chart.title)
    .attr('viewBox', `0 0 ${WIDTH} ${bars.length * ROW + 4}`);
  const row = svg
    .selectAll('g')
    .data(bars)
    .join((enter) => enter.append(() => document.createElementNS(SVG_NS, 'g')))
    .attr('transform', (_, i) => `translate(0,${i * ROW + 2})`)
    .attr('data-label', (b) => b.label)
    .attr('data-value', (b) => String(b.value));
  row.append(() => document.createElementNS(SVG_NS, 'title')).text((b) => b.label);
  row
    .append(() => document.createElementNS(SVG_NS, 'text'))
    .attr('x', 0)
    .attr('y', ROW / 2)
    .attr('dy', '0.35em')
    .attr('class', 'label')
    .text((b) => (b.label.length > LABEL_CHARS ? `${b.label.slice(0, LABEL_CHARS - 1)}…` : b.label));
  row
    .append(() => document.createElementNS(SVG_NS, 'rect'))
    .attr('x', LABEL_W)
    .attr('y', 2)
    .attr('height', ROW - 4)
    .attr('width', (b) => width(b.value))
    .attr('class', (b) => (b.muted ? 'bar muted' : 'bar'));
  row
    .append(() => document.createElementNS(SVG_NS, 'text'))
    .attr('x', (b) => LABEL_W + width(b.value) + 4)
    .attr('y', ROW / 2)
    .attr('dy', '0.35em')
    .attr('class', 'value')
    .text((b) => `${b.value.toFixed(3)}${chart.unit ? ` ${chart.unit}` : ''}`);
  return box;
}
