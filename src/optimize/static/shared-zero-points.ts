/**
 * Zero-point initializers shared within a graph: every Q/DQ of that graph whose zero point has
 * the same type, shape and value reads one tensor, instead of one copy per pair (a model with
 * hundreds of pairs otherwise carries hundreds of identical tiny tensors, each with a name).
 * ONNX Runtime's QDQ fusions compare zero points by value, not by name, so sharing keeps them.
 */
import { constantTensor } from '../../onnx/edit/computed-tensor';
import type { GraphEdit } from '../../onnx/edit/graph-edit';
import type { ModelEdit } from '../../onnx/edit/model-edit';
import { newNode, tensorAttr } from '../../onnx/edit/proto-factory';
import type { NodeProto, TensorProto } from '../../onnx/proto/types';

export type ZeroPointType = 'int8' | 'uint8';

const ARRAYS = { int8: [3, Int8Array], uint8: [2, Uint8Array] } as const;

export class SharedZeroPoints {
  private readonly byGraph = new Map<GraphEdit, Map<string, string>>();

  /** `addNodes` inserts (and counts) the Constant node a subgraph before IR 4 needs. */
  constructor(
    private readonly edit: ModelEdit,
    private readonly addNodes: (graph: GraphEdit, nodes: NodeProto[]) => void,
  ) {}

  /**
   * The name of a zero point in `graph` holding `value`: a scalar (per tensor), or `channels`
   * copies (per channel). Named after what it holds: `int8_zero_point`, `uint8_zero_point_128`,
   * `int8_zero_points_64` (64 zeros).
   */
  of(graph: GraphEdit, type: ZeroPointType, value: number, channels?: number): string {
    const held = value === 0 ? '' : `_${value}`;
    const key = channels === undefined ? `${type}_zero_point${held}` : `${type}_zero_points_${channels}${held}`;
    let names = this.byGraph.get(graph);
    if (!names) this.byGraph.set(graph, (names = new Map()));
    const known = names.get(key);
    if (known !== undefined) return known;
    const name = this.edit.uniqueName(key);
    const tensor = zeroPointTensor(name, type, value, channels);
    // Before IR 4 an initializer must also be a graph input, which an If/Loop body cannot take.
    if (graph.parent && this.edit.irVersion < 4) this.addNodes(graph, [newNode({ op: 'Constant', name, inputs: [], outputs: [name], attributes: [tensorAttr('value', { ...tensor, name: '' })] })]);
    else graph.addInitializer(tensor);
    names.set(key, name);
    return name;
  }
}

function zeroPointTensor(name: string, type: ZeroPointType, value: number, channels: number | undefined): TensorProto {
  const [dtype, Values] = ARRAYS[type];
  const values = new Values(channels ?? 1);
  values.fill(value);
  return constantTensor(name, dtype, channels === undefined ? [] : [channels], values);
}
