import type { GraphEdit, WeightSource } from '../../onnx/edit/graph-edit';
import type { ModelFiles } from '../../onnx/io/model-files';
import { Tensor } from '../../onnx/tensor';

const FLOAT = 1;

/** The float32 weight behind `name` (initializer or Constant, through Identity nodes), or undefined. */
export function floatWeight(g: GraphEdit, name: string | undefined): WeightSource | undefined {
  if (!name) return undefined;
  const w = g.weight(name);
  return w && (w.tensor.data_type ?? 0) === FLOAT ? w : undefined;
}

/** Every value of a float32 tensor (the caller holds one weight at a time). */
export function readFloats(source: WeightSource, files: ModelFiles | undefined): Float32Array {
  const t = new Tensor(source.tensor, files);
  return t.read(t.elementCount).values as Float32Array;
}

/** The weight's dims as numbers. */
export function weightDims(source: WeightSource): number[] {
  return new Tensor(source.tensor).dims;
}

/**
 * Removes what defined `name` once nothing reads it: Identity nodes on the way to the weight,
 * then the initializer or Constant, in this graph and in the enclosing ones it came from.
 */
export function dropWeightIfUnread(g: GraphEdit, name: string): void {
  for (const scope of g.scopes()) {
    let last = name;
    for (let p = scope.producer(last), steps = 0; p && p.op_type === 'Identity' && !p.domain && p.input[0] && steps < 1_000_000; p = scope.producer(last), steps++) last = p.input[0];
    scope.dropIfUnread(name);
    if (scope.initializer(last) || scope.producer(last) || scope.proto.input.some((i) => i.name === last)) return;
    name = last;
  }
}
