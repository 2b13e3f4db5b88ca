import { checkTensorRT, type TrtCheckResult } from '../analysis/tensorrt/compat';
import { parseTensorRTVersion } from '../analysis/tensorrt/versions';
import { parseArgs, UsageError } from './args';
import { loadModel } from './load';

export const trtCheckUsage =
  'onnx-studio trt-check MODEL [--trt 8.6|10|11] [--plugins OPS] [--json]   TensorRT compatibility per node without TensorRT: exit 0 none unsupported, 1 some, 2 unreadable';

/** Nodes listed in text mode at most; --json lists all. */
const LISTED = 200;

export function runTrtCheck(argv: string[], out: (s: string) => void): number {
  const args = parseArgs(argv, { trt: { type: 'string' }, plugins: { type: 'string' }, json: { type: 'boolean' } }, trtCheckUsage);
  const version = args.values.trt === undefined ? undefined : parseTensorRTVersion(args.values.trt);
  if (args.values.trt !== undefined && !version) throw new UsageError(`--trt: '${args.values.trt}' is not 8.6, 10 (10.1) or 11 (11.1)\nusage: ${trtCheckUsage}`);
  const plugins = args.values.plugins?.split(',').map((s) => s.trim()).filter(Boolean);
  const path = args.positionals[0]!;
  const model = loadModel(path);
  let result: TrtCheckResult;
  try {
    result = checkTensorRT(model, { version, plugins });
  } finally {
    model.close();
  }
  out(args.values.json ? JSON.stringify(result) : formatText(path, result));
  return result.summary.unsupported > 0 ? 1 : 0;
}

function formatText(path: string, r: TrtCheckResult): string {
  const s = r.summary;
  const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
  const range = s.opset.tensorrt.find((t) => t.version === r.tensorrtVersion)!;
  const lines = [
    `${path}: TensorRT ${r.tensorrtVersion} (opset ${range.opsetMin ?? '…'}–${range.opsetMax}; the model's is ${s.opset.model[''] ?? 'none'})`,
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
  for (const f of s.preflight) lines.push(`preflight ${f.severity === 'info' ? 'note' : f.severity} ${f.code}: ${f.message}\n    → ${f.advice}`);
  for (const note of s.opset.notes) {
    if (note.deprecated) lines.push(`opset: ${note.op}-${note.since} is deprecated at opset ${note.opset}`);
    else if (note.deprecatedSince !== null) lines.push(`opset: ${note.op}-${note.since} is deprecated from opset ${note.deprecatedSince} on`);
  }
  return lines.join('\n');
}
