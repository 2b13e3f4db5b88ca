import { FileError } from '../onnx/errors';

/**
 * A profile file that cannot be read as the profile it claims to be (truncated JSON, a CSV of
 * another report, a SQLite file without the tables nsys writes): the message names the file
 * and what was expected. The CLI exits 2.
 */
export class ProfileFormatError extends FileError {
  override name = 'ProfileFormatError';
}
