// The TensorRT compatibility overlay and Problems-panel findings (issue 9, point 3), built from
// `onnx-studio trt-check --json`, so the editor shows exactly what the CLI prints. Pure (no
// vscode): the unit tests build both from the CLI's JSON.
import type { Overlay, OverlayEntry } from '../protocol/overlay';

export const TENSORRT_OVERLAY_ID = 'tensorrt-compatibility';

export type TrtStatus = 'supported' | 'conditional' | 'unsupported';

/** The parts of `trt-check --json` the editor reads (the CLI's documented shape). */
export interface TrtCheckJson {
  tensorrtVersion: string;
  summary: { nodes: number; supported: number; conditional: number; unsupported: number; supportedParameterShare: number };
  nodes: { id: string; name: string; op: string; domain: string; status: TrtStatus; reasons: string[] }[];
}

export interface TrtFinding {
  nodeId: string;
  severity: 'error' | 'warning';
  message: string;
}

const BADGES: Record<TrtStatus, string | undefined> = { supported: undefined, conditional: 'TRT ?', unsupported: 'TRT ✗' };

/** Every node coloured by its status; conditional and unsupported ones carry a badge and their reasons. */
export function tensorrtOverlay(check: TrtCheckJson): Overlay {
  const nodes: Record<string, OverlayEntry> = {};
  for (const n of check.nodes) {
    const badge = BADGES[n.status];
    nodes[n.id] = { status: n.status, ...(badge ? { label: badge } : {}), ...(n.reasons.length ? { detail: n.reasons.join('; ') } : {}) };
  }
  return { id: TENSORRT_OVERLAY_ID, title: `TensorRT ${check.tensorrtVersion} compatibility`, kind: 'status', nodes };
}

/** One finding per node TensorRT may not take: unsupported as errors, conditional as warnings. */
export function tensorrtFindings(check: TrtCheckJson): TrtFinding[] {
  const out: TrtFinding[] = [];
  for (const n of check.nodes) {
    if (n.status === 'supported') continue;
    const who = `${n.domain ? `${n.domain}.` : ''}${n.op} '${n.name || n.id}'`;
    out.push({ nodeId: n.id, severity: n.status === 'unsupported' ? 'error' : 'warning', message: `TensorRT ${check.tensorrtVersion}: ${who} is ${n.status}: ${n.reasons.join('; ') || 'no reason given'}` });
  }
  return out;
}

/** One line for a notification: how much of the model TensorRT takes. */
export function tensorrtSummaryLine(check: TrtCheckJson): string {
  const s = check.summary;
  const share = `${(s.supportedParameterShare * 100).toFixed(1)} % of parameters`;
  return `TensorRT ${check.tensorrtVersion}: ${s.supported} of ${s.nodes} nodes supported, ${s.conditional} conditional, ${s.unsupported} unsupported (${share} in supported nodes)`;
}

/** The CLI's JSON, or undefined when stdout is not a trt-check document. */
export function parseTrtCheck(stdout: string): TrtCheckJson | undefined {
  try {
    const j = JSON.parse(stdout) as TrtCheckJson;
    return j && typeof j.tensorrtVersion === 'string' && Array.isArray(j.nodes) && j.summary ? j : undefined;
  } catch {
    return undefined;
  }
}
