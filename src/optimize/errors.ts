/**
 * A model or request a transform must not go on with (already quantized, nothing to quantize,
 * an operator that cannot be converted, calibration files that do not fit the model). The CLI
 * prints the message and exits 2 without writing; the editor shows it.
 */
export class TransformRefusedError extends Error {
  override name = 'TransformRefusedError';
  constructor(
    message: string,
    /** Node names the refusal is about, when it is about nodes. */
    readonly nodes: string[] = [],
  ) {
    super(message);
  }
}

/** A weight holds NaN or infinite values: no scale represents it (thrown while the model is written, so no file is left). */
export class NonFiniteWeightError extends TransformRefusedError {
  override name = 'NonFiniteWeightError';
}

/** Pruning would make the readers of one weight (tied, or equal tensors the exporter merged) differ: the message names the weight, `nodes` every reader. */
export class TiedWeightsError extends TransformRefusedError {
  override name = 'TiedWeightsError';
}
