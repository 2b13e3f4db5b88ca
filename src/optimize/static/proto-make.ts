/**
 * Small constructors for the protos the QDQ rewrite adds (tensors, Q/DQ and Constant nodes),
 * with every repeated field present as the encoder expects.
 */
import { AttributeType, type AttributeProto, type NodeProto, type TensorProto } from '../../onnx/proto/types';

export const DTYPE = { FLOAT: 1, UINT8: 2, INT8: 3, INT32: 6 } as const;

export function makeTensor(name: string, dataType: number, dims: readonly number[], bytes: Uint8Array): TensorProto {
  return {
    name, data_type: dataType, dims: [...dims], raw_data: bytes,
    float_data: [], int32_data: [], string_data: [], int64_data: [], double_data: [], uint64_data: [], external_data: [], metadata_props: [],
  };
}

export function bytesOf(values: Float32Array | Int8Array | Uint8Array | Int32Array): Uint8Array {
  // Typed arrays are little-endian on every platform Node runs on, as raw_data is.
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice();
}

function attribute(name: string, fields: Partial<AttributeProto>): AttributeProto {
  return { name, floats: [], ints: [], strings: [], tensors: [], graphs: [], type_protos: [], sparse_tensors: [], ...fields };
}

export function intAttribute(name: string, value: number): AttributeProto {
  return attribute(name, { type: AttributeType.INT, i: value });
}

export function makeNode(opType: string, name: string, inputs: string[], outputs: string[], attributes: AttributeProto[] = []): NodeProto {
  return { op_type: opType, name, input: inputs, output: outputs, attribute: attributes, metadata_props: [], device_configurations: [] };
}

/** A Constant node holding `tensor` (its name becomes the node's output). */
export function makeConstant(nodeName: string, tensor: TensorProto): NodeProto {
  const output = tensor.name ?? '';
  return makeNode('Constant', nodeName, [], [output], [attribute('value', { type: AttributeType.TENSOR, t: { ...tensor, name: undefined } })]);
}
