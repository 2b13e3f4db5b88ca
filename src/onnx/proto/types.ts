import type { ByteRange, Int64, StringRun } from './byte-range';

// Typed views of the objects the decoder produces: field names exactly as in onnx.proto.
// Repeated fields are always arrays; optional scalars are undefined when absent. An absent
// repeated field is one shared frozen empty array: to change a list, assign a new array.

export interface StringStringEntryProto {
  key?: string;
  value?: string;
}

export interface OperatorSetIdProto {
  domain?: string;
  version?: Int64;
}

export interface TensorShapeDimension {
  dim_value?: Int64;
  dim_param?: string;
  denotation?: string;
}

export interface TensorShapeProto {
  dim: TensorShapeDimension[];
}

export interface TypeProto {
  tensor_type?: { elem_type?: number; shape?: TensorShapeProto };
  sparse_tensor_type?: { elem_type?: number; shape?: TensorShapeProto };
  sequence_type?: { elem_type?: TypeProto };
  map_type?: { key_type?: number; value_type?: TypeProto };
  optional_type?: { elem_type?: TypeProto };
  opaque_type?: { domain?: string; name?: string };
  denotation?: string;
}

export interface ValueInfoProto {
  name?: string;
  type?: TypeProto;
  doc_string?: string;
  metadata_props: StringStringEntryProto[];
}

/** A packed numeric field: decoded numbers, or left in the file when large. */
export type PackedData<T> = T[] | ByteRange;

export interface TensorProto {
  dims: Int64[];
  data_type?: number;
  segment?: { begin?: Int64; end?: Int64 };
  float_data: PackedData<number>;
  int32_data: PackedData<number>;
  /** Decoded strings, or (when many) a run of them still in the file. */
  string_data: Uint8Array[] | StringRun;
  int64_data: PackedData<Int64>;
  name?: string;
  raw_data?: Uint8Array | ByteRange;
  double_data: PackedData<number>;
  uint64_data: PackedData<Int64>;
  doc_string?: string;
  external_data: StringStringEntryProto[];
  data_location?: number;
  metadata_props: StringStringEntryProto[];
}

export interface SparseTensorProto {
  values?: TensorProto;
  indices?: TensorProto;
  dims: Int64[];
}

export interface AttributeProto {
  name?: string;
  f?: number;
  i?: Int64;
  s?: Uint8Array;
  t?: TensorProto;
  g?: GraphProto;
  floats: number[];
  ints: Int64[];
  strings: Uint8Array[];
  tensors: TensorProto[];
  graphs: GraphProto[];
  doc_string?: string;
  tp?: TypeProto;
  type_protos: TypeProto[];
  type?: number;
  ref_attr_name?: string;
  sparse_tensor?: SparseTensorProto;
  sparse_tensors: SparseTensorProto[];
}

export interface NodeProto {
  input: string[];
  output: string[];
  name?: string;
  op_type?: string;
  attribute: AttributeProto[];
  doc_string?: string;
  domain?: string;
  overload?: string;
  metadata_props: StringStringEntryProto[];
  device_configurations: unknown[];
}

export interface GraphProto {
  node: NodeProto[];
  name?: string;
  initializer: TensorProto[];
  doc_string?: string;
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  value_info: ValueInfoProto[];
  quantization_annotation: unknown[];
  sparse_initializer: SparseTensorProto[];
  metadata_props: StringStringEntryProto[];
}

export interface FunctionProto {
  name?: string;
  input: string[];
  output: string[];
  attribute: string[];
  node: NodeProto[];
  doc_string?: string;
  opset_import: OperatorSetIdProto[];
  domain?: string;
  attribute_proto: AttributeProto[];
  value_info: ValueInfoProto[];
  overload?: string;
  metadata_props: StringStringEntryProto[];
}

export interface TrainingInfoProto {
  initialization?: GraphProto;
  algorithm?: GraphProto;
  initialization_binding: StringStringEntryProto[];
  update_binding: StringStringEntryProto[];
}

export interface ModelProto {
  ir_version?: Int64;
  producer_name?: string;
  producer_version?: string;
  domain?: string;
  model_version?: Int64;
  doc_string?: string;
  graph?: GraphProto;
  opset_import: OperatorSetIdProto[];
  metadata_props: StringStringEntryProto[];
  training_info: TrainingInfoProto[];
  functions: FunctionProto[];
  configuration: unknown[];
}

/** AttributeProto.AttributeType values. */
export const AttributeType = {
  UNDEFINED: 0, FLOAT: 1, INT: 2, STRING: 3, TENSOR: 4, GRAPH: 5, FLOATS: 6, INTS: 7, STRINGS: 8,
  TENSORS: 9, GRAPHS: 10, SPARSE_TENSOR: 11, SPARSE_TENSORS: 12, TYPE_PROTO: 13, TYPE_PROTOS: 14,
} as const;

/** The one table of attribute type names (as the text syntax and the operator schemas write them), indexed by AttributeType. */
const ATTRIBUTE_TYPE_NAMES = ['undefined', 'float', 'int', 'string', 'tensor', 'graph', 'floats', 'ints', 'strings', 'tensors', 'graphs', 'sparse_tensor', 'sparse_tensors', 'type_proto', 'type_protos'];

/** `ints` for AttributeType.INTS; `undefined` for 0 and unknown values. */
export function attributeTypeName(type: number): string {
  return ATTRIBUTE_TYPE_NAMES[type] ?? 'undefined';
}

/** AttributeType.INTS for `ints`; undefined for names that are no attribute type. */
export function attributeTypeByName(name: string): number | undefined {
  const type = ATTRIBUTE_TYPE_NAMES.indexOf(name);
  return type > 0 ? type : undefined;
}
