// "Lint with Polygraphy": `polygraphy check lint MODEL -o report.json` through runTool, its JSON
// report read into findings for the Problems panel. Report format from Polygraphy's own example
// (NVIDIA/TensorRT tools/Polygraphy/examples/cli/check/01_linting_an_onnx_model/README.md):
// { summary: { passing: [node names], failing: [...] }, lint_entries: [{ level, source, message, nodes? }] }.
import { join } from 'node:path';
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

/** Runs `polygraphy check lint` on `model`; its console lines go to `onLine` as they come. */
export async function lintWithPolygraphy(polygraphy: string, model: string, opts: { cancel?: Promise<void>; onLine?: (line: string) => void } = {}): Promise<PolygraphyLintResult> {
  const folder = makeTempFolder('onnx-studio-polygraphy');
  try {
    const report = join(folder.path, 'report.json');
    const run = await runTool(polygraphy, ['check', 'lint', model, '-o', report], { onStdoutLine: opts.onLine, onStderrLine: opts.onLine, cancel: opts.cancel, keepOutput: false });
    if (run.cancelled) return { findings: [], passing: [], failing: [], exitCode: run.code, cancelled: true };
    let text: string;
    try {
      text = readTextFile(report);
    } catch (e) {
      throw new PolygraphyError(`polygraphy check lint wrote no report (exit code ${run.code ?? run.signal})`, { cause: e });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new PolygraphyError(`polygraphy's lint report is not JSON: ${(e as Error).message}`, { cause: e });
    }
    return { ...parsePolygraphyLintReport(json), exitCode: run.code, cancelled: false };
  } finally {
    folder.remove();
  }
}
