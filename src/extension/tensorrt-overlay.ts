// The TensorRT compatibility overlay and Problems-panel findings (issue 9, point 3), built from
// `onnx-studio trt-check --json`, so the editor shows exactly what the CLI prints. Pure (no
// vscode): the unit tests build both from the CLI's JSON.
import type { TrtCheckResult, TrtNodeResult } from '../analysis/tensorrt/compat';
import type { Overlay, OverlayEntry } from '../protocol/overlay';
import { parseJson } from './cli-message';

export const TENSORRT_OVERLAY_ID = 'tensorrt-compatibility';

export interface TrtFinding {
  nodeId: string;
  severity: 'error' | 'warning';
  message: string;
}

const BADGES: Record<TrtNodeResult['status'], string | undefined> = { supported: undefined, conditional: 'TRT ?', unsupported: 'TRT ✗' };

/** Every node coloured by its status; conditional and unsupported ones carry a badge and their reasons. */
export function tensorrtOverlay(check: TrtCheckResult): Overlay {
  const nodes: Record<string, OverlayEntry> = {};
  for (const n of check.nodes) {
    const badge = BADGES[n.status];
    nodes[n.id] = { status: n.status, ...(badge ? { label: badge } : {}), ...(n.reasons.length ? { detail: n.reasons.join('; ') } : {}) };
  }
  return { id: TENSORRT_OVERLAY_ID, title: `TensorRT ${check.tensorrtVersion} compatibility`, kind: 'status', nodes };
}

/** One finding per node TensorRT may not take: unsupported as errors, conditional as warnings. */
export function tensorrtFindings(check: TrtCheckResult): TrtFinding[] {
  const out: TrtFinding[] = [];
  for (const n of check.nodes) {
    if (n.status === 'supported') continue;
    const who = `${n.domain ? `${n.domain}.` : ''}${n.op} '${n.name || n.id}'`;
    out.push({ nodeId: n.id, severity: n.status === 'unsupported' ? 'error' : 'warning', message: `TensorRT ${check.tensorrtVersion}: ${who} is ${n.status}: ${n.reasons.join('; ') || 'no reason given'}` });
  }
  return out;
}

/** One line for a notification: how much of the model TensorRT takes. */
export function tensorrtSummaryLine(check: TrtCheckResult): string {
  const s = check.summary;
  const share = `${(s.supportedParameterShare * 100).toFixed(1)} % of parameters`;
  return `TensorRT ${check.tensorrtVersion}: ${s.supported} of ${s.nodes} nodes supported, ${s.conditional} conditional, ${s.unsupported} unsupported (${share} in supported nodes)`;
}

/** The CLI's JSON, or undefined when stdout is not a trt-check document. */
export function parseTrtCheck(stdout: string): TrtCheckResult | undefined {
  return parseJson<TrtCheckResult>(stdout, (j) => typeof j?.tensorrtVersion === 'string' && Array.isArray(j.nodes) && !!j.summary);
}
