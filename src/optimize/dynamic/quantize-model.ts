import { ModelEdit } from '../../onnx/edit/model-edit';
import { upgradeOpset } from '../../onnx/edit/opset-upgrade';
import type { ModelFiles } from '../../onnx/io/model-files';
import { toNumber } from '../../onnx/proto/byte-range';
import type { ModelProto, NodeProto } from '../../onnx/proto/types';
import { buildModel } from '../../onnx/model/build';
import { refuseIfQuantized } from '../already-quantized';
import { dynamicOpsetNeeded, type DynamicOptions } from './options';
import { quantizeDynamic, type DynamicResult } from './quantize-dynamic';
import { selectNodes } from './select-nodes';
import { WEIGHT_ONLY_MIN_OPSET } from '../weight-only/weight-only';

export interface DynamicModelResult extends DynamicResult {
  /** The model to write: the input proto, or the upgraded copy when the opset was raised. */
  model: ModelProto;
  edit: ModelEdit;
}

/**
 * Dynamic quantization of a whole model: an opset below what the inserted operators need
 * (11; 10 when only weight-only DequantizeLinear is inserted) is raised first by upgradeOpset, converting the nodes whose operator changed (an
 * OpsetUpgradeError names one that cannot be converted), then quantizeDynamic. The opset
 * raise is counted in `details` (opsetBefore, opsetAfter, nodesConverted) and its inserted
 * nodes in nodesAdded. A quantized model is refused before any conversion.
 */
export function quantizeDynamicModel(proto: ModelProto, files: ModelFiles | undefined, options: DynamicOptions = {}): DynamicModelResult {
  const entry = proto.opset_import.find((o) => !o.domain || o.domain === 'ai.onnx');
  const have = entry ? toNumber(entry.version ?? 0) : 0;
  // Weight-only storage alone inserts only DequantizeLinear (opset 10): raised no further than that.
  const need = have < dynamicOpsetNeeded(options) && !hasIntegerWork(proto, files, options) ? WEIGHT_ONLY_MIN_OPSET : dynamicOpsetNeeded(options);
  if (have >= need) {
    const edit = new ModelEdit(proto);
    return { ...quantizeDynamic(edit, files, withIds(proto, files, options)), model: proto, edit };
  }
  refuseIfQuantized(new ModelEdit(proto));
  const upgrade = upgradeOpset(proto, need);
  const edit = new ModelEdit(upgrade.model);
  const result = quantizeDynamic(edit, files, withIds(upgrade.model, files, options));
  Object.assign(result.details, { opsetBefore: have, opsetAfter: need, nodesConverted: upgrade.converted.length });
  return { ...result, nodesAdded: result.nodesAdded + upgrade.addedNodes.length, model: upgrade.model, edit };
}

/**
 * Node lists may name nodes by id (subgraph nodes as the editor shows them): ids of the
 * proto as quantized, taken before pre-processing removes nodes. A named node keeps its id
 * through an opset raise; an unnamed one is `OpType_index`, which inserted nodes may shift.
 */
function withIds(proto: ModelProto, files: ModelFiles | undefined, options: DynamicOptions): DynamicOptions {
  if (options.idOf || !(options.excludeNodes?.length || options.includeNodes?.length)) return options;
  const ids = new Map<NodeProto, string>();
  for (const g of buildModel(proto, files).graphs()) for (const n of g.nodes) ids.set(n.proto, n.id);
  return { ...options, idOf: (n) => ids.get(n) };
}

/** Whether some node would become MatMulInteger/ConvInteger (what needs opset 11), judged before pre-processing. */
function hasIntegerWork(proto: ModelProto, files: ModelFiles | undefined, options: DynamicOptions): boolean {
  return selectNodes(new ModelEdit(proto).graphs(), withIds(proto, files, options), undefined).candidates.length > 0;
}
