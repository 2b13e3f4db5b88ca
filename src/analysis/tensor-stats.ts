import type { Tensor } from '../onnx/tensor';

/** Statistics of a tensor's first `limit` elements (capped so that a 1 GB tensor costs nothing unasked). */
export interface TensorStatistics {
  name: string;
  dtype: string;
  shape: number[];
  first: string[];
  count: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  sparsity: number | null;
  truncated: boolean;
}

const STATS_LIMIT = 1 << 20;

export function tensorStatistics(t: Tensor, limit = STATS_LIMIT): TensorStatistics {
  const r = t.read(limit);
  const base = { name: t.name, dtype: t.dtypeName, shape: t.dims, count: r.total, truncated: r.truncated, first: Array.from(r.values.slice(0, 16), String) };
  if (Array.isArray(r.values) || r.values.length === 0) return { ...base, min: null, max: null, mean: null, std: null, sparsity: null };
  const xs = r.values;
  let min = Infinity, max = -Infinity, sum = 0, zeros = 0;
  for (const v of xs) {
    const x = Number(v);
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
    if (x === 0) zeros++;
  }
  const mean = sum / xs.length;
  let sq = 0;
  for (const v of xs) sq += (Number(v) - mean) ** 2;
  return { ...base, min, max, mean, std: Math.sqrt(sq / xs.length), sparsity: zeros / xs.length };
}
