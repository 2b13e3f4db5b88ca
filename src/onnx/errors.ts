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

/** A request the model's files cannot satisfy: a missing file, or an external-data path refused for safety. */
export class ModelFileError extends Error {
  override name = 'ModelFileError';
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** A tensor too large for what was asked of it (printing inline, say): the file is fine, the request is not. */
export class TooLargeToPrint extends Error {
  override name = 'TooLargeToPrint';
}
