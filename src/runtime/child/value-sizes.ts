import { dataType } from '../../onnx/dtypes';
import { inferModel } from '../../onnx/infer/infer';
import type { ModelFiles } from '../../onnx/io/model-files';
import { buildModel } from '../../onnx/model/build';
import type { Value } from '../../onnx/model/graph';
import type { ModelProto } from '../../onnx/proto/types';
import type { Feeds } from '../types';

/** A value's element type and count for one sample's feeds (`elements` undefined where the shape is unknown). */
export interface ValueType {
  elemType: number;
  elements?: number;
  /** Produced in the main graph, not inside an If/Loop/Scan body. */
  inMainGraph: boolean;
}

/**
 * The type of each value the model's nodes produce, in every graph, for one sample of these
 * feeds: shape inference resolves symbolic dims from the feeds' shapes. Undefined for graph
 * inputs, initializers, and values inference cannot type.
 */
export function valueTypes(proto: ModelProto, files: ModelFiles, feeds: Feeds): (name: string) => ValueType | undefined {
  const model = buildModel(proto, files);
  const shapes = Object.fromEntries(Object.entries(feeds).map(([k, t]) => [k, t.dims]));
  const types = inferModel(model, { inputShapes: shapes });
  const byName = new Map<string, Value>();
  for (const g of model.graphs()) for (const v of g.values.values()) if (v.producer && v.producer.graph === g) byName.set(v.name, v);
  return (name) => {
    const v = byName.get(name);
    const t = v && types.typeOf(v);
    if (!t || t.kind !== 'tensor') return undefined;
    const known = t.shape?.every((d) => typeof d === 'number');
    return { elemType: t.elemType, elements: known ? (t.shape as number[]).reduce((a, b) => a * b, 1) : undefined, inMainGraph: v.producer!.graph === model.graph };
  };
}

/** Bytes of each value for one sample of these feeds, where shape inference knows the shape; undefined where it does not. */
export function valueSizes(proto: ModelProto, files: ModelFiles, feeds: Feeds, typeOf = valueTypes(proto, files, feeds)): (name: string) => number | undefined {
  return (name) => {
    const t = typeOf(name);
    if (t?.elements === undefined) return undefined;
    return (t.elements * (dataType(t.elemType)?.bits ?? 0)) / 8;
  };
}
