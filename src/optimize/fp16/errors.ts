import { TransformRefusedError } from '../errors';

/** A model FP16 conversion must refuse: nothing float32 is left to convert (already float16, or no weights). The CLI exits 2 and writes nothing. */
export class NothingToConvertError extends TransformRefusedError {
  override name = 'NothingToConvertError';
}
