/**
 * Writes each weight-only candidate (find-weights.ts) as symmetric int8 + float scale + a
 * DequantizeLinear placed right after it, and points the constant's readers at the
 * DequantizeLinear's output: the data-movement chain then runs on the dequantized values.
 * Named as the static quantizer names a weight's tensors (`<w>_int8`, `<w>_scale`, `<w>_DQ`)
 * and placed as it places them: Constant nodes in a subgraph (and before IR 4), else
 * initializers. The int8 bytes are computed when the encoder reaches them.
 *
 * One scale per slice is exact for whatever slicing follows: the DequantizeLinear comes before
 * any Slice, Concat or Transpose, so each element is restored with its own slice's scale
 * wherever it later lands. The axis is the one that restores the constant best
 * (scale-axis.ts): the gate rows of a PyTorch weight_ih [4H, in] or an ONNX W [dirs, 4H, in],
 * wherever a Transpose moved them.
 */
import { computedTensor, constantTensor, littleEndianBytes } from '../../onnx/edit/computed-tensor';
import type { GraphEdit, WeightSource } from '../../onnx/edit/graph-edit';
import type { ModelEdit } from '../../onnx/edit/model-edit';
import { intAttr, newNode, tensorAttr } from '../../onnx/edit/proto-factory';
import type { ModelFiles } from '../../onnx/io/model-files';
import type { NodeProto, TensorProto } from '../../onnx/proto/types';
import { readFloats, weightDims } from '../preprocess/weights';
import { quantizeWeights } from '../static/quant-params';
import type { WeightOnlyCandidate } from './find-weights';
import { bestScaleAxis } from './scale-axis';

const FLOAT = 1;
const INT8 = 3;

export interface WeightOnlyWriteOptions {
  files?: ModelFiles;
  /** One scale per row; the caller allows it only where DequantizeLinear has `axis` (opset 13). */
  perAxis: boolean;
  /** The zero point a constant's DequantizeLinear reads (`channels` values of int8 0), or undefined for none. */
  zeroPoint: (graph: GraphEdit, channels: number | undefined) => string | undefined;
}

export interface WeightOnlyResult {
  /** Constants now stored as int8. */
  weights: number;
  nodesAdded: number;
  /** Nodes that read a DequantizeLinear's output instead of the float constant. */
  changed: NodeProto[];
  /** Recurrent nodes whose W or R is now dequantized int8. */
  consumers: NodeProto[];
  /** Bytes of the float values replaced (a quarter of it is written as int8). */
  floatBytes: number;
  warnings: string[];
}

export function writeWeightOnly(edit: ModelEdit, candidates: readonly WeightOnlyCandidate[], options: WeightOnlyWriteOptions): WeightOnlyResult {
  const result: WeightOnlyResult = { weights: 0, nodesAdded: 0, changed: [], consumers: [], floatBytes: 0, warnings: [] };
  const changed = new Set<NodeProto>();
  const consumers = new Set<NodeProto>();
  for (const c of candidates) {
    const dims = weightDims(c.source);
    const values = readFloats(c.source, options.files);
    const axis = options.perAxis ? bestScaleAxis(values, dims) : -1;
    const { scales } = quantizeWeights(values, dims, axis);
    if (!scales.every(Number.isFinite)) {
      result.warnings.push(`constant '${c.name}' holds NaN or infinite values: it stays float`);
      continue;
    }
    const output = insertDequantize(edit, c.source, c.name, dims, axis, scales, options);
    result.nodesAdded += output.nodesAdded;
    for (const r of c.reads) {
      r.graph.setInput(r.node, r.input, output.name);
      changed.add(r.node);
    }
    c.source.graph.dropIfUnread(c.name);
    for (const n of c.consumers) consumers.add(n);
    result.weights++;
    result.floatBytes += 4 * dims.reduce((a, b) => a * b, 1);
  }
  result.changed = [...changed];
  result.consumers = [...consumers];
  return result;
}

function insertDequantize(
  edit: ModelEdit, source: WeightSource, base: string, dims: number[], axis: number, scales: Float32Array, options: WeightOnlyWriteOptions,
): { name: string; nodesAdded: number } {
  const data = computedTensor(edit.uniqueName(`${base}_int8`), INT8, dims, () => {
    const q = quantizeWeights(readFloats(source, options.files), dims, axis).q;
    return littleEndianBytes(q);
  });
  const scale = constantTensor(edit.uniqueName(`${base}_scale`), FLOAT, axis < 0 ? [] : [scales.length], scales);
  const zeroPoint = options.zeroPoint(source.graph, axis < 0 ? undefined : scales.length);
  const name = edit.uniqueName(`${base}_DQ`);
  const dq = newNode({
    op: 'DequantizeLinear', name, inputs: [data.name!, scale.name!, ...(zeroPoint ? [zeroPoint] : [])], outputs: [name],
    attributes: axis < 0 ? [] : [intAttr('axis', axis)],
  });
  const g = source.graph;
  if (source.constant && (g.parent || edit.irVersion < 4)) {
    g.addNodes([...[data, scale].map(constantNode), dq]);
    return { name, nodesAdded: 3 };
  }
  g.addInitializer(data);
  g.addInitializer(scale);
  g.addNodes([dq]);
  return { name, nodesAdded: 1 };
}

/** A Constant node named as the value it holds (its tensor needs no name of its own). */
function constantNode(t: TensorProto): NodeProto {
  return newNode({ op: 'Constant', name: t.name!, inputs: [], outputs: [t.name!], attributes: [tensorAttr('value', { ...t, name: '' })] });
}
