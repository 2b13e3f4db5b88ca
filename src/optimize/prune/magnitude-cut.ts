/**
 * Exact k-smallest selection by |w| in O(n), for unstructured pruning: a radix select over the
 * float32 bit patterns (for |w| ≥ 0 the IEEE bits order as the values do), two histogram
 * passes of 16 bits each, no sort and no boxed numbers. The tie rule makes the count exact:
 * every element whose magnitude is below the cut is zeroed, then the first `ties` elements
 * (in flat index order, over the tensors in the order given) whose magnitude equals it.
 * Existing zeros have the smallest magnitude, so they are the first selected; NaN's bits are
 * above +∞, so NaN ranks largest and is kept.
 */

/** Zero every element with magnitude key below `key`, and the first `ties` equal to it. */
export interface MagnitudeCut {
  key: number;
  ties: number;
}

const BINS = 1 << 16;
const ABS = 0x7fffffff;

const bitsOf = (v: Float32Array): Uint32Array => new Uint32Array(v.buffer, v.byteOffset, v.length);

/**
 * The cut that selects the `k` smallest magnitudes over the tensors `read()` yields (called
 * twice, yielding the same values in the same order each time: one tensor at a time need be
 * held). k ≤ 0 selects nothing.
 */
export function magnitudeCut(read: () => Iterable<Float32Array>, k: number): MagnitudeCut {
  if (k <= 0) return { key: 0, ties: 0 };
  const high = new Float64Array(BINS);
  for (const v of read()) {
    const bits = bitsOf(v);
    for (let i = 0; i < bits.length; i++) high[(bits[i]! & ABS) >>> 16]!++;
  }
  let below = 0;
  let h = 0;
  while (h < BINS - 1 && below + high[h]! < k) below += high[h++]!;
  const low = new Float64Array(BINS);
  for (const v of read()) {
    const bits = bitsOf(v);
    for (let i = 0; i < bits.length; i++) {
      const key = bits[i]! & ABS;
      if (key >>> 16 === h) low[key & 0xffff]!++;
    }
  }
  let l = 0;
  while (l < BINS - 1 && below + low[l]! < k) below += low[l++]!;
  return { key: ((h << 16) | l) >>> 0, ties: Math.min(k - below, low[l]!) };
}

/**
 * Zeroes what `cut` selects in `values` (in place), taking at most `ties` ties here. Returns
 * the ties taken (a global cut hands the rest to the next tensor) and the zeros left in the
 * tensor (existing zeros not selected count too).
 */
export function applyCut(values: Float32Array, cut: MagnitudeCut): { ties: number; zeros: number } {
  const bits = bitsOf(values);
  let ties = cut.ties;
  let zeros = 0;
  for (let i = 0; i < bits.length; i++) {
    const key = bits[i]! & ABS;
    if (key < cut.key || (key === cut.key && ties > 0 && ties-- > 0)) values[i] = 0;
    if (values[i] === 0) zeros++;
  }
  return { ties: cut.ties - ties, zeros };
}
