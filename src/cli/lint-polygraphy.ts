// `onnx-studio lint-polygraphy MODEL [--polygraphy PATH] [--json]`: Polygraphy's `check lint`
// through the one runTool, its report with the node names mapped to the editor's node ids, so
// the editor runs external tools only through our CLI (as `build` does for trtexec).
import { lintWithPolygraphy, PolygraphyError, type PolygraphyLintReport } from '../toolchains/polygraphy';
import { resolveToolPath } from '../toolchains/tool-path';
import { parseArgs } from './args';
import { loadModel } from './load';
import { cancelOnSignals, SIGNAL_EXIT } from './signals';
import { exitUnusable } from './unusable';

export const lintPolygraphyUsage = 'onnx-studio lint-polygraphy MODEL [--polygraphy PATH] [--json]   Polygraphy\'s `check lint` on the model: exit 0 no error, 1 errors found, 2 polygraphy or the model cannot be used, 129/130/143 stopped by SIGHUP/SIGINT/SIGTERM';

/** The one JSON document of `lint-polygraphy --json`. */
export interface LintPolygraphyJson extends PolygraphyLintReport {
  polygraphy: string;
  /** Node name → the editor's node id, for every name the report mentions that a node has. */
  nodeIds: Record<string, string>;
  /** Polygraphy's exit code (non-zero when the model has errors). */
  exitCode: number | null;
}

/** Levels that make the run exit 1 (Polygraphy writes `exception` for errors). */
const ERROR_LEVELS = new Set(['exception', 'error']);

export async function runLintPolygraphy(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { values: v, positionals } = parseArgs(argv, { polygraphy: { type: 'string' }, json: { type: 'boolean' } }, lintPolygraphyUsage);
  const path = positionals[0]!;
  const nodeIds = nodeIdsByName(path);
  const polygraphy = exitUnusable(() => resolveToolPath('polygraphy', v.polygraphy));
  // polygraphy runs in a process group of its own: a stop signal reaches only us, and we end its group.
  const { cancelled, signalled, dispose } = cancelOnSignals();
  let report;
  try {
    report = await exitUnusable(() => lintWithPolygraphy(polygraphy, path, { onLine: err, cancel: cancelled }), [PolygraphyError]);
  } finally {
    dispose();
  }
  const stopped = signalled();
  if (stopped || report.cancelled) return SIGNAL_EXIT[stopped ?? 'SIGTERM'];
  const named = new Set([...report.passing, ...report.failing, ...report.findings.flatMap((f) => f.nodes)]);
  const ids = Object.fromEntries([...named].filter((n) => nodeIds.has(n)).map((n) => [n, nodeIds.get(n)!]));
  const json: LintPolygraphyJson = { polygraphy, findings: report.findings, passing: report.passing, failing: report.failing, nodeIds: ids, exitCode: report.exitCode };
  out(v.json ? JSON.stringify(json, null, 2) : report.findings.map((f) => `${f.level} ${f.source}${f.nodes.length ? ` [${f.nodes.join(', ')}]` : ''}: ${f.message}`).join('\n') || 'no findings');
  return report.findings.some((f) => ERROR_LEVELS.has(f.level)) ? 1 : 0;
}

/** The first node of each name over every graph (Polygraphy names nodes, the editor uses ids). */
function nodeIdsByName(path: string): Map<string, string> {
  const model = loadModel(path);
  try {
    const ids = new Map<string, string>();
    for (const g of model.graphs()) for (const n of g.nodes) if (n.name && !ids.has(n.name)) ids.set(n.name, n.id);
    return ids;
  } finally {
    model.close();
  }
}
