/** A file that is not a valid ONNX model, with the byte offset where reading failed. */
export class OnnxFormatError extends Error {
  override name = 'OnnxFormatError';
  constructor(
    message: string,
    readonly offset: number,
    options?: { cause?: unknown },
  ) {
    super(`${message} (at byte ${offset})`, options);
  }
}

/** A problem with one file, named by its path. */
export class FileError extends Error {
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A request the model's files cannot satisfy: a missing file, or an external-data path refused for safety. */
export class ModelFileError extends FileError {
  override name = 'ModelFileError';
}

/** A data file (an input sample, an image) or a data folder that cannot be used; the message starts with its path. The CLI exits 2. */
export class DataFileError extends FileError {
  override name = 'DataFileError';
}

/** Why a file cannot be written; a CLI maps it to exit code 2, the extension to a message. */
export class WriteTargetError extends FileError {
  override name = 'WriteTargetError';
}

/** A tensor too large for what was asked of it (printing inline, say): the file is fine, the request is not. */
export class TooLargeToPrint extends Error {
  override name = 'TooLargeToPrint';
}
