import type { ModelFiles } from '../../onnx/io/model-files';
import type { Node } from '../../onnx/model/graph';
import { Tensor } from '../../onnx/tensor';
import { countFloat16Changes } from './float16-tensor';
import type { FloatDef } from './plan';
import { countFloat16Range, type Float16Counts, type Float16Range } from './to-float16';

/** A Constant node's float32 value: its `value` tensor, or the values of `value_float(s)`. */
export function constantValue(node: Node, files: ModelFiles | undefined): { tensor: Tensor } | { values: Float32Array; dims: number[] } {
  const a = node.proto.attribute.find((x) => x.name === 'value' || x.name === 'value_float' || x.name === 'value_floats')!;
  if (a.name === 'value') return { tensor: new Tensor(a.t!, files) };
  if (a.name === 'value_float') return { values: Float32Array.of(a.f ?? 0), dims: [] };
  return { values: Float32Array.from(a.floats), dims: [a.floats.length] };
}

/** What converting a constant's values would clamp, raise or flush (one streaming read). */
export function constantCounts(d: FloatDef, files: ModelFiles | undefined, range: Float16Range): Float16Counts {
  if (d.kind === 'initializer') return countFloat16Changes(d.value.initializer!, range);
  const v = constantValue(d.node!, files);
  if ('tensor' in v) return countFloat16Changes(v.tensor, range);
  return countFloat16Range(v.values, range);
}
