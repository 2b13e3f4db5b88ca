/**
 * The one check for allocations whose size a model's values decide (dims, attribute values,
 * folded tensor values, index counts): sizes are checked exactly, before anything is
 * allocated, so a 60-byte model cannot ask for gigabytes.
 */

/**
 * Elements in a tensor of these dims, counted exactly; undefined when a dim is not a
 * non-negative integer or the count passes `limit`. A zero dim makes 0 whatever the others
 * are, and the product stops at the limit, so dims near 2^62 never overflow into a wrong count.
 */
export function elementCount(dims: readonly unknown[], limit: number): number | undefined {
  let zero = false;
  for (const d of dims) {
    if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) return undefined;
    if (d === 0) zero = true;
  }
  if (zero) return 0;
  let n = 1;
  for (const d of dims as number[]) {
    n *= d;
    if (n > limit) return undefined;
  }
  return n;
}

/** Whether `n` is a count an array may be made of: an integer in [0, limit]. */
const isCountWithin = (n: unknown, limit: number): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= limit;

/** An array of `count` elements made by `make`, or undefined, unallocated, when the count is not in [0, limit]. */
export function guardedArray<T>(count: unknown, limit: number, make: (i: number) => T): T[] | undefined {
  if (!isCountWithin(count, limit)) return undefined;
  const out = new Array<T>(count);
  for (let i = 0; i < count; i++) out[i] = make(i);
  return out;
}
