/**
 * STAND-IN until src/runtime/activation-stats.ts (the "static" helper's ActivationStats with
 * streaming histograms) lands: per-value min/max, the MinMax calibration method only. Same
 * shape of use: `add(name, values)` per sample, then `toJSON()`.
 */
export interface MinMax {
  min: number;
  max: number;
  /** Values seen, over all samples. */
  count: number;
}

export class MinMaxStats {
  private readonly ranges = new Map<string, MinMax>();

  add(name: string, values: Float32Array): void {
    let r = this.ranges.get(name);
    if (!r) this.ranges.set(name, (r = { min: Infinity, max: -Infinity, count: 0 }));
    let min = r.min;
    let max = r.max;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    r.min = min;
    r.max = max;
    r.count += values.length;
  }

  toJSON(): Record<string, MinMax> {
    return Object.fromEntries(this.ranges);
  }
}
