import { INFERENCE_RANGE, onlyTensorRT } from './layer-names';
import { OUTSIDE_ANY_RANGE, type NsysRun, type RangeTotals } from './nsys-run';
import type { KernelSumRow, RangeKernelRow, RangeProjectionRow, RangeSumRow, StatsTable } from './stats-tables';

// From `nsys stats` tables to GPU time per TensorRT layer range. nvtx_kern_sum is the one that
// ties kernels to layers; it charges a kernel to every range around its launch, so the
// per-inference range (and any range around several layers) lists the layers' kernels again:
// those are recognized and only what they hold beyond the layers is kept. Where TensorRT's NVTX
// domain is present, other domains' ranges (Myelin's, cuBLAS's, the application's) are treated
// the same way: never layers, only what they hold beyond TensorRT's layers is kept.

export const NO_NVTX =
  'kernel summaries (cuda_gpu_kern_sum) say which kernels ran, not which TensorRT layer launched them: the kernels are kept as unmapped time. ' +
  'Profile with `nsys profile -t cuda,nvtx` and give `nsys stats -r nvtx_kern_sum` output or the `nsys export --type sqlite` database to map them onto nodes';

const PROJECTION =
  'nvtx_gpu_proj_sum times are GPU projections of the layer ranges (from the first to the last GPU operation of each, gaps included); ' +
  'nvtx_kern_sum output or the SQLite export give kernel time';

const CPU_RANGES =
  'nvtx_sum times are how long each NVTX range was open on the CPU (TensorRT enqueues its kernels asynchronously), not GPU time: ' +
  'give nvtx_kern_sum output or the SQLite export for GPU time per layer';

export function statsRun(files: string[], tables: readonly StatsTable[], warnings: string[]): NsysRun {
  const rangeKernels: RangeKernelRow[] = [];
  const rangeSums: RangeSumRow[] = [];
  const kernelSums: KernelSumRow[] = [];
  const projections: RangeProjectionRow[] = [];
  for (const t of tables) {
    if (t.report === 'range-kernel-sum') rangeKernels.push(...t.rows);
    else if (t.report === 'range-sum') rangeSums.push(...t.rows);
    else if (t.report === 'range-projection') projections.push(...t.rows);
    else kernelSums.push(...t.rows);
  }
  const inferences = inferenceCount(rangeKernels, [...rangeSums, ...projections]);
  const base = { files, warnings, ...(inferences !== undefined ? { inferences } : {}) };
  if (rangeKernels.length > 0) {
    const ranges = fromRangeKernels(rangeKernels);
    const kernelTotal = kernelSums.reduce((s, r) => s + r.totalMs, 0);
    const rangedTotal = ranges.reduce((s, r) => s + r.totalMs, 0);
    if (kernelTotal > rangedTotal * 1.01) {
      warnings.push(`the kernel summary has ${fmt(kernelTotal)} ms of kernels, the NVTX range kernel summary ${fmt(rangedTotal)} ms: were they made from the same capture?`);
    }
    return { ...base, measure: 'GPU kernel time per NVTX range (nsys stats nvtx_kern_sum)', ranges };
  }
  if (projections.length > 0) {
    warnings.push(PROJECTION);
    const tensorRT = onlyTensorRT(projections.map((r) => r.range));
    // Ranges with ranges inside (the inference range) only count inferences: their layers are listed too.
    const ranges = otherDomainsLeftOut(projections, tensorRT, warnings)
      .filter((r) => (tensorRT ? true : r.children === 0) && !INFERENCE_RANGE.test(r.range))
      .map((r) => ({ name: r.range, totalMs: r.totalMs, instances: r.instances, medianMs: r.medianMs, kernels: new Map<string, number>() }));
    return { ...base, measure: 'GPU projection of NVTX ranges (nsys stats nvtx_gpu_proj_sum)', ranges };
  }
  if (rangeSums.length > 0) {
    warnings.push(CPU_RANGES);
    if (kernelSums.length > 0) warnings.push('the kernel summary given beside nvtx_sum cannot be tied to its ranges and is not used');
    const ranges = otherDomainsLeftOut(rangeSums, onlyTensorRT(rangeSums.map((r) => r.range)), warnings)
      .filter((r) => !INFERENCE_RANGE.test(r.range))
      .map((r) => ({ name: r.range, totalMs: r.totalMs, instances: r.instances, ...(r.medianMs !== undefined ? { medianMs: r.medianMs } : {}), kernels: new Map<string, number>() }));
    return { ...base, measure: 'CPU time of NVTX ranges (nsys stats nvtx_sum)', ranges };
  }
  warnings.push(NO_NVTX);
  if (inferences === undefined) warnings.push('the times are totals over the whole capture (the number of inferences is unknown)');
  return {
    ...base,
    measure: 'GPU kernel time, no NVTX ranges (nsys stats cuda_gpu_kern_sum)',
    inferences: inferences ?? 1,
    ranges: kernelSums.map((k) => ({ name: k.kernel, totalMs: k.totalMs, instances: k.instances, kernels: new Map([[k.kernel, k.totalMs]]), outsideLayers: true })),
  };
}

