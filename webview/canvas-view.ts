// Draws the scene on a canvas (DOM elements do not scale to 10k nodes), with d3-zoom for pan and
// zoom, culling to the viewport, level of detail, and hit-testing for hover and selection.
import { select } from 'd3-selection';
import { zoom, zoomIdentity, type D3ZoomEvent, type ZoomBehavior, type ZoomTransform } from 'd3-zoom';
import { NodeKind } from '../src/protocol/graph-payload';
import { GAP_Y } from './layout/layered';
import type { ItemPaint } from './overlays';
import { edgeCurve, type Scene, type SceneEdge, type SceneItem } from './scene';
import { themeColours, type Theme } from './theme';

/** Label sizes at zoom 1 (CSS pixels); the zoom a graph too big to read whole opens at. */
const LABEL_PX = 12;
const SUBLABEL_PX = 10;
const EDGE_LABEL_PX = 11;
const OPEN_SCALE = 1;
/** Below this zoom boxes are drawn without labels; below the other, edges without labels. */
const DETAIL_SCALE = 0.35;
const EDGE_LABEL_SCALE = 0.8;

export interface FrameStats {
  frames: number;
  lastMs: number;
  maxMs: number;
  totalMs: number;
  /** Items drawn in the last frame (after culling). */
  lastDrawn: number;
}

