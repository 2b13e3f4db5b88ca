import { ModelEdit } from '../../onnx/edit/model-edit';
import { upgradeOpset } from '../../onnx/edit/opset-upgrade';
import type { ModelFiles } from '../../onnx/io/model-files';
import { toNumber } from '../../onnx/proto/byte-range';
import type { ModelProto } from '../../onnx/proto/types';
import { refuseIfQuantized } from '../already-quantized';
import { dynamicOpsetNeeded, type DynamicOptions } from './options';
import { quantizeDynamic, type DynamicResult } from './quantize-dynamic';

export interface DynamicModelResult extends DynamicResult {
  /** The model to write: the input proto, or the upgraded copy when the opset was raised. */
  model: ModelProto;
  edit: ModelEdit;
}

/**
 * Dynamic quantization of a whole model: an opset below what the inserted operators need
 * (11) is raised first by upgradeOpset, converting the nodes whose operator changed (an
 * OpsetUpgradeError names one that cannot be converted), then quantizeDynamic. The opset
 * raise is counted in `details` (opsetBefore, opsetAfter, nodesConverted) and its inserted
 * nodes in nodesAdded. A quantized model is refused before any conversion.
 */
export function quantizeDynamicModel(proto: ModelProto, files: ModelFiles | undefined, options: DynamicOptions = {}): DynamicModelResult {
  const need = dynamicOpsetNeeded(options);
  const entry = proto.opset_import.find((o) => !o.domain || o.domain === 'ai.onnx');
  const have = entry ? toNumber(entry.version ?? 0) : 0;
  if (have >= need) {
    const edit = new ModelEdit(proto);
    return { ...quantizeDynamic(edit, files, options), model: proto, edit };
  }
  refuseIfQuantized(new ModelEdit(proto));
  const upgrade = upgradeOpset(proto, need);
  const edit = new ModelEdit(upgrade.model);
  const result = quantizeDynamic(edit, files, options);
  Object.assign(result.details, { opsetBefore: have, opsetAfter: need, nodesConverted: upgrade.converted.length });
  return { ...result, nodesAdded: result.nodesAdded + upgrade.addedNodes.length, model: upgrade.model, edit };
}
