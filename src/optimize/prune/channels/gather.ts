/** One axis cut to the given indices. */
export interface AxisCut {
  axis: number;
  indices: number[];
}

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** The sub-tensor of a row-major tensor that keeps `indices` along each cut axis (in their order). */
export function gatherAxes<T extends Float32Array | BigInt64Array | Int32Array>(values: T, dims: readonly number[], cuts: readonly AxisCut[]): T {
  let current = values;
  const shape = [...dims];
  for (const { axis, indices } of cuts) {
    const outer = product(shape.slice(0, axis));
    const n = shape[axis]!;
    const inner = product(shape.slice(axis + 1));
    const out = new (current.constructor as new (length: number) => T)(outer * indices.length * inner);
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < indices.length; k++) {
        const from = (o * n + indices[k]!) * inner;
        const to = (o * indices.length + k) * inner;
        if (inner === 1) out[to] = current[from]!;
        else out.set(current.subarray(from, from + inner) as never, to);
      }
    }
    current = out;
    shape[axis] = indices.length;
  }
  return current;
}

export function dimsAfter(dims: readonly number[], cuts: readonly AxisCut[]): number[] {
  const out = [...dims];
  for (const c of cuts) out[c.axis] = c.indices.length;
  return out;
}
