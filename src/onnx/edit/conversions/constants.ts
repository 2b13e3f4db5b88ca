import type { NumericValues } from '../../tensor';
import { numberToFloat16 } from '../../float-formats';

const FLOAT = 1;
const FLOAT16 = 10;
const DOUBLE = 11;

/** The values of a new float, float16 or double constant; undefined for other element types. */
export function floatValues(dataType: number, values: readonly number[]): NumericValues | undefined {
  if (dataType === FLOAT) return Float32Array.from(values);
  if (dataType === DOUBLE) return Float64Array.from(values);
  if (dataType === FLOAT16) return Uint16Array.from(values, numberToFloat16);
  return undefined;
}
