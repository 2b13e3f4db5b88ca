// What a trtexec console log says about a profile: the `=== Profile (N iterations ) ===` table of
// --dumpProfile, the `Layers:` lines of --dumpLayerInfo, and the version, device, precision and
// run settings of its option blocks. TensorRT 8.4 on prints `Time(ms) Avg.(ms) Median(ms)
// Time(%) Layer`; before, `Layer Time (ms) Avg. Time (ms) Time %` with the name first.
import { splitLogLine } from '../../toolchains/trtexec-log';
import { parseTrtexecVersion } from '../../toolchains/trtexec-flags';
import { LOG_LIMIT, scanProfileText } from './files';
import { parseLayerInfoLine, type EngineLayer } from './layer-info';
import { stripProfileSuffix } from './layer-names';
import type { LayerTime, LayerTimes } from './profile-json';

export interface TrtexecLogFacts {
  version?: string;
  device?: string;
  /** The build's `Precision:` line (FP32+FP16, FP32+FP16+INT8). */
  precision?: string;
  settings: Record<string, string | number | boolean>;
  /** The last profile table (one per run; a log holds one unless runs were concatenated). */
  profile?: LayerTimes;
  profileTables: number;
  layers?: EngineLayer[];
  /** GPU Compute Time median of the performance summary, ms. */
  medianComputeMs?: number;
}

/** Option lines kept as run settings. */
const SETTINGS = new Set(['Iterations', 'Duration', 'Averages', 'Batch', 'CUDA Graph', 'Spin-wait', 'Separate profiling', 'Data transfers', 'Inference Streams', 'Streams', 'Optimization Profile Index', 'Input inference shapes', 'Input inference shape']);

/** Feed it the log's lines (`push`); `facts` holds what was found so far. */
export class TrtexecLogFactsReader {
  readonly facts: TrtexecLogFacts = { settings: {}, profileTables: 0 };
  private table: { nameFirst: boolean; times: LayerTimes } | undefined;
  private inLayers = false;

  push(line: string): void {
    const facts = this.facts;
    if (line.startsWith('&&&& ')) {
      facts.version ??= parseTrtexecVersion(line);
      return;
    }
    if (this.inLayers) {
      const layer = parseLayerInfoLine(line);
      if (layer) {
        (facts.layers ??= []).push(layer);
        return;
      }
      if (line.trim() === '' || line.startsWith('Bindings:') || /^\[[\d/:-]+\] \[/.test(line)) this.inLayers = false;
    }
    const { level, text: body } = splitLogLine(line);
    if (level === undefined) return;
    if (this.table) {
      if (readTableRow(body, this.table)) return;
      this.table = undefined;
    }
    const profileHead = /^=== Profile \((\d+) iterations ?\) ===/.exec(body.trim());
    if (profileHead) {
      facts.profileTables++;
      facts.profile = { iterations: Number(profileHead[1]), rows: [] };
      this.table = { nameFirst: false, times: facts.profile };
      return;
    }
    if (body.trim() === 'Layers:') {
      facts.layers = [];
      this.inLayers = true;
      return;
    }
    readOption(body, facts);
  }
}

/** Reads a log file line by line in pieces of about `chunkBytes`, so its size costs no memory. */
export function readTrtexecLogFile(path: string, chunkBytes?: number): TrtexecLogFacts {
  const reader = new TrtexecLogFactsReader();
  scanProfileText(path, 'log', LOG_LIMIT, (text) => {
    // Each piece ends at a line break (the last may not): that break ends its last line, it adds no empty line.
    for (const line of text.replace(/\r?\n$/, '').split(/\r?\n/)) reader.push(line);
  }, { lines: true, chunkBytes });
  return reader.facts;
}

/** A header, a layer row, or the Total row of the table; false at its end. */
function readTableRow(body: string, table: { nameFirst: boolean; times: LayerTimes }): boolean {
  const t = body.trim();
  if (/^Time\s*\(ms\)/.test(t)) return true;
  if (/^Layer\s+Time \(ms\)/.test(t)) {
    table.nameFirst = true;
    return true;
  }
  const num = '(\\d+(?:\\.\\d+)?(?:[eE][-+]?\\d+)?)';
  let row: LayerTime | undefined;
  if (table.nameFirst) {
    const m = new RegExp(`^(.*\\S)\\s+${num}\\s+${num}\\s+${num}$`).exec(t);
    if (m) row = { name: m[1]!, totalMs: Number(m[2]), avgMs: Number(m[3]) };
  } else {
    const m = new RegExp(`^${num}\\s+${num}\\s+${num}\\s+${num}\\s+(.+)$`).exec(t);
    if (m) row = { name: m[5]!, totalMs: Number(m[1]), avgMs: Number(m[2]), medianMs: Number(m[3]) };
  }
  if (!row) return false;
  if (row.name !== 'Total') table.times.rows.push({ ...row, name: stripProfileSuffix(row.name) });
  return true;
}

function readOption(body: string, facts: TrtexecLogFacts): void {
  const colon = body.indexOf(': ');
  if (colon < 0) return;
  const key = body.slice(0, colon).trim();
  const value = body.slice(colon + 2).trim();
  if (!value) return;
  if (key === 'TensorRT version') facts.version = value;
  else if (key === 'Selected Device') facts.device = value;
  else if (key === 'Precision') facts.precision = value;
  else if (key === 'GPU Compute Time') {
    const median = /median = ([\d.eE+-]+) ms/.exec(value)?.[1];
    if (median) facts.medianComputeMs = Number(median);
  } else if (SETTINGS.has(key)) facts.settings[key] = /^\d+$/.test(value) ? Number(value) : value;
}
