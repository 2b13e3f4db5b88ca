/**
 * Errors of the runtime layer, all crossing from the child process as plain data: a caller
 * shows `message` (ORT's own words for OrtError) and never a stack trace.
 */

/** onnxruntime refused the model or failed a run; `message` is ORT's message. */
export class OrtError extends Error {
  override name = 'OrtError';
}

/** The runtime child process exited or was killed while a request was open, or before start. */
export class RuntimeCrashError extends Error {
  override name = 'RuntimeCrashError';
  constructor(
    message: string,
    readonly exitCode: number | null,
    readonly signal: string | null,
  ) {
    super(message);
  }
}

/** A request the model cannot satisfy: a missing input, an unknown value name, a dtype ORT has no tensor for. */
export class RuntimeRequestError extends Error {
  override name = 'RuntimeRequestError';
}

/** How errors travel over IPC. */
export interface WireError {
  kind: 'ort' | 'request' | 'internal';
  message: string;
}

export function toWire(e: unknown): WireError {
  if (e instanceof RuntimeRequestError) return { kind: 'request', message: e.message };
  if (e instanceof OrtError) return { kind: 'ort', message: e.message };
  return { kind: 'internal', message: e instanceof Error ? e.message : String(e) };
}

export function fromWire(w: WireError): Error {
  if (w.kind === 'ort') return new OrtError(w.message);
  if (w.kind === 'request') return new RuntimeRequestError(w.message);
  const e = new Error(w.message);
  e.name = 'RuntimeInternalError';
  return e;
}
