import type { ModelFiles } from '../../onnx/io/model-files';
import { buildModel } from '../../onnx/model/build';
import type { ModelProto } from '../../onnx/proto/types';
import { summarizeModel } from '../../analysis/summary';

/** Parameters as `inspect` counts them (issue 11, point 6): initializer, sparse initializer and Constant elements in all graphs. */
export function countParameters(proto: ModelProto, files: ModelFiles | undefined): number {
  return summarizeModel(buildModel(proto, files)).parameterCount;
}
