// What a transform report paints on graphs: the quantization error on the new model, the pruning
// sensitivity on both models (its node ids are the input's; pruning keeps node names). Shared by
// the transform commands and "Show Transform Report".
import * as vscode from 'vscode';
import type { TransformReport } from '../optimize/report';
import type { Overlay } from '../protocol/overlay';
import type { GraphEditorProvider } from './graph-editor';
import { pruneSensitivityOverlay, PRUNE_SENSITIVITY_OVERLAY_ID } from './prune-overlay';
import { QUANTIZATION_OVERLAY_ID, quantizationErrorOverlay } from './quantization-overlay';

export type OverlayTarget = Pick<GraphEditorProvider, 'setOverlay' | 'clearOverlay'>;

/**
 * Sets each overlay the report carries. With `clearStale` (a fresh run), an overlay the report
 * does not carry is cleared from the new model: it would describe an earlier run's file there.
 */
export function paintReportOverlays(target: OverlayTarget, report: TransformReport, clearStale: boolean): void {
  const kinds: { id: string; overlay: Overlay | undefined; models: unknown[] }[] = [
    { id: QUANTIZATION_OVERLAY_ID, overlay: quantizationErrorOverlay(report), models: [report.output] },
    { id: PRUNE_SENSITIVITY_OVERLAY_ID, overlay: pruneSensitivityOverlay(report), models: [report.output, report.input] },
  ];
  for (const { id, overlay, models } of kinds) {
    if (overlay) for (const model of models) if (typeof model === 'string' && model) target.setOverlay(vscode.Uri.file(model), overlay);
    if (!overlay && clearStale) target.clearOverlay(vscode.Uri.file(report.output), id);
  }
}
