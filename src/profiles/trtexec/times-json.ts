// trtexec `--exportTimes`: one record per measured inference (`startEnqMs`, `computeMs`,
// `latencyMs`, ...). Long runs write one record per inference for minutes, so the file is
// scanned in bounded pieces rather than parsed whole.
import { ProfileFormatError } from '../errors';
import { median } from '../median';
import { scanProfileText } from './files';

const TIMES_LIMIT = 2 * 1024 * 1024 * 1024;

export interface InferenceTimes {
  inferences: number;
  /** Medians over the inferences, ms. */
  medianComputeMs: number;
  medianLatencyMs?: number;
}

export function readTimesFile(path: string): InferenceTimes {
  const compute: number[] = [];
  const latency: number[] = [];
  const what = '--exportTimes file';
  const ends = scanProfileText(path, what, TIMES_LIMIT, (text) => {
    for (const m of text.matchAll(/"(computeMs|latencyMs)"\s*:\s*(-?[\d.]+(?:[eE][-+]?\d+)?)/g)) {
      const ms = Number(m[2]);
      // "1.2.3", 1e999 or a negative time: no median of them means anything.
      if (!Number.isFinite(ms) || ms < 0) throw new ProfileFormatError(`${path}: "${m[1]}": ${m[2]} is not a time, so not a trtexec ${what}`, path);
      (m[1] === 'computeMs' ? compute : latency).push(ms);
    }
  });
  if (ends.first !== '[' || ends.last !== ']') {
    const why = ends.first === '[' ? 'it is cut short (no closing "]")' : 'it is not a JSON list';
    throw new ProfileFormatError(`${path}: ${why}, so not a trtexec ${what}`, path);
  }
  if (compute.length === 0) throw new ProfileFormatError(`${path}: no "computeMs" records, so not a trtexec ${what}`, path);
  return {
    inferences: compute.length,
    medianComputeMs: median(compute),
    ...(latency.length ? { medianLatencyMs: median(latency) } : {}),
  };
}
