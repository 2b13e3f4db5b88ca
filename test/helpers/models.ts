import { decodeMessage, type ProtoObject } from '../../src/onnx/proto/decode';
import { encodeToBytes } from '../../src/onnx/proto/encode';
import { BufferSource } from '../../src/onnx/io/byte-source';
import { encodeModelBytes } from '../../src/onnx/open';
import type { AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, TypeProto, ValueInfoProto } from '../../src/onnx/proto/types';
import { AttributeType } from '../../src/onnx/proto/types';
import { constantTensor } from '../../src/onnx/edit/computed-tensor';

/** Builders for small models made by the tests (every repeated field present, as decoded). */

export function tensorProto(p: Partial<TensorProto> & { name?: string }): TensorProto {
  return { dims: [], float_data: [], int32_data: [], string_data: [], int64_data: [], double_data: [], uint64_data: [], external_data: [], metadata_props: [], ...p };
}

export function tensorType(elemType: number, dims: (number | string)[] | null): TypeProto {
  return {
    tensor_type: {
      elem_type: elemType,
      shape: dims === null ? undefined : { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : { dim_param: d })) },
    },
  };
}

export function valueInfo(name: string, type?: TypeProto): ValueInfoProto {
  return { name, type, metadata_props: [] };
}

export function attr(name: string, value: number | number[] | string | GraphProto | TensorProto, kind?: 'float' | 'int'): AttributeProto {
  const a: AttributeProto = { name, floats: [], ints: [], strings: [], tensors: [], graphs: [], type_protos: [], sparse_tensors: [] };
  if (typeof value === 'string') return { ...a, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return kind === 'float' ? { ...a, type: AttributeType.FLOATS, floats: value } : { ...a, type: AttributeType.INTS, ints: value };
  if (typeof value === 'number') return kind === 'float' ? { ...a, type: AttributeType.FLOAT, f: value } : { ...a, type: AttributeType.INT, i: value };
  if ('node' in value) return { ...a, type: AttributeType.GRAPH, g: value };
  return { ...a, type: AttributeType.TENSOR, t: value };
}

export function node(opType: string, inputs: string[], outputs: string[], attributes: AttributeProto[] = [], name = '', domain?: string): NodeProto {
  return { op_type: opType, input: inputs, output: outputs, attribute: attributes, name, domain, metadata_props: [], device_configurations: [] };
}

export function graph(p: Partial<GraphProto>): GraphProto {
  return { node: [], initializer: [], input: [], output: [], value_info: [], quantization_annotation: [], sparse_initializer: [], metadata_props: [], name: 'g', ...p };
}

export function model(g: GraphProto, opset = 17, extra: Partial<ModelProto> = {}): ModelProto {
  return {
    ir_version: 8,
    producer_name: 'onnx-studio-tests',
    graph: g,
    opset_import: [{ domain: '', version: opset }],
    metadata_props: [],
    training_info: [],
    functions: [],
    configuration: [],
    ...extra,
  };
}

export const bytesOf = (m: ModelProto): Uint8Array => encodeModelBytes(m);

/**
 * An n-node Relu chain, encoded node by node so that even a million nodes never exist as
 * objects at once: the GraphProto's node fields are the concatenated NodeProto encodings.
 */
export function reluChainBytes(n: number): Uint8Array {
  const frame = (field: number, payload: Uint8Array): Uint8Array => {
    const head: number[] = [field * 8 + 2];
    for (let len = payload.length; ; len = Math.floor(len / 128)) {
      head.push(len >= 128 ? (len % 128) | 0x80 : len);
      if (len < 128) break;
    }
    return Buffer.concat([Uint8Array.from(head), payload]);
  };
  const parts: Uint8Array[] = [];
  for (let i = 0; i < n; i++) {
    const np = node('Relu', [i === 0 ? 'x' : `v${i - 1}`], [`v${i}`], [], `r${i}`);
    parts.push(frame(1, encodeToBytes(np as unknown as ProtoObject, 'NodeProto')));
  }
  const io = graph({ input: [valueInfo('x', tensorType(1, [1, 8]))], output: [valueInfo(`v${n - 1}`, tensorType(1, [1, 8]))] });
  const graphBytes = Buffer.concat([...parts, encodeToBytes(io as unknown as ProtoObject, 'GraphProto')]);
  const header = encodeModelBytes(model(graph({}))); // ir_version, producer, an empty graph, opset
  const withoutGraph = decodeBytes(header);
  withoutGraph.graph = undefined;
  return Buffer.concat([encodeModelBytes(withoutGraph), frame(7, graphBytes)]);
}

export function decodeBytes(bytes: Uint8Array): ModelProto {
  return decodeMessage<ModelProto>(new BufferSource(bytes), 'ModelProto');
}

/** x → Relu → y, a valid 2-node model for mutation tests. */
export function reluAddModel(): ModelProto {
  return model(
    graph({
      node: [node('Relu', ['x'], ['r'], [], 'relu'), node('Add', ['r', 'b'], ['y'], [], 'add')],
      input: [valueInfo('x', tensorType(1, [1, 4]))],
      output: [valueInfo('y', tensorType(1, [1, 4]))],
      initializer: [tensorProto({ name: 'b', dims: [4], data_type: 1, float_data: [1, 2, 3, 4] })],
    }),
  );
}

/** y = x · w with x [1, 2] and the 2×2 float weight `w` (row-major `weights`), opset 13: the smallest model a quantizer rewrites. */
export function matMulModel(weights: readonly number[]): ModelProto {
  return model(
    graph({
      input: [valueInfo('x', tensorType(1, [1, 2]))],
      output: [valueInfo('y', tensorType(1, [1, 2]))],
      initializer: [constantTensor('w', 1, [2, 2], Float32Array.from(weights))],
      node: [node('MatMul', ['x', 'w'], ['y'], [], 'mm')],
    }),
    13,
  );
}

export type { ProtoObject };
