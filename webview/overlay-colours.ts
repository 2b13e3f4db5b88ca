// A sequential colour scale for 'metric' overlays, from the theme's chart colours only (so every
// theme, high contrast included, keeps its palette): the worse end is warm (red), then yellow,
// the better end green. d3 maps values to positions (linear or log) and positions to colours;
// a value outside the domain takes the nearest end.
import { interpolateRgb, piecewise } from 'd3-interpolate';
import { scaleLinear, scaleLog } from 'd3-scale';

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

/** Maps values from `worst` to `best` (either order) through `stops`, interpolated in RGB. */
export function sequentialScale(worst: number, best: number, stops: string[], options: ScaleOptions = {}): ColourScale {
  const colour = piecewise(interpolateRgb, stops);
  const { to, from } = scaleDomain(worst, best, options);
  const scale = (value: number): string => colour(to(value));
  return Object.assign(scale, { worst: from(0), best: from(1), valueAt: from });
}

/** Decades a log scale spans below its one positive end when the other is zero (a 0 µs kernel). */
const LOG_DECADES_BELOW = 3;

/**
 * The fraction from worst (0) to best (1) of a value, and back; no DOM, so the tests check it.
 * Log scales take values at or below zero as the smallest positive end of the domain; with one end
 * at zero that end is LOG_DECADES_BELOW decades under the other; with no positive end the scale is linear.
 */
export function scaleDomain(worst: number, best: number, options: ScaleOptions = {}): { to(value: number): number; from(t: number): number } {
  const ends = [worst, best].filter((v) => v > 0);
  if (options.log && ends.length === 0) options = { ...options, log: false };
  const floor = ends.length === 2 ? Math.min(...ends) : (ends[0] ?? 1) / 10 ** LOG_DECADES_BELOW;
  const positive = (v: number): number => (options.log && !(v > 0) ? floor : v);
  let [w, b] = [positive(worst), positive(best)];
  const c = options.centre;
  if (c !== undefined && (!options.log || c > 0)) {
    // Even around the centre in the scale's own terms: differences, or ratios on a log scale.
    const direction = b >= w ? 1 : -1;
    if (options.log) {
      const half = Math.max(Math.abs(Math.log(w / c)), Math.abs(Math.log(b / c)));
      [w, b] = [c * Math.exp(-direction * half), c * Math.exp(direction * half)];
    } else {
      const half = Math.max(Math.abs(w - c), Math.abs(b - c));
      [w, b] = [c - direction * half, c + direction * half];
    }
  }
  if (w === b) return { to: () => 0.5, from: () => w };
  const position = (options.log ? scaleLog() : scaleLinear()).domain([w, b]).range([0, 1]).clamp(true);
  return { to: (value) => position(positive(value)), from: (t) => position.invert(t) };
}