/** Range-time rows (CPU or projected) of other domains overlap TensorRT's layers: left out, and said so. */
function otherDomainsLeftOut<R extends { range: string }>(rows: readonly R[], tensorRT: ((name: string) => boolean) | undefined, warnings: string[]): readonly R[] {
  if (!tensorRT) return rows;
  const kept = rows.filter((r) => tensorRT(r.range));
  const left = [...new Set(rows.filter((r) => !tensorRT(r.range)).map((r) => r.range))];
  if (left.length > 0) warnings.push(`${left.length} range(s) outside TensorRT's NVTX domain left out (they overlap its layers): ${left.slice(0, 3).map((n) => `"${n}"`).join(', ')}${left.length > 3 ? ', …' : ''}`);
  return kept;
}

function inferenceCount(rangeKernels: readonly RangeKernelRow[], rangeSums: readonly { range: string; instances: number }[]): number | undefined {
  let n = 0;
  for (const r of rangeSums) if (INFERENCE_RANGE.test(r.range)) n = Math.max(n, r.instances);
  const perThread = new Map<string, number>();
  for (const r of rangeKernels) if (r.range !== null && INFERENCE_RANGE.test(r.range)) perThread.set(r.thread, Math.max(perThread.get(r.thread) ?? 0, r.rangeInstances));
  n = Math.max(n, sum(perThread.values()));
  return n > 0 ? n : undefined;
}

interface Group {
  name: string;
  /** Range instances on each thread: every row of a (range, thread) counts the same ranges, or fewer. */
  instances: Map<string, number>;
  /** kernel → [kernel instances, ms] */
  kernels: Map<string, [number, number]>;
}

function fromRangeKernels(rows: readonly RangeKernelRow[]): RangeTotals[] {
  const groups = new Map<string, Group>();
  const outside = new Map<string, number>();
  let outsideLaunches = 0;
  for (const r of rows) {
    if (r.range === null) {
      outside.set(r.kernel, (outside.get(r.kernel) ?? 0) + r.totalMs);
      outsideLaunches += r.kernelInstances;
      continue;
    }
    let g = groups.get(r.range);
    if (!g) groups.set(r.range, (g = { name: r.range, instances: new Map(), kernels: new Map() }));
    g.instances.set(r.thread, Math.max(g.instances.get(r.thread) ?? 0, r.rangeInstances));
    const k = g.kernels.get(r.kernel) ?? [0, 0];
    g.kernels.set(r.kernel, [k[0] + r.kernelInstances, k[1] + r.totalMs]);
  }
  const tensorRT = onlyTensorRT(groups.keys());
  const notLayer = (name: string): boolean => INFERENCE_RANGE.test(name) || (tensorRT !== undefined && !tensorRT(name));
  const containers = new Set([...groups.values()].filter((g) => notLayer(g.name) || coversOthers(g, groups, notLayer)));
  const leaves = [...groups.values()].filter((g) => !containers.has(g));
  const out: RangeTotals[] = leaves.map((g) => ({
    name: g.name,
    totalMs: [...g.kernels.values()].reduce((s, k) => s + k[1], 0),
    instances: sum(g.instances.values()),
    kernels: new Map([...g.kernels].map(([k, v]) => [k, v[1]])),
  }));
  // Kernels a container holds beyond its layers ran inside it but outside every layer range.
  const inLeaves = new Map<string, number>();
  for (const g of leaves) for (const [k, v] of g.kernels) inLeaves.set(k, (inLeaves.get(k) ?? 0) + v[1]);
  const residual = new Map<Group, Map<string, number>>();
  const kernelNames = new Set([...containers].flatMap((g) => [...g.kernels.keys()]));
  for (const k of kernelNames) {
    let widest: Group | undefined;
    for (const g of containers) if (g.kernels.has(k) && (!widest || g.kernels.get(k)![1] > widest.kernels.get(k)![1])) widest = g;
    const extra = widest!.kernels.get(k)![1] - (inLeaves.get(k) ?? 0);
    if (extra > 1e-3 * widest!.kernels.get(k)![1]) {
      const m = residual.get(widest!) ?? new Map<string, number>();
      m.set(k, extra);
      residual.set(widest!, m);
    }
  }
  for (const [g, kernels] of residual) {
    out.push({ name: `${g.name} (outside layer ranges)`, totalMs: [...kernels.values()].reduce((s, v) => s + v, 0), instances: sum(g.instances.values()), kernels, outsideLayers: true });
  }
  if (outside.size > 0) {
    out.push({ name: OUTSIDE_ANY_RANGE, totalMs: [...outside.values()].reduce((s, v) => s + v, 0), instances: outsideLaunches, kernels: outside, outsideLayers: true });
  }
  return out;
}

/**
 * A range around at least two other ranges: every kernel those list, it lists at least as many
 * times as they do together (an application's own range around an inference). A layer whose
 * kernels are exactly those of two other layers would pass too: rare, and said in the README.
 */
function coversOthers(g: Group, groups: Map<string, Group>, notLayer: (name: string) => boolean): boolean {
  let inner = 0;
  const innerCounts = new Map<string, number>();
  for (const other of groups.values()) {
    if (other === g || notLayer(other.name)) continue;
    if (![...other.kernels.keys()].every((k) => g.kernels.has(k))) continue;
    inner++;
    for (const [k, v] of other.kernels) innerCounts.set(k, (innerCounts.get(k) ?? 0) + v[0]);
  }
  if (inner < 2) return false;
  for (const [k, n] of innerCounts) if (g.kernels.get(k)![0] < n) return false;
  return true;
}

function sum(values: Iterable<number>): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}

function fmt(ms: number): string {
  return ms.toFixed(3);
}
