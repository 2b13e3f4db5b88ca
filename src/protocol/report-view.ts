// The report view's messages (host ⇄ webview). Types only: both sides import it.
import type { TransformReport } from '../optimize/report';

/** How the CLI run ended, as the view explains it beside the figures. */
export interface ReportOutcome {
  /** 0 done; 1 a target was not met (the model is still written). */
  exitCode: number;
  /** The command line the report came from (shown, for reruns in a terminal). */
  command: string;
}

export type ReportHostMessage = { type: 'report'; report: TransformReport; outcome: ReportOutcome };

/**
 * What the page drew, read back from its DOM: each figure cell's key (e.g.
 * `outputs.0.cosine`, `sizeAfter`) with its exact value (data-value) and its shown text.
 */
export interface RenderedReport {
  cells: Record<string, { value: string; text: string }>;
  /** Elements inside the report body by tag name: what the tests check names did not add. */
  tags: Record<string, number>;
}

export type ReportWebviewMessage = { type: 'ready' } | { type: 'rendered'; rendered: RenderedReport };
