import { checkTensorRT, type TrtCheckResult } from '../analysis/tensorrt/compat';
import { modelRefusals } from '../analysis/tensorrt/model-refusals';
import { opsetRangeText, parseTensorRTVersion } from '../analysis/tensorrt/versions';
import type { Diagnostic } from '../onnx/check/diagnostics';
import { inferModel } from '../onnx/infer/infer';
import { parseArgs, UsageError } from './args';
import { formatDiagnostic } from './check';
import { CliError, EXIT_UNREADABLE, loadModel } from './load';
import { printable } from './printable';

export const trtCheckUsage =
  'onnx-studio trt-check MODEL [--trt 8.6|10|11] [--plugins OPS] [--json]   TensorRT compatibility per node without TensorRT: exit 0 none unsupported, 1 some, 2 unreadable or refused whole (checker errors)';

/** Nodes listed in text mode at most; --json lists all. */
const LISTED = 200;
/** Checker errors named when the model is refused whole. */
const REFUSALS_SHOWN = 5;

export function runTrtCheck(argv: string[], out: (s: string) => void): number {
  const args = parseArgs(argv, { trt: { type: 'string' }, plugins: { type: 'string' }, json: { type: 'boolean' } }, trtCheckUsage);
  const version = args.values.trt === undefined ? undefined : parseTensorRTVersion(args.values.trt);
  if (args.values.trt !== undefined && !version) throw new UsageError(`--trt: '${args.values.trt}' is not 8.6, 10 (10.1) or 11 (11.1)\nusage: ${trtCheckUsage}`);
  const plugins = args.values.plugins?.split(',').map((s) => s.trim()).filter(Boolean);
  const path = args.positionals[0]!;
  const model = loadModel(path);
  let result: TrtCheckResult;
  try {
    const inference = inferModel(model);
    // A model the parser refuses whole has no per-node answer: exit 2 with the checker's words.
    const refusals = modelRefusals(model, inference);
    if (refusals.length) throw new CliError(refusalMessage(path, refusals), EXIT_UNREADABLE);
    result = checkTensorRT(model, { version, plugins, inference });
  } finally {
    model.close();
  }
  out(args.values.json ? JSON.stringify(result) : formatText(path, result));
  return result.summary.unsupported > 0 ? 1 : 0;
}

function refusalMessage(path: string, refusals: Diagnostic[]): string {
  const lines = [`${printable(path)}: TensorRT's ONNX parser would refuse the whole model (onnx-studio check finds ${refusals.length} error(s) that stop it):`];
  for (const d of refusals.slice(0, REFUSALS_SHOWN)) lines.push(`  ${formatDiagnostic(d)}`);
  if (refusals.length > REFUSALS_SHOWN) lines.push(`  … and ${refusals.length - REFUSALS_SHOWN} more (onnx-studio check lists them)`);
  return lines.join('\n');
}

/** One line per array element; every line escaped, since names, domains and reasons come from the model. */
function formatText(path: string, r: TrtCheckResult): string {
  const s = r.summary;
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const range = s.opset.tensorrt.find((t) => t.version === r.tensorrtVersion)!;
  const lines = [
    `${path}: TensorRT ${r.tensorrtVersion} (opset ${opsetRangeText(range)}; the model's is ${s.opset.model[''] ?? 'none'}${range.accepts ? '' : ', outside it'})`,
    `  nodes: ${s.nodes}: ${s.supported} supported, ${s.conditional} conditional, ${s.unsupported} unsupported (${pct(s.supportedNodeShare)} taken${s.supportedNodeShare < (s.nodes - s.unsupported) / s.nodes ? '; nodes inside a rejected If/Loop/Scan are not' : ''})`,
    `  parameters taken: ${pct(s.supportedParameterShare)} of ${s.parameters.total.toLocaleString('en-US')}`,
    `  supported subgraphs: ${s.islands.length}`,
  ];
  for (const u of s.unsupportedOps) lines.push(`  unsupported ${u.op} ×${u.count}: ${u.reason}`);
  const listed = r.nodes.filter((n) => n.status !== 'supported');
  for (const n of listed.slice(0, LISTED)) {
    lines.push(`${n.status} ${n.id} (${n.domain ? `${n.domain}::` : ''}${n.op})`);
    for (const reason of n.reasons) lines.push(`    ${reason}`);
  }
  if (listed.length > LISTED) lines.push(`… and ${listed.length - LISTED} more (--json lists every node)`);
  for (const f of s.preflight) lines.push(`preflight ${f.severity === 'info' ? 'note' : f.severity} ${f.code}: ${f.message}`, `    → ${f.advice}`);
  for (const note of s.opset.notes) {
    if (note.deprecated) lines.push(`opset: ${note.op}-${note.since} is deprecated at opset ${note.opset}`);
    else if (note.deprecatedSince !== null) lines.push(`opset: ${note.op}-${note.since} is deprecated from opset ${note.deprecatedSince} on`);
  }
  return lines.map(printable).join('\n');
}
