// When the language server analyses a document: a pause in typing (not every keystroke) starts
// the analysis of the latest text, a newer edit abandons a scheduled one, and texts over a size
// bound are not analysed at all (a diagnostic says so), so no text can stall typing.
import type { DocumentAnalysis } from './analysis';

/** Quiet time after the last edit before the diagnostics are recomputed. */
export const ANALYSIS_DELAY_MS = 250;
/** Larger texts are not analysed: parse, inference and checks take seconds beyond this. */
export const MAX_ANALYZED_CHARS = 1_000_000;

export interface ScheduledDocument {
  uri: string;
  version: number;
  getText(): string;
}

export type Analyzed = { kind: 'analysis'; analysis: DocumentAnalysis } | { kind: 'too-large'; chars: number };

interface Entry {
  version: number;
  result: Analyzed;
}

export class AnalysisSchedule {
  private readonly done = new Map<string, Entry>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(
    private readonly analyze: (doc: ScheduledDocument) => DocumentAnalysis,
    /** Called with each analysis made after an edit (for the diagnostics). */
    private readonly publish: (doc: ScheduledDocument, result: Analyzed) => void,
    private readonly delayMs = ANALYSIS_DELAY_MS,
  ) {}

  /** An edit: (re)starts the quiet period; an analysis scheduled for an older text is dropped. */
  changed(doc: ScheduledDocument): void {
    this.cancel(doc.uri);
    this.timers.set(
      doc.uri,
      setTimeout(() => {
        this.timers.delete(doc.uri);
        this.publish(doc, this.current(doc));
      }, this.delayMs),
    );
  }

  /** The analysis of exactly this text, made now if the last one is stale (hover, definitions, symbols). */
  current(doc: ScheduledDocument): Analyzed {
    const entry = this.done.get(doc.uri);
    if (entry?.version === doc.version) return entry.result;
    const text = doc.getText();
    const result: Analyzed = text.length > MAX_ANALYZED_CHARS ? { kind: 'too-large', chars: text.length } : { kind: 'analysis', analysis: this.analyze(doc) };
    this.done.set(doc.uri, { version: doc.version, result });
    return result;
  }

  /** The last analysis even if a few edits old (completion while typing), else a current one. */
  latest(doc: ScheduledDocument): Analyzed {
    return this.done.get(doc.uri)?.result ?? this.current(doc);
  }

  closed(uri: string): void {
    this.cancel(uri);
    this.done.delete(uri);
  }

  private cancel(uri: string): void {
    clearTimeout(this.timers.get(uri));
    this.timers.delete(uri);
  }
}

export function tooLargeMessage(chars: number): string {
  return `This text has ${chars.toLocaleString('en-US')} characters, more than the ${MAX_ANALYZED_CHARS.toLocaleString('en-US')} the language server analyses: no diagnostics, hover or completion. \`onnx-studio compile\` and \`check\` work on texts of any size.`;
}
