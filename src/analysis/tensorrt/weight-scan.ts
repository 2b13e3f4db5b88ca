import type { Tensor } from '../../onnx/tensor';

/** How many finite values of a float32 or int64 tensor lie beyond ±limit, and the largest magnitude. */
export interface WeightRange {
  beyond: number;
  maxAbs: number;
}

/** Streams the tensor in bounded chunks; undefined for other dtypes or an unreadable tensor. */
export function scanWeight(t: Tensor, limit: number): WeightRange | undefined {
  if (t.dtype !== 1 && t.dtype !== 7) return undefined;
  let beyond = 0;
  let maxAbs = 0;
  try {
    for (const chunk of t.chunks()) {
      if (chunk instanceof Float32Array) {
        for (const x of chunk) {
          const a = Math.abs(x);
          if (a > limit && a !== Infinity) beyond++;
          if (a > maxAbs && a !== Infinity) maxAbs = a;
        }
      } else if (chunk instanceof BigInt64Array) {
        const big = BigInt(limit);
        for (const x of chunk) {
          const a = x < 0n ? -x : x;
          if (a > big) beyond++;
          if (Number(a) > maxAbs) maxAbs = Number(a);
        }
      }
    }
  } catch {
    return undefined; // malformed or missing external data: the checker reports it
  }
  return { beyond, maxAbs };
}
