import { join } from 'node:path';
import { runTransform, type TransformRequest } from '../optimize/transform-flow';
import type { TransformReport } from '../optimize/report';
import { UsageError } from './args';
import { OpsetTooOldError } from '../onnx/edit/model-edit';
import { OpsetUpgradeError } from '../onnx/edit/opset-upgrade';
import { AlreadyQuantizedError } from '../optimize/already-quantized';
import { TransformRefusedError } from '../optimize/errors';
import { InputOptionsError } from '../runtime/input-files';
import { OrtError, RuntimeRequestError } from '../runtime/errors';
import { CliError, EXIT_UNREADABLE, withFile } from './load';
import { pruneTable } from './prune-table';
import { printable } from './printable';

/** Options every transform subcommand takes. */
export const commonTransformOptions = {
  out: { type: 'string', short: 'o' },
  json: { type: 'boolean' },
  validate: { type: 'boolean' },
  eval: { type: 'string' },
  threads: { type: 'string' },
} as const;

export const listOption = (v: string | undefined): string[] => (v ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);

export function numberOption(v: string | undefined, name: string, range?: { min: number; max: number; integer?: boolean }): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} takes a number, not '${v}'`);
  if (range && (n < range.min || n > range.max || (range.integer && !Number.isInteger(n)))) throw new UsageError(`--${name} takes ${range.integer ? 'an integer' : 'a number'} from ${range.min} to ${range.max}, not '${v}'`);
  return n;
}

/** onnxruntime's intra-op threads (0: its default); beyond this it fails to allocate (std::bad_alloc), a usage error. */
export const threadsOption = (v: string | undefined): number | undefined => numberOption(v, 'threads', { min: 0, max: 1024, integer: true });


/** Runs `parse` on flags: a bad option value (InputOptionsError) is a usage error (exit 64), not an internal one. */
export function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof InputOptionsError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * Runs one transform for the CLI (DESIGN.md §5b): progress, warnings and "written" lines on
 * stderr; with --json exactly one JSON document on stdout. Exit 0 done, 1 a target was not met
 * (the model is written and the report says so); file problems and refusals become exit 2 in
 * `withFile` / the flow's typed errors.
 */
export async function runTransformCommand(request: Omit<TransformRequest, 'progress' | 'workerScript'>, json: boolean, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  // dist/cli.js runs onnxruntime in dist/runtime-worker.js, bundled beside it.
  const workerScript = join(__dirname, 'runtime-worker.js');
  const report: TransformReport = await classifyErrors(request.input, () => runTransform({ ...request, workerScript, progress: (line) => err(printable(line)) }));
  // Warnings and progress name weights and nodes from the file: never raw control characters on the terminal.
  for (const w of report.warnings) err(`warning: ${printable(w)}`);
  if (!json) for (const line of pruneTable(report)) err(line);
  err(`${report.output}: written (${report.sizeBefore.toLocaleString('en-US')} → ${report.sizeAfter.toLocaleString('en-US')} bytes)`);
  if (json) out(JSON.stringify(report, null, 2));
  else if (report.outputs.length) for (const o of report.outputs) err(`${o.name}: cosine ${o.cosine.toFixed(5)} (mean ${o.meanCosine.toFixed(5)}), SNR ${o.snrDb.toFixed(1)} dB, max abs error ${o.maxAbsError.toPrecision(3)}${o.flatSamples ? ` (${o.flatSamples} flat sample(s) left out of cosine and SNR)` : ''}${o.exactMatch !== undefined ? `, ${(o.exactMatch * 100).toFixed(2)} % of elements equal (integer output: not judged by cosine)` : ''}`);
  const missed = (report.targets ?? []).filter((t) => !t.met);
  for (const t of missed) err(`target not met: ${t.name} ${t.got} < ${t.wanted}`);
  return missed.length ? 1 : 0;
}

/** Errors that mean "this model or these files must not go on": exit 2 with the message, no output written. */
/** TransformRefusedError covers every refusal of src/optimize; the others come from layers below it. */
const REFUSALS = [TransformRefusedError, AlreadyQuantizedError, OpsetUpgradeError, OpsetTooOldError, OrtError, RuntimeRequestError];

async function classifyErrors<T>(path: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    if (e instanceof InputOptionsError) throw new UsageError(e.message);
    if (REFUSALS.some((k) => e instanceof k)) throw new CliError(`${path}: ${(e as Error).message}`, EXIT_UNREADABLE);
    return withFile(path, () => {
      throw e;
    });
  }
}
