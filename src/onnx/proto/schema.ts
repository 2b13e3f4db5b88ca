import * as protobuf from 'protobufjs';
import protoText from './onnx.proto';

/** Scalar field types of onnx.proto, as protobuf names them. */
export type ScalarType = 'int64' | 'uint64' | 'int32' | 'uint32' | 'bool' | 'float' | 'double' | 'string' | 'bytes';

export interface FieldInfo {
  readonly number: number;
  readonly name: string;
  readonly repeated: boolean;
  /** Protobuf wire type of one element: 0 varint, 1 fixed64, 2 length-delimited, 5 fixed32. */
  readonly wireType: 0 | 1 | 2 | 5;
  /** Scalar type; undefined for a message field. */
  readonly scalar?: ScalarType;
  /** Message type name; undefined for a scalar field. */
  readonly message?: string;
  /** Whether the field is written packed (repeated numeric fields of proto2 marked packed). */
  readonly packed: boolean;
  /** Tensor data fields: above a size they stay in the file as a ByteRange. */
  readonly lazy: boolean;
  /** TensorProto.string_data: many entries stay in the file as one StringRun. */
  readonly stringRun: boolean;
}

export interface MessageInfo {
  readonly name: string;
  /** Fields in field-number order (the order the encoder writes them). */
  readonly fields: readonly FieldInfo[];
  /** Fields indexed by field number (sparse array: the decoder's hot lookup). */
  readonly byNumber: readonly (FieldInfo | undefined)[];
  /** Names of the repeated fields, which every decoded object carries as arrays. */
  readonly repeatedNames: readonly string[];
}

/** Tensor payload fields that are left in the file instead of being decoded. */
const LAZY_FIELDS = new Set(['TensorProto.raw_data', 'TensorProto.float_data', 'TensorProto.int32_data', 'TensorProto.int64_data', 'TensorProto.double_data', 'TensorProto.uint64_data']);

const WIRE: Record<string, 0 | 1 | 2 | 5> = {
  int64: 0, uint64: 0, int32: 0, uint32: 0, bool: 0, enum: 0, float: 5, double: 1, string: 2, bytes: 2,
};

function buildTables(): Map<string, MessageInfo> {
  const root = protobuf.parse(protoText, { keepCase: true }).root;
  root.resolveAll();
  const out = new Map<string, MessageInfo>();
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Type) {
        const fields = nested.fieldsArray
          .map((f): FieldInfo => {
            const rt = f.resolvedType;
            const isMessage = rt instanceof protobuf.Type;
            const scalar = isMessage ? undefined : ((rt instanceof protobuf.Enum ? 'int32' : f.type) as ScalarType);
            if (scalar && !(scalar in WIRE)) throw new Error(`onnx.proto: unsupported field type ${f.type}`);
            return {
              number: f.id,
              name: f.name,
              repeated: f.repeated,
              wireType: isMessage ? 2 : WIRE[scalar!]!,
              scalar,
              message: isMessage ? localName(rt) : undefined,
              packed: f.repeated && !isMessage && scalar !== 'string' && scalar !== 'bytes' && f.packed,
              lazy: LAZY_FIELDS.has(`${localName(nested)}.${f.name}`),
              stringRun: `${localName(nested)}.${f.name}` === 'TensorProto.string_data',
            };
          })
          .sort((a, b) => a.number - b.number);
        const byNumber: (FieldInfo | undefined)[] = [];
        for (const f of fields) byNumber[f.number] = f;
        out.set(localName(nested), { name: localName(nested), fields, byNumber, repeatedNames: fields.filter((f) => f.repeated).map((f) => f.name) });
      }
      if (nested instanceof protobuf.Namespace) visit(nested);
    }
  };
  visit(root);
  return out;
}

/** `onnx.TensorProto.Segment` → `TensorProto.Segment`. */
function localName(t: protobuf.ReflectionObject): string {
  return t.fullName.replace(/^\.onnx\./, '');
}

const MESSAGES: ReadonlyMap<string, MessageInfo> = buildTables();

export function messageInfo(name: string): MessageInfo {
  const info = MESSAGES.get(name);
  if (!info) throw new Error(`onnx.proto has no message ${name}`);
  return info;
}

/** The protobufjs root of the same .proto, for the reference decoder in benchmarks and tests. */
export function protobufjsRoot(): protobuf.Root {
  return protobuf.parse(protoText, { keepCase: true }).root;
}
