import { checkModel } from '../onnx/check/checker';
import type { Diagnostic } from '../onnx/check/diagnostics';
import { parseArgs } from './args';
import { loadModel } from './load';
import { printable } from './printable';

export const checkUsage = 'onnx-studio check MODEL [--json]     validate a model: exit 0 no errors, 1 errors, 2 unreadable';

export function runCheck(argv: string[], out: (s: string) => void): number {
  const args = parseArgs(argv, { json: { type: 'boolean' } }, checkUsage);
  const path = args.positionals[0]!;
  const model = loadModel(path);
  let diagnostics: Diagnostic[];
  try {
    diagnostics = checkModel(model);
  } finally {
    model.close();
  }
  const errors = diagnostics.filter((d) => d.severity === 'error').length;
  const warnings = diagnostics.filter((d) => d.severity === 'warning').length;
  if (args.values.json) out(JSON.stringify({ file: path, errors, warnings, diagnostics }, null, 2));
  else {
    for (const d of diagnostics) out(formatDiagnostic(d));
    out(printable(`${path}: ${errors} errors, ${warnings} warnings`));
  }
  return errors > 0 ? 1 : 0;
}

/** One finding as `onnx-studio check` prints it, on one line (names from the model escaped). */
export function formatDiagnostic(d: Diagnostic): string {
  return printable(`${d.severity} ${d.code} ${d.rule}: ${d.message}${d.nodeId ? ` [node ${d.nodeId}]` : ''}`);
}
