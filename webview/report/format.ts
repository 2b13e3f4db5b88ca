// Numbers as the report view shows them. The exact value travels beside the text (data-value),
// so what is shown can be checked against the CLI's JSON.

/**
 * JSON carries no Infinity or NaN: an SNR of identical outputs (Infinity), of a zero reference
 * with error (-Infinity) and of a broken output (NaN) all arrive as null. The output's max abs
 * error tells them apart: 0 only when every sample was identical.
 */
export function formatSnr(db: number | null | undefined, maxAbsError: number | null | undefined): string {
  if (db === null) return maxAbsError === 0 ? '∞ (identical)' : 'not finite';
  return db === undefined ? '—' : `${db.toFixed(2)} dB`;
}

export function formatCosine(c: number | null | undefined): string {
  return typeof c === 'number' ? c.toFixed(6) : '—';
}

/** Errors span many decades: four significant digits. */
export function formatError(e: number | null | undefined): string {
  return typeof e === 'number' ? (e === 0 ? '0' : e.toPrecision(4)) : '—';
}

export function formatMs(ms: number | null | undefined): string {
  return typeof ms === 'number' ? `${ms.toFixed(ms < 100 ? 2 : 1)} ms` : '—';
}

export function formatBytes(n: number | null | undefined): string {
  if (typeof n !== 'number') return '—';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n;
  let u = -1;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

export function formatRatio(after: number, before: number): string {
  return before > 0 ? `${(after / before).toFixed(3)}×` : '—';
}

export function formatShare(x: number | null | undefined): string {
  return typeof x === 'number' ? `${(x * 100).toFixed(1)} %` : '—';
}

const TRANSFORM_TITLES: Record<string, string> = {
  'quantize-dynamic': 'INT8 dynamic quantization',
  'quantize-static': 'INT8 static quantization (QDQ)',
  fp16: 'FP16 conversion',
  prune: 'Pruning',
};

export const transformTitle = (t: string): string => TRANSFORM_TITLES[t] ?? t;