export class CanvasView {
  private scene: Scene = { items: [], edges: [], width: 0, height: 0 };
  /** Current pan and zoom (read by the browser tests to click where a node is drawn). */
  transform: ZoomTransform = zoomIdentity;
  private readonly zoomer: ZoomBehavior<HTMLCanvasElement, unknown>;
  private theme: Theme = themeColours();
  private frameRequested = false;
  selected = -1;
  highlighted = new Set<number>();
  /** What the shown overlay paints per item (null: none shown); items it says nothing about are faded. */
  paint: ItemPaint | null = null;
  readonly stats: FrameStats = { frames: 0, lastMs: 0, maxMs: 0, totalMs: 0, lastDrawn: 0 };

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly on: { select(item: number): void; open(item: number): void; transform(t: ZoomTransform): void },
  ) {
    this.zoomer = zoom<HTMLCanvasElement, unknown>()
      .scaleExtent([0.02, 4])
      .on('zoom', (e: D3ZoomEvent<HTMLCanvasElement, unknown>) => {
        this.transform = e.transform;
        this.on.transform(e.transform);
        this.requestDraw();
      });
    select(canvas).call(this.zoomer).on('dblclick.zoom', null);
    canvas.addEventListener('click', (e) => this.on.select(this.hit(e.offsetX, e.offsetY)));
    canvas.addEventListener('dblclick', (e) => {
      const i = this.hit(e.offsetX, e.offsetY);
      if (i >= 0) this.on.open(i);
    });
    new ResizeObserver(() => this.resize()).observe(canvas);
    // Theme changes swap the body class: re-read the colours.
    new MutationObserver(() => {
      this.theme = themeColours();
      this.requestDraw();
    }).observe(document.body, { attributes: true, attributeFilter: ['class'] });
    this.resize();
  }

  setScene(scene: Scene, transform?: { x: number; y: number; k: number } | null): void {
    this.scene = scene;
    // Zooming out as far as the whole graph (a 100k-node chain is very tall).
    const { width, height } = this.canvas.getBoundingClientRect();
    const whole = Math.min(width / Math.max(1, scene.width), height / Math.max(1, scene.height));
    this.zoomer.scaleExtent([Math.min(0.02, whole * 0.8), 4]);
    if (transform) this.setTransform(zoomIdentity.translate(transform.x, transform.y).scale(transform.k));
    else this.fit(false);
    this.requestDraw();
  }

  get items(): SceneItem[] {
    return this.scene.items;
  }

  get edges(): Scene['edges'] {
    return this.scene.edges;
  }

  /** The whole graph in view; or, `whole` false (a graph just opened), where it starts at a readable scale. */
  fit(whole = true): void {
    const { width, height } = this.canvas.getBoundingClientRect();
    const s = this.scene;
    if (!s.width || !width) return this.setTransform(zoomIdentity.translate(20, 20));
    const all = Math.min(1, (width - 40) / s.width, (height - 40) / s.height);
    if (whole || all >= OPEN_SCALE) return this.setTransform(zoomIdentity.translate((width - s.width * all) / 2, (height - s.height * all) / 2).scale(all));
    // Too big to read whole: open at the graph's start — its inputs, else its top row — at a
    // scale where labels are readable, rather than fitting it into unreadability.
    const start = startItems(s.items);
    const k = OPEN_SCALE;
    if (!start.length) return this.setTransform(zoomIdentity.translate(20, 20).scale(k));
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity;
    for (const it of start) {
      x0 = Math.min(x0, it.x - it.w / 2);
      x1 = Math.max(x1, it.x + it.w / 2);
      y0 = Math.min(y0, it.y - it.h / 2);
    }
    // Several inputs wider than the view: the first ones, from the left.
    const cx = (x1 - x0) * k <= width - 40 ? (x0 + x1) / 2 : x0 + (width - 40) / 2 / k;
    this.setTransform(zoomIdentity.translate(width / 2 - cx * k, 20 - y0 * k).scale(k));
  }

  /**
   * What the last frame shows, for the browser tests: the labelled boxes inside the canvas (in
   * CSS pixels of the canvas), the height of node and edge labels at this zoom, and whether
   * the graph's inputs are in view.
   */
  onScreen(): { boxes: { label: string; kind: SceneItem['kind']; x: number; y: number; w: number; h: number }[]; labelPx: number; sublabelPx: number; edgeLabelPx: number; inputs: number; inputsInView: number } {
    const { width, height } = this.canvas.getBoundingClientRect();
    const t = this.transform;
    const detail = t.k >= DETAIL_SCALE;
    const boxes: ReturnType<CanvasView['onScreen']>['boxes'] = [];
    let inputs = 0;
    let inputsInView = 0;
    for (const it of this.scene.items) {
      if (Number.isNaN(it.x)) continue;
      const b = { label: it.label, kind: it.kind, x: t.x + (it.x - it.w / 2) * t.k, y: t.y + (it.y - it.h / 2) * t.k, w: it.w * t.k, h: it.h * t.k };
      const inside = b.x >= 0 && b.y >= 0 && b.x + b.w <= width && b.y + b.h <= height;
      if (it.kind === NodeKind.Input) {
        inputs++;
        if (inside) inputsInView++;
      }
      if (inside && detail && it.label) boxes.push(b);
    }
    return { boxes, labelPx: LABEL_PX * t.k, sublabelPx: SUBLABEL_PX * t.k, edgeLabelPx: t.k >= EDGE_LABEL_SCALE ? EDGE_LABEL_PX * t.k : 0, inputs, inputsInView };
  }

  reveal(item: number): void {
    const it = this.scene.items[item];
    if (!it) return;
    const { width, height } = this.canvas.getBoundingClientRect();
    const k = Math.max(this.transform.k, 0.8);
    this.setTransform(zoomIdentity.translate(width / 2 - it.x * k, height / 2 - it.y * k).scale(k));
  }

  private setTransform(t: ZoomTransform): void {
    select(this.canvas).call(this.zoomer.transform, t);
  }

  private resize(): void {
    const r = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    this.canvas.width = Math.max(1, Math.round(r.width * dpr));
    this.canvas.height = Math.max(1, Math.round(r.height * dpr));
    this.requestDraw();
  }

  requestDraw(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.draw();
    });
  }

  /** The item under a point in CSS pixels, or -1. */
  hit(px: number, py: number): number {
    const [gx, gy] = this.transform.invert([px, py]);
    const items = this.scene.items;
    for (let i = items.length - 1; i >= 0; i--) {
      const it = items[i]!;
      if (Math.abs(gx - it.x) <= it.w / 2 && Math.abs(gy - it.y) <= it.h / 2) return i;
    }
    return -1;
  }

  private draw(): void {
    const start = performance.now();
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return;
    const dpr = window.devicePixelRatio || 1;
    const t = this.transform;
    const th = this.theme;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = th.background;
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    ctx.setTransform(dpr * t.k, 0, 0, dpr * t.k, dpr * t.x, dpr * t.y);
    const [x0, y0] = t.invert([0, 0]);
    const [x1, y1] = t.invert([this.canvas.width / dpr, this.canvas.height / dpr]);
    const visible = (it: SceneItem): boolean => it.x + it.w / 2 >= x0 && it.x - it.w / 2 <= x1 && it.y + it.h / 2 >= y0 && it.y - it.h / 2 <= y1;
    const detail = t.k >= DETAIL_SCALE;
    const items = this.scene.items;

    ctx.lineWidth = 1 / t.k;
    ctx.strokeStyle = th.edge;
    ctx.beginPath();
    for (const e of this.scene.edges) {
      const a = items[e.a]!;
      const b = items[e.b]!;
      if (Number.isNaN(a.x) || Number.isNaN(b.x)) continue;
      if (Math.max(a.y, b.y) < y0 || Math.min(a.y, b.y) > y1 || Math.max(a.x, b.x) < x0 || Math.min(a.x, b.x) > x1) continue;
      const c = edgeCurve(a, b);
      ctx.moveTo(c.x0, c.y0);
      if (detail) ctx.bezierCurveTo(c.c1x, c.cy, c.c2x, c.cy, c.x1, c.y1);
      else ctx.lineTo(c.x1, c.y1);
    }
    ctx.stroke();
    if (t.k >= EDGE_LABEL_SCALE) {
      ctx.font = `${EDGE_LABEL_PX}px var(--vscode-editor-font-family, monospace)`;
      ctx.textAlign = 'left';
      // A halo in the background colour keeps labels legible where they cross edges.
      ctx.lineWidth = 3 / t.k;
      ctx.strokeStyle = th.background;
      for (const e of this.scene.edges) {
        const at = e.label ? edgeLabelAt(e, items) : null;
        if (!at || at.x < x0 || at.x > x1 || at.y < y0 || at.y > y1) continue;
        ctx.fillStyle = e.inferred ? th.inferred : th.edgeLabel;
        ctx.strokeText(e.label, at.x, at.y);
        ctx.fillText(e.label, at.x, at.y);
      }
    }

    ctx.textAlign = 'center';
    let drawn = 0;
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (Number.isNaN(it.x) || !visible(it)) continue;
      drawn++;
      const left = it.x - it.w / 2;
      const top = it.y - it.h / 2;
      const overlayFill = this.paint?.fill[i];
      ctx.fillStyle = overlayFill ?? th.category(it.category);
      ctx.globalAlpha = this.paint && !overlayFill ? 0.35 : 1;
      ctx.beginPath();
      ctx.roundRect(left, top, it.w, it.h, it.kind === 'group' ? 8 : 4);
      ctx.fill();
      ctx.globalAlpha = 1;
      if (i === this.selected || this.highlighted.has(i)) {
        ctx.lineWidth = 2.5 / t.k;
        ctx.strokeStyle = i === this.selected ? th.selection : th.highlight;
        ctx.stroke();
      } else if (it.kind === 'group' || it.hasSubgraphs) {
        ctx.lineWidth = 1.5 / t.k;
        ctx.strokeStyle = th.foreground;
        ctx.setLineDash(it.kind === 'group' ? [4 / t.k, 3 / t.k] : []);
        ctx.stroke();
        ctx.setLineDash([]);
      }
      if (!detail) continue;
      ctx.fillStyle = it.kind === 'group' ? th.foreground : th.nodeText;
      ctx.font = `bold ${LABEL_PX}px var(--vscode-font-family, sans-serif)`;
      ctx.fillText(clip(it.label, it.w), it.x, top + 15);
      ctx.font = `${SUBLABEL_PX}px var(--vscode-font-family, sans-serif)`;
      ctx.fillText(clip(it.sublabel, it.w), it.x, top + 29);
      const badge = this.paint?.badge[i];
      if (badge) this.drawBadge(ctx, badge, left + it.w, top);
    }
    const ms = performance.now() - start;
    this.stats.frames++;
    this.stats.lastMs = ms;
    this.stats.maxMs = Math.max(this.stats.maxMs, ms);
    this.stats.totalMs += ms;
    this.stats.lastDrawn = drawn;
  }

  /** An overlay's badge ('float', a status): a small tag over the node's top-right corner. */
  private drawBadge(ctx: CanvasRenderingContext2D, text: string, right: number, top: number): void {
    const th = this.theme;
    ctx.font = `${SUBLABEL_PX}px var(--vscode-font-family, sans-serif)`;
    const w = ctx.measureText(text).width + 8;
    ctx.fillStyle = th.background;
    ctx.strokeStyle = th.foreground;
    ctx.lineWidth = 1 / this.transform.k;
    ctx.beginPath();
    ctx.roundRect(right - w + 4, top - 7, w, 14, 3);
    ctx.fill();
    ctx.stroke();
    ctx.fillStyle = th.foreground;
    ctx.fillText(text, right - w / 2 + 4, top + 4);
  }
}

