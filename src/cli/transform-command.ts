import { runTransform, type TransformRequest } from '../optimize/transform-flow';
import type { TransformReport } from '../optimize/report';
import { UsageError } from './args';
import { withFile } from './load';

/** Options every transform subcommand takes. */
export const commonTransformOptions = {
  out: { type: 'string', short: 'o' },
  json: { type: 'boolean' },
  validate: { type: 'boolean' },
  eval: { type: 'string' },
  threads: { type: 'string' },
} as const;

export const listOption = (v: string | undefined): string[] => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);

export function numberOption(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} takes a number, not '${v}'`);
  return n;
}

export function numberList(v: string | undefined, name: string, count?: number): number[] | undefined {
  if (v === undefined) return undefined;
  const list = v.split(',').map((s) => numberOption(s, name)!);
  if (count !== undefined && list.length !== count) throw new UsageError(`--${name} takes ${count} comma-separated numbers, not '${v}'`);
  return list;
}

/**
 * Runs one transform for the CLI (DESIGN.md §5b): progress, warnings and "written" lines on
 * stderr; with --json exactly one JSON document on stdout. Exit 0 done, 1 a target was not met
 * (the model is written and the report says so); file problems and refusals become exit 2 in
 * `withFile` / the flow's typed errors.
 */
export async function runTransformCommand(request: Omit<TransformRequest, 'progress'>, json: boolean, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const report: TransformReport = await withFileAsync(request.input, () => runTransform({ ...request, progress: (line) => err(line) }));
  for (const w of report.warnings) err(`warning: ${w}`);
  err(`${report.output}: written (${report.sizeBefore.toLocaleString('en-US')} → ${report.sizeAfter.toLocaleString('en-US')} bytes)`);
  if (json) out(JSON.stringify(report, null, 2));
  else if (report.outputs.length) for (const o of report.outputs) err(`${o.name}: cosine ${o.cosine.toFixed(5)} (mean ${o.meanCosine.toFixed(5)}), SNR ${o.snrDb.toFixed(1)} dB, max abs error ${o.maxAbsError.toPrecision(3)}`);
  const missed = (report.targets ?? []).filter((t) => !t.met);
  for (const t of missed) err(`target not met: ${t.name} ${t.got} < ${t.wanted}`);
  return missed.length ? 1 : 0;
}

async function withFileAsync<T>(path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    return withFile(path, () => {
      throw e;
    });
  }
}
