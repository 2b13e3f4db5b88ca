import { dataTypeName } from '../dtypes';
import { toNumber } from '../proto/byte-range';
import type { TensorShapeProto, TypeProto } from '../proto/types';
import { quoteId } from '../text/quote';

/** A dimension: a size, a symbolic name, or unknown. */
export type Dim = number | string | null;
/** A shape: dims, or null when even the rank is unknown. */
export type Shape = Dim[] | null;

/** The neutral type of a value, independent of protobuf. */
export type ValueType =
  | { kind: 'tensor'; elemType: number; shape: Shape }
  | { kind: 'sparse_tensor'; elemType: number; shape: Shape }
  | { kind: 'sequence'; elem: ValueType | null }
  | { kind: 'map'; keyType: number; value: ValueType | null }
  | { kind: 'optional'; elem: ValueType | null }
  | { kind: 'opaque'; domain: string; name: string };

function shapeFromProto(shape: TensorShapeProto | undefined): Shape {
  if (!shape) return null;
  return shape.dim.map((d) => (d.dim_value !== undefined ? toNumber(d.dim_value) : d.dim_param ? d.dim_param : null));
}

export function typeFromProto(t: TypeProto | undefined): ValueType | null {
  if (!t) return null;
  if (t.tensor_type) return { kind: 'tensor', elemType: t.tensor_type.elem_type ?? 0, shape: shapeFromProto(t.tensor_type.shape) };
  if (t.sparse_tensor_type) return { kind: 'sparse_tensor', elemType: t.sparse_tensor_type.elem_type ?? 0, shape: shapeFromProto(t.sparse_tensor_type.shape) };
  if (t.sequence_type) return { kind: 'sequence', elem: typeFromProto(t.sequence_type.elem_type) };
  if (t.map_type) return { kind: 'map', keyType: t.map_type.key_type ?? 0, value: typeFromProto(t.map_type.value_type) };
  if (t.optional_type) return { kind: 'optional', elem: typeFromProto(t.optional_type.elem_type) };
  if (t.opaque_type) return { kind: 'opaque', domain: t.opaque_type.domain ?? '', name: t.opaque_type.name ?? '' };
  return null;
}

/** The type for display: `float[N,3]`, `seq(float)`, `map(int64, float)`; `?` when unknown. */
export function typeToString(t: ValueType | null, withShape = true): string {
  return formatType(t, withShape, dimToString);
}

/** The type as the ONNX text syntax writes it (dimension names quoted where needed); '' when unknown. */
export function typeToSyntax(t: ValueType | null): string {
  return t ? formatType(t, true, (d) => (typeof d === 'string' ? quoteId(d) : dimToString(d))) : '';
}

/** The one type printer, for the text printer and every display. */
function formatType(t: ValueType | null, withShape: boolean, dim: (d: Dim) => string): string {
  if (!t) return '?';
  const shape = (s: Shape): string => (withShape && s ? `[${s.map(dim).join(',')}]` : '');
  switch (t.kind) {
    case 'tensor':
      return dataTypeName(t.elemType) + shape(t.shape);
    case 'sparse_tensor':
      return `sparse_tensor(${dataTypeName(t.elemType)}${shape(t.shape)})`;
    case 'sequence':
      return `seq(${formatType(t.elem, withShape, dim)})`;
    case 'map':
      return `map(${dataTypeName(t.keyType)}, ${formatType(t.value, withShape, dim)})`;
    case 'optional':
      return `optional(${formatType(t.elem, withShape, dim)})`;
    case 'opaque':
      return `opaque(${[t.domain, t.name].filter(Boolean).join(', ')})`;
  }
}

export const dimToString = (d: Dim): string => (d === null ? '?' : String(d));

/** Schema type-constraint spelling: `tensor(float)`, `seq(tensor(int64))`. */
const TENSOR_SCHEMA_NAMES = new Map<number, string>();

export function typeToSchemaString(t: ValueType | null): string {
  if (!t) return '?';
  switch (t.kind) {
    case 'tensor': {
      let s = TENSOR_SCHEMA_NAMES.get(t.elemType);
      if (s === undefined) TENSOR_SCHEMA_NAMES.set(t.elemType, (s = `tensor(${dataTypeName(t.elemType)})`));
      return s;
    }
    case 'sparse_tensor':
      return `sparse_tensor(${dataTypeName(t.elemType)})`;
    case 'sequence':
      return `seq(${typeToSchemaString(t.elem)})`;
    case 'map':
      return `map(${dataTypeName(t.keyType)}, ${typeToSchemaString(t.value)})`;
    case 'optional':
      return `optional(${typeToSchemaString(t.elem)})`;
    case 'opaque':
      return `opaque(${[t.domain, t.name].filter(Boolean).join(',')})`;
  }
}
