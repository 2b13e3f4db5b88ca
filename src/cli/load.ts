import { ModelFileError, OnnxFormatError } from '../onnx/errors';
import type { Model } from '../onnx/model/graph';
import { openModel } from '../onnx/open';

/** Exit code for "the file could not be read as a model". */
export const EXIT_UNREADABLE = 2;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** Opens a model for a subcommand; every failure becomes a one-line message and exit code 2. */
export function loadModel(path: string): Model {
  try {
    return openModel(path);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') throw new CliError(`${path}: no such file`, EXIT_UNREADABLE);
    if (err.code === 'EISDIR') throw new CliError(`${path}: is a directory, not a model file`, EXIT_UNREADABLE);
    if (err.code === 'EACCES') throw new CliError(`${path}: permission denied`, EXIT_UNREADABLE);
    if (e instanceof OnnxFormatError) throw new CliError(`${path}: not a valid ONNX model: ${e.message}`, EXIT_UNREADABLE);
    if (e instanceof ModelFileError) throw new CliError(`${path}: ${e.message}`, EXIT_UNREADABLE);
    throw new CliError(`${path}: cannot read: ${err.message}`, EXIT_UNREADABLE);
  }
}
