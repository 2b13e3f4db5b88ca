// Attribute values and literal tokens as the parser reads them: which kind of literal each
// attribute type takes (from the one attribute-type table), and the type of an untyped attribute.
import { dataType, type DataTypeInfo } from '../dtypes';
import type { Int64 } from '../proto/byte-range';
import type { GraphProto, TensorProto } from '../proto/types';
import { attributeTypeByName, attributeTypeName } from '../proto/types';
import type { Token } from './lexer';

export type AttrValue = { kind: 'int' | 'float' | 'string' | 'tensor' | 'graph'; token: Token; value: string | TensorProto | GraphProto };

const LITERAL_KINDS = ['float', 'int', 'string', 'tensor', 'graph'] as const;

/** What an attribute type with a literal takes, read off its name in the one table (`floats`: floats, a list). */
export function attributeValues(type: number): { kind: AttrValue['kind']; list: boolean } | undefined {
  const name = attributeTypeName(type);
  const kind = LITERAL_KINDS.find((k) => name === k || name === `${k}s`);
  return kind && { kind, list: name !== kind };
}


/** The type of an attribute written without one: from the kinds of its values. */
export function inferAttributeType(items: AttrValue[], isList: boolean): number | undefined {
  const kinds = new Set(items.map((v) => v.kind));
  const kind = (['tensor', 'graph', 'string', 'float', 'int'] as const).find((k) => kinds.has(k));
  if (!kind) return undefined;
  return attributeTypeByName(isList ? `${kind}s` : kind);
}

/** int, float or string for a literal token; `inf` and `nan` are lexed as names but are floats where a value is expected. */
export function literalKind(t: Token): 'int' | 'float' | 'string' | undefined {
  if (t.kind === 'int' || t.kind === 'float' || t.kind === 'string') return t.kind;
  return t.kind === 'id' && (t.text === 'inf' || t.text === 'nan') ? 'float' : undefined;
}

export function describe(t: Token): string {
  return t.kind === 'eof' ? 'the end of the text' : `'${t.text}'`;
}

/** A range-checked int64 literal: a number when exact, else a bigint. */
export function toInt64(s: string): Int64 {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : BigInt(s.replace(/^\+/, ''));
}

export function dataTypeFromId(id: number): DataTypeInfo {
  const info = dataType(id);
  if (!info) throw new Error(`unknown data type ${id}`);
  return info;
}
