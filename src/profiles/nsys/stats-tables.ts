import { ProfileFormatError } from '../errors';

// The `nsys stats` reports the nsys reader uses, recognized by their column names (the same
// in CSV and JSON output): the kernel summary (cuda_gpu_kern_sum, gpukernsum before 2023),
// the NVTX range summary (nvtx_sum / nvtxsum, nvtx_pushpop_sum / nvtxppsum), the NVTX range
// kernel summary (nvtx_kern_sum / nvtxkernsum) and the NVTX GPU projection (nvtx_gpu_proj_sum). Times carry their unit in the header
// ("Total Time (ns)"; `--timeunit` makes it us, ms or s); a header without one is in ns.

/** One report's table as read: header names and cells (JSON cells keep their JSON type). */
export interface RawTable {
  columns: string[];
  rows: unknown[][];
}

export interface KernelSumRow {
  kernel: string;
  totalMs: number;
  instances: number;
}

export interface RangeSumRow {
  range: string;
  totalMs: number;
  instances: number;
  medianMs?: number;
}

export interface RangeKernelRow {
  /** null: kernels launched outside every NVTX range. */
  range: string | null;
  thread: string;
  rangeInstances: number;
  kernelInstances: number;
  totalMs: number;
  kernel: string;
}

export interface RangeProjectionRow {
  range: string;
  /** GPU time from the first to the last GPU operation of each instance, summed. */
  totalMs: number;
  instances: number;
  medianMs: number;
  /** Ranges nested in it, on average: 0 for a layer, the layer count for an inference range. */
  children: number;
}

export type StatsTable =
  | { report: 'kernel-sum'; rows: KernelSumRow[] }
  | { report: 'range-sum'; rows: RangeSumRow[] }
  | { report: 'range-kernel-sum'; rows: RangeKernelRow[] }
  | { report: 'range-projection'; rows: RangeProjectionRow[] };

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'μs': 1e-3, ms: 1, s: 1000 };

interface Column {
  index: number;
  /** Factor from the column's unit to ms (time columns). */
  toMs: number;
}

function key(header: string): string {
  return header.replace(/\((?:ns|us|μs|ms|s|%)\)\s*$/, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

function columnsOf(headers: readonly string[]): Map<string, Column> {
  const out = new Map<string, Column>();
  headers.forEach((h, index) => {
    const unit = /\((ns|us|μs|ms|s)\)\s*$/.exec(h)?.[1];
    out.set(key(h), { index, toMs: unit ? UNIT_MS[unit]! : UNIT_MS.ns! });
  });
  return out;
}

/** The report a header row belongs to, or undefined for a table of another report. */
export function reportOf(headers: readonly string[]): StatsTable['report'] | undefined {
  const k = new Set(headers.map(key));
  if (k.has('range') && k.has('total proj time') && k.has('range instances') && k.has('avg num child')) return 'range-projection';
  if (!k.has('total time')) return undefined;
  if (k.has('nvtx range') && k.has('kernel name') && k.has('kern inst')) return 'range-kernel-sum';
  if (k.has('range') && k.has('instances')) return 'range-sum';
  if (k.has('name') && k.has('instances')) return 'kernel-sum';
  return undefined;
}

/** Converts a recognized table; `where` names the file for messages. */
export function statsTable(table: RawTable, where: string): StatsTable {
  const report = reportOf(table.columns);
  if (!report) throw new ProfileFormatError(`${where}: a table with columns ${table.columns.join(', ')} is none of the nsys stats reports read (cuda_gpu_kern_sum, nvtx_sum, nvtx_kern_sum, nvtx_gpu_proj_sum)`, where);
  const cols = columnsOf(table.columns);
  const cell = (row: unknown[], r: number, name: string): Cell => new Cell(row, r, cols.get(name)!, table.columns, where);
  switch (report) {
    case 'kernel-sum':
      return { report, rows: table.rows.map((row, r) => ({ kernel: cell(row, r, 'name').text(), totalMs: cell(row, r, 'total time').ms(), instances: cell(row, r, 'instances').count() })) };
    case 'range-sum':
      return {
        report,
        rows: table.rows.map((row, r) => {
          const med = cols.has('med') ? cell(row, r, 'med').ms() : undefined;
          return { range: cell(row, r, 'range').text(), totalMs: cell(row, r, 'total time').ms(), instances: cell(row, r, 'instances').count(), ...(med !== undefined ? { medianMs: med } : {}) };
        }),
      };
    case 'range-projection':
      return {
        report,
        rows: table.rows.map((row, r) => ({
          range: cell(row, r, 'range').text(),
          totalMs: cell(row, r, 'total proj time').ms(),
          instances: cell(row, r, 'range instances').count(),
          medianMs: cell(row, r, 'proj med').ms(),
          children: cell(row, r, 'avg num child').number(),
        })),
      };
    case 'range-kernel-sum':
      return {
        report,
        rows: table.rows.map((row, r) => {
          const rangeInstances = cell(row, r, 'nvtx inst').count();
          const range = cell(row, r, 'nvtx range').nullableText();
          const thread = ['pid', 'tid'].filter((c) => cols.has(c)).map((c) => cell(row, r, c).nullableText() ?? '').join('/');
          return {
            // nsys prints Python's None for kernels outside every range (NVTX Inst 0).
            range: rangeInstances === 0 || range === 'None' ? null : range,
            thread,
            rangeInstances,
            kernelInstances: cell(row, r, 'kern inst').count(),
            totalMs: cell(row, r, 'total time').ms(),
            kernel: cell(row, r, 'kernel name').text(),
          };
        }),
      };
  }
}

class Cell {
  constructor(
    private readonly row: unknown[],
    private readonly r: number,
    private readonly col: Column,
    private readonly headers: readonly string[],
    private readonly where: string,
  ) {}

  private fail(what: string): never {
    throw new ProfileFormatError(`${this.where}: row ${this.r + 1}, column "${this.headers[this.col.index]}": ${what}`, this.where);
  }

  private raw(): unknown {
    if (this.row.length !== this.headers.length) this.fail(`the row has ${this.row.length} cells for ${this.headers.length} columns (a truncated or edited report)`);
    return this.row[this.col.index];
  }

  nullableText(): string | null {
    const v = this.raw();
    if (v === null || v === undefined) return null;
    return String(v);
  }

  text(): string {
    return this.nullableText() ?? this.fail('empty');
  }

  number(): number {
    const v = this.raw();
    const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v.replace(/[,\s]/g, '')) : NaN;
    if (!Number.isFinite(n) || n < 0) this.fail(`${JSON.stringify(v)} is not a time or count`);
    return n;
  }

  ms(): number {
    return this.number() * this.col.toMs;
  }

  count(): number {
    const n = this.number();
    if (!Number.isInteger(n)) this.fail(`${n} is not a whole count`);
    return n;
  }
}
