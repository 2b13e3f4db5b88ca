import { describeFileProblem } from '../onnx/io/open-errors';
import type { Model } from '../onnx/model/graph';
import { openModel } from '../onnx/open';

/** Exit code for "a file cannot be used" (unreadable, not a model, refused, an unusable output). */
export const EXIT_UNREADABLE = 2;

/** A failure the CLI reports in one line with its own exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/**
 * Runs `work` on a file; a problem with the file (see describeFileProblem) becomes a CliError
 * with exit code 2 and its hint; anything else is left to the caller as an internal error.
 */
export function withFile<T>(path: string, work: () => T): T {
  try {
    return work();
  } catch (e) {
    const problem = describeFileProblem(path, e);
    if (!problem) throw e;
    throw new CliError(problem.hint ? `${problem.message}\n  ${problem.hint}` : problem.message, EXIT_UNREADABLE);
  }
}

/** Opens a model for a subcommand; every problem with the file becomes a one-line message and exit code 2. */
export function loadModel(path: string): Model {
  return withFile(path, () => openModel(path));
}
