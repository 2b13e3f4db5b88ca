import type { GraphEdit } from '../../onnx/edit/graph-edit';
import type { ModelEdit } from '../../onnx/edit/model-edit';
import { inferModel } from '../../onnx/infer/infer';
import type { ModelFiles } from '../../onnx/io/model-files';
import { buildModel } from '../../onnx/model/build';
import type { Graph } from '../../onnx/model/graph';
import type { GraphProto } from '../../onnx/proto/types';
import type { ValueType } from '../../onnx/model/value-type';

/** A value's type as shape inference knows it, in the graph that reads it; null when unknown. */
export type ValueTypes = (g: GraphEdit, name: string) => ValueType | null;

/**
 * Shape inference over the model as it is now (after the other pre-processing edits), the
 * step ORT's quant_pre_process runs so that the quantizer knows each value's type. Values
 * are looked up by name in the graph that reads them (outer values resolve outward).
 */
export function inferValueTypes(edit: ModelEdit, files: ModelFiles | undefined): { typeOf: ValueTypes; known: number } {
  const model = buildModel(edit.proto, files);
  const inferred = inferModel(model);
  const graphs = new WeakMap<GraphProto, Graph>();
  let known = 0;
  for (const g of model.graphs()) {
    graphs.set(g.proto, g);
    for (const v of g.values.values()) if (inferred.typeOf(v)) known++;
  }
  const typeOf: ValueTypes = (g, name) => {
    const v = graphs.get(g.proto)?.resolve(name);
    return v ? inferred.typeOf(v) : null;
  };
  return { typeOf, known };
}
