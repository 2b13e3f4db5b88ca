// trtexec `--exportProfile`: `[{ "count": N }, { "name", "timeMs", "averageMs", "medianMs", "percentage" }, ...]`.
// The first record is the number of profiled iterations; `medianMs` came with TensorRT 8.4.
import { ProfileFormatError } from '../errors';
import { isRecord } from './layer-info';
import { stripProfileSuffix } from './layer-names';

/** One layer's row of a profile (JSON or the log's table). */
export interface LayerTime {
  name: string;
  /** Summed over the iterations, ms. */
  totalMs: number;
  /** Per iteration, ms. */
  avgMs: number;
  medianMs?: number;
}

export interface LayerTimes {
  /** Profiled iterations; undefined when the source does not say. */
  iterations?: number;
  rows: LayerTime[];
}

export function parseProfileJson(doc: unknown, path: string): LayerTimes {
  const what = 'so not a trtexec --exportProfile file';
  if (!Array.isArray(doc)) throw new ProfileFormatError(`${path}: not a JSON list, ${what}`, path);
  let iterations: number | undefined;
  const rows: LayerTime[] = [];
  doc.forEach((r, i) => {
    if (!isRecord(r)) throw new ProfileFormatError(`${path}: record ${i} is not an object, ${what}`, path);
    if (i === 0 && 'count' in r && !('name' in r)) {
      iterations = finite(r['count'], path, i, 'count');
      return;
    }
    if (typeof r['name'] !== 'string') throw new ProfileFormatError(`${path}: record ${i} has no layer "name", ${what}`, path);
    const totalMs = finite(r['timeMs'], path, i, 'timeMs');
    const avgMs = r['averageMs'] === undefined && iterations ? totalMs / iterations : finite(r['averageMs'], path, i, 'averageMs');
    const medianMs = r['medianMs'] === undefined ? undefined : finite(r['medianMs'], path, i, 'medianMs');
    rows.push({ name: stripProfileSuffix(r['name']), totalMs, avgMs, ...(medianMs === undefined ? {} : { medianMs }) });
  });
  if (rows.length === 0) throw new ProfileFormatError(`${path}: no layer records, ${what}`, path);
  return { iterations, rows };
}

function finite(v: unknown, path: string, i: number, key: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new ProfileFormatError(`${path}: record ${i} has ${key} ${JSON.stringify(v)}, not a time, so not a trtexec --exportProfile file`, path);
  }
  return v;
}
