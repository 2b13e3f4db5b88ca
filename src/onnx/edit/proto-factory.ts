import { AttributeType, type AttributeProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../proto/types';

/** Builders of the protobuf messages a transform inserts: every repeated field a fresh array. */

export interface NewNode {
  op: string;
  name: string;
  inputs: string[];
  outputs: string[];
  domain?: string;
  attributes?: AttributeProto[];
}

export function newNode(n: NewNode): NodeProto {
  return {
    op_type: n.op, name: n.name, input: [...n.inputs], output: [...n.outputs], domain: n.domain || undefined,
    attribute: n.attributes ?? [], metadata_props: [], device_configurations: [],
  };
}

function attribute(name: string, type: number): AttributeProto {
  return { name, type, floats: [], ints: [], strings: [], tensors: [], graphs: [], type_protos: [], sparse_tensors: [] };
}

export const intAttr = (name: string, i: number): AttributeProto => ({ ...attribute(name, AttributeType.INT), i });
export const floatAttr = (name: string, f: number): AttributeProto => ({ ...attribute(name, AttributeType.FLOAT), f });
export const intsAttr = (name: string, ints: number[]): AttributeProto => ({ ...attribute(name, AttributeType.INTS), ints });
export const stringAttr = (name: string, s: string): AttributeProto => ({ ...attribute(name, AttributeType.STRING), s: new TextEncoder().encode(s) });
export const tensorAttr = (name: string, t: TensorProto): AttributeProto => ({ ...attribute(name, AttributeType.TENSOR), t });

/** A tensor value's type; `dims` entries are sizes, names of symbolic dims, or undefined for unknown. */
export function tensorValueInfo(name: string, elemType: number, dims?: readonly (number | string | undefined)[]): ValueInfoProto {
  const shape = dims && { dim: dims.map((d) => (typeof d === 'number' ? { dim_value: d } : typeof d === 'string' ? { dim_param: d } : {})) };
  return { name, type: { tensor_type: { elem_type: elemType, shape } }, metadata_props: [] };
}
