// The latency chart: median and p90 before and after, as horizontal bars drawn with
// d3-selection and plain arithmetic (the scale is one division). Colours from the theme.
import { select } from 'd3-selection';
import { formatMs } from './format';
import type { LatencyFigures } from '../../src/optimize/report';

interface Bar {
  label: string;
  ms: number;
  kind: 'before' | 'after';
}

const SVG_NS = 'http://www.w3.org/2000/svg';
const ROW = 22;
const LABEL_W = 110;
const VALUE_W = 90;

export function latencyChart(parent: HTMLElement, latency: { before: LatencyFigures; after: LatencyFigures }, width = 520): void {
  const bars: Bar[] = [
    { label: 'median before', ms: latency.before.median, kind: 'before' },
    { label: 'median after', ms: latency.after.median, kind: 'after' },
    { label: 'p90 before', ms: latency.before.p90, kind: 'before' },
    { label: 'p90 after', ms: latency.after.p90, kind: 'after' },
  ];
  const max = Math.max(...bars.map((b) => b.ms), Number.EPSILON);
  const plot = width - LABEL_W - VALUE_W;
  const svg = select(parent)
    .append(() => document.createElementNS(SVG_NS, 'svg'))
    .attr('class', 'chart')
    .attr('role', 'img')
    .attr('aria-label', 'Latency before and after, median and p90')
    // Scales down with the panel (viewBox), never above its drawn size (CSS max-width).
    .attr('viewBox', `0 0 ${width} ${bars.length * ROW + 4}`)
    .attr('style', `max-width: ${width}px`);
  const row = svg
    .selectAll('g')
    .data(bars)
    .join((enter) => enter.append(() => document.createElementNS(SVG_NS, 'g')))
    .attr('transform', (_, i) => `translate(0,${i * ROW + 2})`);
  row.append(() => document.createElementNS(SVG_NS, 'text')).attr('x', 0).attr('y', ROW / 2).attr('dy', '0.35em').attr('class', 'label').text((b) => b.label);
  row
    .append(() => document.createElementNS(SVG_NS, 'rect'))
    .attr('x', LABEL_W)
    .attr('y', 3)
    .attr('height', ROW - 6)
    .attr('width', (b) => Math.max(1, (b.ms / max) * plot))
    .attr('class', (b) => `bar ${b.kind}`);
  row
    .append(() => document.createElementNS(SVG_NS, 'text'))
    .attr('x', (b) => LABEL_W + Math.max(1, (b.ms / max) * plot) + 6)
    .attr('y', ROW / 2)
    .attr('dy', '0.35em')
    .attr('class', 'value')
    .text((b) => formatMs(b.ms));
}