/**
 * Where an edge's label goes: one label per value, so a value read by several nodes (or an
 * edge spanning several rows) is labelled once just below its producer; other edges halfway.
 */
function edgeLabelAt(e: SceneEdge, items: SceneItem[]): { x: number; y: number } | null {
  const a = items[e.a]!;
  const b = items[e.b]!;
  if (Number.isNaN(a.x) || Number.isNaN(b.x)) return null;
  const ya = a.y + a.h / 2;
  const yb = b.y - b.h / 2;
  if (e.shared || yb - ya > 2 * GAP_Y) return e.firstOfValue ? { x: a.x + 4, y: ya + EDGE_LABEL_PX + 2 } : null;
  return { x: (a.x + b.x) / 2 + 4, y: (ya + yb) / 2 + 3 };
}

/** Where a graph starts: its inputs, or (a subgraph reading outer values) the top row. */
function startItems(items: SceneItem[]): SceneItem[] {
  const laid = items.filter((it) => !Number.isNaN(it.x));
  const inputs = laid.filter((it) => it.kind === NodeKind.Input);
  if (inputs.length) return inputs;
  let top = Infinity;
  for (const it of laid) top = Math.min(top, it.y);
  return laid.filter((it) => it.y === top);
}

function clip(s: string, width: number): string {
  const max = Math.floor((width - 8) / 6.5);
  return s.length > max ? s.slice(0, Math.max(1, max - 1)) + '…' : s;
}
