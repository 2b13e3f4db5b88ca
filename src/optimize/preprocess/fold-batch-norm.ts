import { computedTensor, littleEndianBytes } from '../../onnx/edit/computed-tensor';
import type { GraphEdit } from '../../onnx/edit/graph-edit';
import type { ModelEdit } from '../../onnx/edit/model-edit';
import { namesReadInSubgraphs, nodeSubgraphs } from '../../onnx/edit/subgraphs';
import type { ModelFiles } from '../../onnx/io/model-files';
import type { NodeProto } from '../../onnx/proto/types';
import { dropWeightIfUnread, floatWeight, readFloats, weightDims } from './weights';

const FLOAT = 1;

/** Inference-mode BatchNormalization with the attributes folding can honour. */
function foldableBatchNorm(bn: NodeProto): boolean {
  if (bn.op_type !== 'BatchNormalization' || bn.domain || bn.input.length !== 5) return false;
  if (bn.output.slice(1).some((o) => o)) return false;
  for (const a of bn.attribute) {
    if (a.name === 'epsilon' || a.name === 'momentum') continue;
    if ((a.name === 'spatial' && Number(a.i ?? 1) === 1) || (a.name === 'training_mode' && Number(a.i ?? 0) === 0)) continue;
    return false;
  }
  return true;
}

/** Names read by the subgraphs of this graph's nodes (a value they read has a reader we cannot rewire). */
function readBySubgraphs(g: GraphEdit): Set<string> {
  const names = new Set<string>();
  for (const n of g.nodes) if (nodeSubgraphs(n).length) for (const x of namesReadInSubgraphs(n)) names.add(x);
  return names;
}

/**
 * Folds BatchNormalization into the Conv before it, as ORT's ConvBNFusion does (float32
 * arithmetic in its order): W' = W · s, b' = (b − mean) · s + B with s = scale / √(var + ε)
 * per output channel. Only when the Conv's output has no reader but the BatchNormalization;
 * the Conv keeps its name and takes over the BatchNormalization's output. The new weight and
 * bias are computed tensors, made while the model is written. Returns how many were folded.
 */
export function foldBatchNorms(edit: ModelEdit, files: ModelFiles | undefined): number {
  let folded = 0;
  for (const g of edit.graphs()) {
    const subgraphReads = readBySubgraphs(g);
    for (const bn of [...g.nodes]) {
      if (!foldableBatchNorm(bn)) continue;
      const convOut = bn.input[0]!;
      const conv = g.producer(convOut);
      if (!conv || conv.op_type !== 'Conv' || conv.domain || conv.output.length !== 1) continue;
      if (g.consumersOf(convOut).length !== 1 || g.isGraphOutput(convOut) || subgraphReads.has(convOut)) continue;
      if (foldInto(g, conv, bn, files)) folded++;
    }
  }
  return folded;
}

function foldInto(g: GraphEdit, conv: NodeProto, bn: NodeProto, files: ModelFiles | undefined): boolean {
  const [w, b] = [floatWeight(g, conv.input[1]), conv.input[2] ? floatWeight(g, conv.input[2]) : undefined];
  const [scale, bias, mean, variance] = bn.input.slice(1).map((name) => floatWeight(g, name));
  if (!w || (conv.input[2] && !b) || !scale || !bias || !mean || !variance) return false;
  const dims = weightDims(w);
  const channels = dims[0] ?? 0;
  const bnValues = [scale, bias, mean, variance].map((t) => readFloats(t, files));
  if (dims.length < 3 || bnValues.some((v) => v.length !== channels) || (b && weightDims(b).reduce((x, y) => x * y, 1) !== channels)) return false;
  const epsilon = Math.fround(bn.attribute.find((a) => a.name === 'epsilon')?.f ?? 1e-5);
  const [s, bnBias, bnMean, bnVar] = bnValues as [Float32Array, Float32Array, Float32Array, Float32Array];
  const factor = new Float32Array(channels);
  for (let c = 0; c < channels; c++) factor[c] = Math.fround(s[c]! / Math.fround(Math.sqrt(Math.fround(bnVar[c]! + epsilon))));
  const convBias = b ? readFloats(b, files) : new Float32Array(channels);
  const newBias = new Float32Array(channels);
  for (let c = 0; c < channels; c++) newBias[c] = Math.fround(Math.fround(Math.fround(convBias[c]! - bnMean[c]!) * factor[c]!) + bnBias[c]!);

  const edit = g.model;
  const weightName = edit.uniqueName(`${conv.input[1]}_bn_folded`);
  const perChannel = dims.slice(1).reduce((x, y) => x * y, 1);
  g.addInitializer(
    computedTensor(weightName, FLOAT, dims, () => {
      const values = readFloats(w, files);
      for (let c = 0; c < channels; c++) for (let i = c * perChannel; i < (c + 1) * perChannel; i++) values[i] = Math.fround(values[i]! * factor[c]!);
      return littleEndianBytes(values);
    }),
  );
  const biasName = edit.uniqueName(`${conv.name || conv.output[0]}_bn_folded_bias`);
  g.addInitializer(computedTensor(biasName, FLOAT, [channels], () => littleEndianBytes(newBias)));

  const [oldWeight, oldBias, convOut, bnOut] = [conv.input[1]!, conv.input[2], conv.output[0]!, bn.output[0]!];
  g.setInput(conv, 1, weightName);
  g.setInput(conv, 2, biasName);
  g.removeNode(bn);
  g.proto.value_info = g.proto.value_info.filter((v) => v.name !== convOut);
  g.renameValue(convOut, bnOut);
  for (const name of [oldWeight, oldBias, ...bn.input.slice(1)]) if (name) dropWeightIfUnread(g, name);
  return true;
}
