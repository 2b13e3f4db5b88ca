import type { ModelFiles } from '../../onnx/io/model-files';
import { buildModel } from '../../onnx/model/build';
import type { ModelProto, NodeProto } from '../../onnx/proto/types';

/** Node ids (DESIGN.md §2) of the model as it is before the transform, by node proto. */
export function nodeIds(proto: ModelProto, files: ModelFiles | undefined): Map<NodeProto, string> {
  const model = buildModel(proto, files);
  const ids = new Map<NodeProto, string>();
  for (const g of model.graphs()) for (const n of g.nodes) ids.set(n.proto, n.id);
  return ids;
}
