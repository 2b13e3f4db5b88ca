// A sequential colour scale for 'metric' overlays, from the theme's chart colours only (so every
// theme, high contrast included, keeps its palette): the worse end is warm (red), then yellow,
// the better end green. A value outside the domain takes the nearest end.

type Rgb = [number, number, number];

/** Any CSS colour as RGB, through a canvas (which normalises what it is given to #rrggbb or rgba()). */
function toRgb(colour: string, ctx: CanvasRenderingContext2D): Rgb {
  ctx.fillStyle = '#000000';
  ctx.fillStyle = colour;
  const c = String(ctx.fillStyle);
  if (c.startsWith('#')) return [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)) as Rgb;
  const m = c.match(/[\d.]+/g)?.map(Number) ?? [0, 0, 0];
  return [m[0] ?? 0, m[1] ?? 0, m[2] ?? 0];
}

export interface ColourScale {
  (value: number): string;
  /** Worst and best values the colours span. */
  readonly worst: number;
  readonly best: number;
}

/** The theme's warm-to-cool stops (worst first). */
export function themeStops(): string[] {
  const style = getComputedStyle(document.body);
  const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  return [v('--vscode-charts-red', '#f14c4c'), v('--vscode-charts-yellow', '#cca700'), v('--vscode-charts-green', '#89d185')];
}

/** Maps values from `worst` to `best` (either order) piecewise-linearly through `stops` in RGB. */
export function sequentialScale(worst: number, best: number, stops: string[]): ColourScale {
  const ctx = document.createElement('canvas').getContext('2d')!;
  const rgb = stops.map((s) => toRgb(s, ctx));
  const scale = (value: number): string => {
    const t = best === worst ? 0.5 : Math.min(1, Math.max(0, (value - worst) / (best - worst)));
    const at = t * (rgb.length - 1);
    const i = Math.min(rgb.length - 2, Math.floor(at));
    const f = at - i;
    const [a, b] = [rgb[i]!, rgb[i + 1]!];
    return `rgb(${a.map((x, k) => Math.round(x + (b[k]! - x) * f)).join(',')})`;
  };
  return Object.assign(scale, { worst, best });
}
