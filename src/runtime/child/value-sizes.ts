import { dataType } from '../../onnx/dtypes';
import { inferModel } from '../../onnx/infer/infer';
import type { ModelFiles } from '../../onnx/io/model-files';
import { buildModel } from '../../onnx/model/build';
import type { Value } from '../../onnx/model/graph';
import type { ModelProto } from '../../onnx/proto/types';
import type { Feeds } from '../types';

/**
 * Bytes of each value of the model for one sample of these feeds, where shape inference knows
 * the shape (symbolic dims resolve from the feeds' shapes); undefined where it does not.
 */
export function valueSizes(proto: ModelProto, files: ModelFiles, feeds: Feeds): (name: string) => number | undefined {
  const model = buildModel(proto, files);
  const shapes = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.dims]));
  const types = inferModel(model, { inputShapes: shapes });
  const byName = new Map<string, Value>();
  for (const g of model.graphs()) for (const v of g.values.values()) if (v.producer && v.producer.graph === g) byName.set(v.name, v);
  return (name) => {
    const v = byName.get(name);
    const t = v && types.typeOf(v);
    if (!t || t.kind !== 'tensor' || !t.shape || !t.shape.every((d) => typeof d === 'number')) return undefined;
    const bits = dataType(t.elemType)?.bits ?? 0;
    return ((t.shape as number[]).reduce((a, b) => a * b, 1) * bits) / 8;
  };
}

/** Element type and element count (undefined where the shape is unknown) of each value for one sample of these feeds. */
export function valueTypes(proto: ModelProto, files: ModelFiles, feeds: Feeds): (name: string) => { elemType: number; elements?: number } | undefined {
  const model = buildModel(proto, files);
  const shapes = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.dims]));
  const types = inferModel(model, { inputShapes: shapes });
  return (name) => {
    const v = model.graph.values.get(name);
    const t = v?.producer && types.typeOf(v);
    if (!t || t.kind !== 'tensor') return undefined;
    const known = t.shape?.every((d) => typeof d === 'number');
    return { elemType: t.elemType, elements: known ? (t.shape as number[]).reduce((a, b) => a * b, 1) : undefined };
  };
}
