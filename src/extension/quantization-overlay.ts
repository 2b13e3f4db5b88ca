// The quantization-error overlay (issue 8, point 6): each quantized node's output SNR against
// the float model on the calibration data, from the CLI's JSON report. Pure (no vscode), so
// the unit tests build it from a report the CLI wrote.
import type { TransformReport } from '../optimize/report';
import type { Overlay, OverlayEntry } from '../protocol/overlay';

export const QUANTIZATION_OVERLAY_ID = 'quantization-error';

/**
 * The overlay of a report that measured per-node SNR (accuracy-aware mode), else undefined.
 * Nodes kept in float carry the badge 'float' and why; their value (if measured) is the SNR
 * they had fully quantized. A JSON null (the CLI's Infinity: an exact output) has no value.
 */
export function quantizationErrorOverlay(report: TransformReport): Overlay | undefined {
  if (!report.nodeSnrDb) return undefined;
  const nodes: Record<string, OverlayEntry> = {};
  for (const [id, snr] of Object.entries(report.nodeSnrDb)) {
    nodes[id] = typeof snr === 'number' && Number.isFinite(snr) ? { value: snr } : { label: 'exact' };
  }
  for (const id of report.keptFloat) {
    const why = report.keptFloatWhy?.[id];
    nodes[id] = { ...nodes[id], label: 'float', ...(why ? { detail: why } : {}) };
  }
  return { id: QUANTIZATION_OVERLAY_ID, title: 'Quantization error (output SNR)', kind: 'metric', unit: 'dB', higherIsBetter: true, nodes };
}
