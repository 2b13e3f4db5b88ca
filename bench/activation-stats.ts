// Calibration statistics cost, one activation at a time as the runtime child sees them:
// ActivationStats.add per million values (min/max only, with signed or |x| histograms), and range
// selection per tensor (Entropy is quadratic in the bin count). Rows for bench.ts' table.
import { ActivationStats } from '../src/runtime/activation-stats';
import { selectRange } from '../src/optimize/static/ranges';

function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 4294967296) - 0.3) * (1 + i / n) * 4;
  }
  return out;
}

function timeMs(run: () => void, repeat: number): number {
  const times: number[] = [];
  for (let r = 0; r < repeat; r++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export function activationStatsRows(): string[][] {
  const batch = values(1 << 20, 7);
  const rows: string[][] = [['activation statistics', 'median ms']];
  // After the first batch the bins cover the rest: one fused pass (signed bins, or |x| bins for Entropy and symmetric Percentile).
  for (const [label, options] of [['min/max', { histograms: false }], ['min/max + signed histogram', {}], ['min/max + |x| histogram', { signed: false }]] as const) {
    const stats = new ActivationStats(options);
    rows.push([`add 1M float32 (${label})`, timeMs(() => stats.add('x', batch), 9).toFixed(2)]);
  }
  const stats = new ActivationStats();
  for (let k = 0; k < 8; k++) stats.add('x', values(1 << 18, k + 1));
  const h = stats.get('x')!;
  for (const method of ['minmax', 'percentile', 'entropy'] as const) {
    rows.push([`${method} range of one tensor (${h.half} bins/side)`, timeMs(() => selectRange(h, { method, symmetric: true }), 3).toFixed(2)]);
  }
  return rows;
}

if (require.main === module) for (const row of activationStatsRows()) console.log(row.join('\t'));
