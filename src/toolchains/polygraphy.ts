// "Lint with Polygraphy": `polygraphy check lint MODEL -o report.json` through runTool, its JSON
// report read into findings for the Problems panel. Report format from Polygraphy's own example
// (NVIDIA/TensorRT tools/Polygraphy/examples/cli/check/01_linting_an_onnx_model/README.md):
// { summary: { passing: [node names], failing: [...] }, lint_entries: [{ level, source, message, nodes? }] }.
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { readTextFile } from '../onnx/io/text-file';
import { makeTempFolder } from '../onnx/io/temp-folder';
import { runTool } from './run-tool';

export interface PolygraphyFinding {
  /** `exception` (an error), `warning`, `info`, or whatever a newer Polygraphy writes. */
  level: string;
  /** What found it: `onnx_checker`, `onnxruntime`, `onnx_graphsurgeon`, ... */
  source: string;
  message: string;
  /** Node names the finding is about (empty for a model-wide one). */
  nodes: string[];
}

export interface PolygraphyLintReport {
  findings: PolygraphyFinding[];
  passing: string[];
  failing: string[];
}

export interface PolygraphyLintResult extends PolygraphyLintReport {
  /** Polygraphy exits non-zero when the model has errors; the report still comes. */
  exitCode: number | null;
  cancelled: boolean;
}

/** Why the lint produced no report (polygraphy failed to start its work, a wrong version). */
export class PolygraphyError extends Error {
  override name = 'PolygraphyError';
}

/** Reads a lint report; tolerant of fields it does not know and of entries missing optional ones. */
export function parsePolygraphyLintReport(json: unknown): PolygraphyLintReport {
  const root = (json ?? {}) as { summary?: { passing?: unknown; failing?: unknown }; lint_entries?: unknown };
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
  const entries = Array.isArray(root.lint_entries) ? root.lint_entries : [];
  return {
    findings: entries
      .filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string')
      .map((e) => ({
        level: typeof e.level === 'string' ? e.level : 'unknown',
        source: typeof e.source === 'string' ? e.source : '',
        message: (e.message as string).trim(),
        nodes: strings(e.nodes),
      })),
    passing: strings(root.summary?.passing),
    failing: strings(root.summary?.failing),
  };
}

/** A report larger than this is not read (a JavaScript string holds at most about 512 MiB). */
const MAX_REPORT_BYTES = 256 << 20;

/** The report as a JSON object; PolygraphyError says why not (missing, too big, not JSON, not an object). */
function readReport(report: string, exit: number | string | null): object {
  const size = fileSize(report);
  if (size === undefined) throw new PolygraphyError(`polygraphy check lint wrote no report (exit code ${exit})`);
  if (size > MAX_REPORT_BYTES) throw new PolygraphyError(`polygraphy wrote an unreadable report: ${size} bytes, more than the ${MAX_REPORT_BYTES >> 20} MiB read here`);
  let json: unknown;
  try {
    json = JSON.parse(readTextFile(report));
  } catch (e) {
    throw new PolygraphyError(`polygraphy wrote an unreadable report: ${(e as Error).message}`, { cause: e });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new PolygraphyError(`polygraphy wrote an unreadable report: ${json === null ? 'null' : Array.isArray(json) ? 'an array' : `a ${typeof json}`}, not a JSON object`);
  }
  return json;
}

function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/** Runs `polygraphy check lint` on `model`; its console lines go to `onLine` as they come. */
export async function lintWithPolygraphy(polygraphy: string, model: string, opts: { cancel?: Promise<void>; onLine?: (line: string) => void } = {}): Promise<PolygraphyLintResult> {
  const folder = makeTempFolder('onnx-studio-polygraphy');
  try {
    const report = join(folder.path, 'report.json');
    // An absolute path can never look like an option (a model named `-o.onnx`).
    const run = await runTool(polygraphy, ['check', 'lint', resolve(model), '-o', report], { onStdoutLine: opts.onLine, onStderrLine: opts.onLine, cancel: opts.cancel, keepOutput: false });
    if (run.cancelled) return { findings: [], passing: [], failing: [], exitCode: run.code, cancelled: true };
    const json = readReport(report, run.code ?? run.signal);
    return { ...parsePolygraphyLintReport(json), exitCode: run.code, cancelled: false };
  } finally {
    folder.remove();
  }
}
