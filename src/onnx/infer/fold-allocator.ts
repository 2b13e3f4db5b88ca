import { dataType } from '../dtypes';
import { elementCount, guardedArray } from '../guard';
import type { Dim } from '../model/value-type';
import { toNumbers, type NumericValues, type Tensor } from '../tensor';
import { FOLD_BUDGET, FOLD_LIMIT, FOLD_LIMIT_FLOAT, type ConstValue } from './context';

/**
 * Every folded value of one inference run is made here: each within FOLD_LIMIT elements, and
 * all together within FOLD_BUDGET, so that neither one node nor a million of them can make
 * inference allocate in proportion to the numbers a model holds rather than to its size.
 */
export class FoldAllocator {
  private left = FOLD_BUDGET;

  /** A value of `dims` with elements from `make`; undefined, with nothing allocated, past either limit. */
  value(elemType: number, dims: readonly Dim[], make: (i: number) => Dim): ConstValue | undefined {
    const n = elementCount(dims, Math.min(FOLD_LIMIT, this.left));
    const data = n === undefined ? undefined : guardedArray(n, FOLD_LIMIT, make);
    if (!data) return undefined;
    this.left -= data.length;
    return { elemType, dims: dims as number[], data };
  }

  /** The values of a stored tensor, when small (tiny for floats: larger ones are weights), numeric and readable. */
  tensor(t: Tensor): ConstValue | undefined {
    const info = dataType(t.dtype);
    if (!info || info.field === 'string_data' || info.name.startsWith('complex') || t.isExternal) return undefined;
    const n = elementCount(t.dims, Math.min(info.isFloat ? FOLD_LIMIT_FLOAT : FOLD_LIMIT, this.left));
    if (n === undefined) return undefined;
    let values: number[];
    try {
      values = toNumbers(t.read(n).values as NumericValues);
    } catch {
      return undefined; // a payload that does not fit its dims: the checker reports it (E302)
    }
    return this.value(t.dtype, t.dims, (i) => values[i] ?? null);
  }
}
