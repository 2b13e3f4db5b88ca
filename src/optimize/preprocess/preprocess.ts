import type { ModelEdit } from '../../onnx/edit/model-edit';
import type { ModelFiles } from '../../onnx/io/model-files';
import { foldBatchNorms } from './fold-batch-norm';
import { removeIdentities } from './remove-identity';
import { inferValueTypes, type ValueTypes } from './value-types';

export interface PreprocessResult {
  identitiesRemoved: number;
  batchNormsFolded: number;
  /** Values whose type shape inference knows after the edits. */
  valuesTyped: number;
  typeOf: ValueTypes;
}

/**
 * What ORT's quant_pre_process does before quantizing, on our own model: Identity nodes
 * removed, BatchNormalization folded into the Conv before it, then shape inference so that
 * the quantizer knows the type of every value it touches. Kept nodes keep their names.
 */
export function preprocess(edit: ModelEdit, files: ModelFiles | undefined): PreprocessResult {
  const identitiesRemoved = removeIdentities(edit);
  const batchNormsFolded = foldBatchNorms(edit, files);
  edit.sortTopologically();
  const { typeOf, known } = inferValueTypes(edit, files);
  return { identitiesRemoved, batchNormsFolded, valuesTyped: known, typeOf };
}
