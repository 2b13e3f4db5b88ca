// One mapping for the commands that run external tools: a program that cannot be run, an output
// that cannot be written (and what a caller adds, e.g. a tool that gave no report) is exit 2.
import { WriteTargetError } from '../onnx/errors';
import { ToolUnavailableError } from '../toolchains/tool-path';
import { CliError, EXIT_UNREADABLE } from './load';

type ErrorClass = abstract new (...args: never[]) => Error;

/** Runs `work` (sync or async) and turns those errors into a one-line exit 2. */
export function exitUnusable<T>(work: () => T, also: readonly ErrorClass[] = []): T {
  const mapped = (e: unknown): never => {
    if (e instanceof ToolUnavailableError || e instanceof WriteTargetError || also.some((c) => e instanceof c)) throw new CliError((e as Error).message, EXIT_UNREADABLE);
    throw e;
  };
  try {
    const r = work();
    return r instanceof Promise ? (r.catch(mapped) as T) : r;
  } catch (e) {
    return mapped(e);
  }
}
