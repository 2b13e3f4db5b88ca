/**
 * What one check says about one node: nothing (met), `violated` (TensorRT rejects it) or
 * `unknown` (it depends on what the graph does not say: a condition to meet at build time).
 */
export type Verdict = undefined | { kind: 'violated' | 'unknown'; detail: string };

export const violated = (detail: string): Verdict => ({ kind: 'violated', detail });
export const unknown = (detail: string): Verdict => ({ kind: 'unknown', detail });

/** The first verdict that is not "met", else undefined. */
export function firstOf(...verdicts: Verdict[]): Verdict {
  return verdicts.find((v) => v !== undefined);
}
