// Exports what is drawn: SVG (text escaped) and PNG (the whole graph on an offscreen canvas, capped).
import { edgeCurve, type SceneEdge, type SceneItem } from './scene';
import { themeColours } from './theme';

// XML 1.0 cannot carry C0 control characters even as references: they become their control
// pictures (U+2400…), so names with them still give a well-formed file.
const escapeXml = (s: string): string =>
  s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`).replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, (c) => String.fromCharCode(0x2400 + c.charCodeAt(0)));

function bounds(items: SceneItem[]): { x: number; y: number; w: number; h: number } {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const it of items) {
    if (Number.isNaN(it.x)) continue;
    x0 = Math.min(x0, it.x - it.w / 2);
    y0 = Math.min(y0, it.y - it.h / 2);
    x1 = Math.max(x1, it.x + it.w / 2);
    y1 = Math.max(y1, it.y + it.h / 2);
  }
  return x0 === Infinity ? { x: 0, y: 0, w: 1, h: 1 } : { x: x0 - 20, y: y0 - 20, w: x1 - x0 + 40, h: y1 - y0 + 40 };
}

export function exportSvg(items: SceneItem[], edges: SceneEdge[]): string {
  const th = themeColours();
  const b = bounds(items);
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="${b.x} ${b.y} ${b.w} ${b.h}" width="${b.w}" height="${b.h}" font-family="sans-serif">`, `<rect x="${b.x}" y="${b.y}" width="${b.w}" height="${b.h}" fill="${escapeXml(th.background)}"/>`];
  for (const e of edges) {
    const a = items[e.a]!;
    const c = items[e.b]!;
    if (Number.isNaN(a.x) || Number.isNaN(c.x)) continue;
    const k = edgeCurve(a, c);
    out.push(`<path d="M${k.x0},${k.y0} C${k.c1x},${k.cy} ${k.c2x},${k.cy} ${k.x1},${k.y1}" fill="none" stroke="${escapeXml(th.edge)}"><title>${escapeXml(e.label)}</title></path>`);
  }
  for (const it of items) {
    if (Number.isNaN(it.x)) continue;
    const left = it.x - it.w / 2;
    const top = it.y - it.h / 2;
    out.push(`<g><rect x="${left}" y="${top}" width="${it.w}" height="${it.h}" rx="4" fill="${escapeXml(th.category(it.category))}"/>`);
    out.push(`<text x="${it.x}" y="${top + 15}" text-anchor="middle" font-size="12" font-weight="bold" fill="${escapeXml(it.kind === 'group' ? th.foreground : th.nodeText)}">${escapeXml(it.label)}</text>`);
    out.push(`<text x="${it.x}" y="${top + 29}" text-anchor="middle" font-size="10" fill="${escapeXml(it.kind === 'group' ? th.foreground : th.nodeText)}">${escapeXml(it.sublabel)}</text></g>`);
  }
  out.push('</svg>');
  return out.join('\n');
}

/** A PNG data URL of the whole graph, scaled down to at most 8192 px on a side. */
export function exportPng(items: SceneItem[], edges: SceneEdge[]): string {
  const b = bounds(items);
  const scale = Math.min(2, 8192 / Math.max(b.w, b.h));
  const canvas = document.createElement('canvas');
  canvas.width = Math.ceil(b.w * scale);
  canvas.height = Math.ceil(b.h * scale);
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(scale, 0, 0, scale, -b.x * scale, -b.y * scale);
  const th = themeColours();
  ctx.fillStyle = th.background;
  ctx.fillRect(b.x, b.y, b.w, b.h);
  ctx.strokeStyle = th.edge;
  ctx.beginPath();
  for (const e of edges) {
    const a = items[e.a]!;
    const c = items[e.b]!;
    if (Number.isNaN(a.x) || Number.isNaN(c.x)) continue;
    ctx.moveTo(a.x, a.y + a.h / 2);
    ctx.lineTo(c.x, c.y - c.h / 2);
  }
  ctx.stroke();
  ctx.textAlign = 'center';
  for (const it of items) {
    if (Number.isNaN(it.x)) continue;
    ctx.fillStyle = th.category(it.category);
    ctx.fillRect(it.x - it.w / 2, it.y - it.h / 2, it.w, it.h);
    ctx.fillStyle = th.nodeText;
    ctx.font = 'bold 12px sans-serif';
    ctx.fillText(it.label, it.x, it.y - it.h / 2 + 15);
    ctx.font = '10px sans-serif';
    ctx.fillText(it.sublabel, it.x, it.y - it.h / 2 + 29);
  }
  return canvas.toDataURL('image/png');
}
