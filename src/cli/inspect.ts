import { summarizeModel, type ModelSummary, type ValueSummary } from '../analysis/summary';
import { dimToString } from '../onnx/model/value-type';
import { parseArgs } from './args';
import { loadModel } from './load';

export const inspectUsage = 'onnx-studio inspect MODEL [--json]   summary of a model: opsets, inputs, outputs, operators, weights';

export function runInspect(argv: string[], out: (s: string) => void): number {
  const args = parseArgs(argv, { json: { type: 'boolean' } }, inspectUsage);
  const model = loadModel(args.positionals[0]!);
  try {
    const summary = summarizeModel(model);
    out(args.values.json ? JSON.stringify(summary, null, 2) : formatSummary(args.positionals[0]!, summary));
    return 0;
  } finally {
    model.close();
  }
}

const fmtValue = (v: ValueSummary): string => `  ${v.name}: ${v.dtype}${v.shape ? `[${v.shape.map(dimToString).join(', ')}]` : ''}`;

function formatSummary(path: string, s: ModelSummary): string {
  const opsets = Object.entries(s.opsetImports).map(([d, v]) => `${d || 'ai.onnx'} ${v}`).join(', ');
  const lines = [
    path,
    `  IR version ${s.irVersion}, opsets: ${opsets || '(none)'}`,
    `  producer: ${[s.producerName, s.producerVersion].filter(Boolean).join(' ') || '(none)'}`,
    `  nodes: ${s.nodeCount} in the main graph, ${s.totalNodeCount} in all ${s.subgraphCount + 1} graphs; ${s.functionCount} functions`,
    `  weights: ${s.parameterCount.toLocaleString('en-US')} parameters, ${formatBytes(s.weightBytes)} (${s.initializerCount} initializers in the main graph)`,
  ];
  if (s.externalDataFiles.length) lines.push(`  external data: ${s.externalDataFiles.join(', ')}`);
  lines.push('inputs:', ...s.inputs.map(fmtValue), 'outputs:', ...s.outputs.map(fmtValue), 'operators:');
  lines.push(...Object.entries(s.opTypes).map(([op, n]) => `  ${String(n).padStart(6)}  ${op}`));
  const meta = Object.entries(s.metadataProps);
  if (meta.length) lines.push('metadata:', ...meta.map(([k, v]) => `  ${k}: ${v}`));
  return lines.join('\n');
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}
