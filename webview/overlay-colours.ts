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
  /** The value at a fraction of the way from worst (0) to best (1): what a legend draws. */
  valueAt(t: number): number;
}

/** The theme's warm-to-cool stops (worst first). */
export function themeStops(): string[] {
  const style = getComputedStyle(document.body);
  const v = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  return [v('--vscode-charts-red', '#f14c4c'), v('--vscode-charts-yellow', '#cca700'), v('--vscode-charts-green', '#89d185')];
}

export interface ScaleOptions {
  /** Spread colours over log10 of the values (times over orders of magnitude, ratios). */
  log?: boolean;
  /** A neutral value (a ratio's 1): it takes the middle stop and the domain widens to be even around it. */
  centre?: number;
}

/** Maps values from `worst` to `best` (either order) piecewise-linearly through `stops` in RGB. */
export function sequentialScale(worst: number, best: number, stops: string[], options: ScaleOptions = {}): ColourScale {
  const ctx = document.createElement('canvas').getContext('2d')!;
  const rgb = stops.map((s) => toRgb(s, ctx));
  const { to, from } = scaleDomain(worst, best, options);
  const scale = (value: number): string => {
    const t = to(value);
    const at = t * (rgb.length - 1);
    const i = Math.min(rgb.length - 2, Math.floor(at));
    const f = at - i;
    const [a, b] = [rgb[i]!, rgb[i + 1]!];
    return `rgb(${a.map((x, k) => Math.round(x + (b[k]! - x) * f)).join(',')})`;
  };
  return Object.assign(scale, { worst: from(0), best: from(1), valueAt: from });
}

/**
 * The fraction from worst (0) to best (1) of a value, and back; no DOM, so the tests check it.
 * Log scales take values at or below zero as the smallest positive end of the domain.
 */
export function scaleDomain(worst: number, best: number, options: ScaleOptions = {}): { to(value: number): number; from(t: number): number } {
  const floor = Math.min(...[worst, best].filter((v) => v > 0), Number.MAX_VALUE);
  const f = options.log ? (v: number): number => Math.log10(v > 0 ? v : floor) : (v: number): number => v;
  const inverse = options.log ? (x: number): number => 10 ** x : (x: number): number => x;
  let [fw, fb] = [f(worst), f(best)];
  if (options.centre !== undefined && (!options.log || options.centre > 0)) {
    const fc = f(options.centre);
    const half = Math.max(Math.abs(fw - fc), Math.abs(fb - fc));
    const direction = fb >= fw ? 1 : -1;
    [fw, fb] = [fc - direction * half, fc + direction * half];
  }
  return {
    to: (value) => (fb === fw ? 0.5 : Math.min(1, Math.max(0, (f(value) - fw) / (fb - fw)))),
    from: (t) => inverse(fw + (fb - fw) * t),
  };
}
