// Reads trtexec's console log line by line as it streams: the TensorRT version of its first line,
// the `[E]` lines, and the `=== Performance summary ===` block. Unknown lines are skipped, so a
// newer trtexec that prints more still parses.
import { parseTrtexecVersion } from './trtexec-flags';

/** min/max/mean/median and the percentiles trtexec prints for one measure, in milliseconds. */
export interface TimingStats {
  min: number;
  max: number;
  mean: number;
  median: number;
  /** Keyed by the percentage as printed: `{ "90": 0.0388489, "95": ..., "99": ... }`. */
  percentiles: Record<string, number>;
}

export interface PerformanceSummary {
  /** Queries per second. */
  throughputQps?: number;
  latency?: TimingStats;
  enqueueTime?: TimingStats;
  h2dLatency?: TimingStats;
  gpuComputeTime?: TimingStats;
  d2hLatency?: TimingStats;
  /** Seconds. */
  totalHostWalltimeS?: number;
  totalGpuComputeTimeS?: number;
  /** The `[W]` lines inside the summary (unstable GPU clock, ...). */
  warnings: string[];
}

const STATS_KEYS: Record<string, keyof PerformanceSummary> = {
  Latency: 'latency',
  'Enqueue Time': 'enqueueTime',
  'H2D Latency': 'h2dLatency',
  'GPU Compute Time': 'gpuComputeTime',
  'D2H Latency': 'd2hLatency',
};

/** `[07/07/2026-02:11:29] [I] text` → level `I` and the text; lines without the prefix keep level undefined. */
export function splitLogLine(line: string): { level?: string; text: string } {
  const m = /^(?:\[[\d/:-]+\] )?\[([EWIV])\] ?(.*)$/.exec(line);
  return m ? { level: m[1], text: m[2]! } : { text: line };
}

/** Feed it every line (`push`); read what it found at any time. */
export class TrtexecLogReader {
  version?: string;
  errors: string[] = [];
  performance?: PerformanceSummary;
  /** `&&&& PASSED` / `&&&& FAILED` seen. */
  outcome?: 'passed' | 'failed';
  private inSummary = false;

  push(line: string): void {
    if (line.startsWith('&&&& ')) {
      this.version ??= parseTrtexecVersion(line);
      if (line.startsWith('&&&& PASSED')) this.outcome = 'passed';
      else if (line.startsWith('&&&& FAILED')) this.outcome = 'failed';
      return;
    }
    const { level, text } = splitLogLine(line);
    if (level === 'E') this.errors.push(text);
    if (text.trim() === '=== Performance summary ===') {
      this.inSummary = true;
      this.performance = { warnings: [] };
      return;
    }
    if (!this.inSummary || !this.performance) return;
    // The summary ends at the next section or the explanations.
    if (/^=== /.test(text.trim()) || /^Explanations of the performance metrics/.test(text)) {
      this.inSummary = false;
      return;
    }
    if (level === 'W') {
      this.performance.warnings.push(text.trim());
      return;
    }
    readSummaryLine(text, this.performance);
  }
}

/** Reads a whole log (a saved `.build.log`, a fixture). */
export function readTrtexecLog(text: string): TrtexecLogReader {
  const reader = new TrtexecLogReader();
  for (const line of text.split(/\r?\n/)) reader.push(line);
  return reader;
}

function readSummaryLine(text: string, into: PerformanceSummary): void {
  const colon = text.indexOf(': ');
  if (colon < 0) return;
  const key = text.slice(0, colon);
  const rest = text.slice(colon + 2);
  if (key === 'Throughput') into.throughputQps = number(/^([\d.eE+-]+) qps/.exec(rest)?.[1]);
  else if (key === 'Total Host Walltime') into.totalHostWalltimeS = number(/^([\d.eE+-]+) s/.exec(rest)?.[1]);
  else if (key === 'Total GPU Compute Time') into.totalGpuComputeTimeS = number(/^([\d.eE+-]+) s/.exec(rest)?.[1]);
  else if (STATS_KEYS[key]) {
    const stats = parseStats(rest);
    if (stats) (into as unknown as Record<string, TimingStats>)[STATS_KEYS[key]] = stats;
  }
}

/** `min = 0.0383301 ms, max = ..., percentile(90%) = 0.0388489 ms, ...` */
function parseStats(text: string): TimingStats | undefined {
  const stats: TimingStats = { min: NaN, max: NaN, mean: NaN, median: NaN, percentiles: {} };
  for (const m of text.matchAll(/(min|max|mean|median|percentile\(([\d.]+)%\)) = ([\d.eE+-]+) ms/g)) {
    const v = Number(m[3]);
    if (m[2] !== undefined) stats.percentiles[m[2]] = v;
    else stats[m[1] as 'min' | 'max' | 'mean' | 'median'] = v;
  }
  return [stats.min, stats.max, stats.mean, stats.median].some(Number.isNaN) ? undefined : stats;
}

function number(s: string | undefined): number | undefined {
  return s === undefined ? undefined : Number(s);
}
