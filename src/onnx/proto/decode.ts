import type { ByteSource } from '../io/byte-source';
import { ByteRange, StringRun } from './byte-range';
import { messageInfo, type FieldInfo, type MessageInfo } from './schema';
import { WireReader } from './wire-reader';

/** Tensor payloads at or above this size stay in the file as a ByteRange. */
export const LAZY_MIN_BYTES = 1024;
/**
 * Protobuf messages nested deeper than this are refused (a crafted file could blow the stack).
 * protobuf's own default recursion limit, which python onnx and ONNX Runtime read with: a model
 * they load (32 nested If subgraphs) must open here too.
 */
export const MAX_NESTING = 100;

/** Fields absent from onnx.proto, kept verbatim (tag included) so that encoding preserves them. */
export const UNKNOWN_FIELDS = '$unknown';

export type ProtoObject = Record<string, unknown>;

/** Shared by every absent repeated field: a million nodes need not own a million empty arrays. */
const EMPTY: unknown[] = Object.freeze([]) as unknown as unknown[];

/**
 * Decodes one message of `typeName` from `source[start, end)`. Every field of onnx.proto is
 * decoded; large tensor payloads become ByteRanges into the source; unknown fields are kept.
 * Repeated fields are always arrays (empty when absent).
 */
export function decodeMessage<T = ProtoObject>(source: ByteSource, typeName: string, start = 0, end = source.size): T {
  const reader = new WireReader(source, start, end);
  return decodeInto(reader, messageInfo(typeName), end, 0) as T;
}

function decodeInto(r: WireReader, type: MessageInfo, end: number, depth: number): ProtoObject {
  if (depth > MAX_NESTING) r.fail(`messages nested deeper than ${MAX_NESTING} levels`);
  const obj: ProtoObject = {};
  for (const name of type.repeatedNames) obj[name] = EMPTY;
  while (r.pos < end) {
    const tagAt = r.pos;
    const tag = r.uint(end, 'field tag');
    const number = Math.floor(tag / 8);
    const wire = tag & 7;
    if (number === 0) r.fail('field number 0', tagAt);
    const field = type.byNumber[number];
    if (!field) {
      r.skipField(wire, end, tagAt);
      ((obj[UNKNOWN_FIELDS] ??= []) as ByteRange[]).push(new ByteRange(r.source, tagAt, r.pos - tagAt));
      continue;
    }
    if (wire === 2 && field.wireType !== 2) {
      if (!field.packed && !field.repeated) r.fail(`field ${type.name}.${field.name} has wire type 2, expected ${field.wireType}`, tagAt);
      decodePacked(r, obj, field, end);
      continue;
    }
    if (wire !== field.wireType) r.fail(`field ${type.name}.${field.name} has wire type ${wire}, expected ${field.wireType}`, tagAt);
    if (field.stringRun) {
      decodeStrings(r, obj, field, tag, tagAt, end);
      continue;
    }
    const value = readValue(r, field, end, depth);
    if (field.repeated) {
      const list = obj[field.name] as unknown[];
      if (list === EMPTY) obj[field.name] = [value];
      else list.push(value);
    }
    else obj[field.name] = value;
  }
  if (r.pos !== end) r.fail(`${type.name} overruns its length`);
  return obj;
}

function readValue(r: WireReader, field: FieldInfo, end: number, depth: number): unknown {
  if (field.message) {
    const len = r.uint(end, 'length');
    const subEnd = r.pos + len;
    if (subEnd > end) r.fail(`${field.message} of ${len} bytes runs past the end of its parent`);
    return decodeInto(r, messageInfo(field.message), subEnd, depth + 1);
  }
  switch (field.scalar) {
    case 'int64':
      return r.varint64(end, true);
    case 'uint64':
      return r.varint64(end, false);
    case 'int32':
      return r.int32(end);
    case 'uint32':
      return r.uint32(end);
    case 'bool':
      return r.varint64(end, false) !== 0;
    case 'float':
      return r.float(end);
    case 'double':
      return r.double(end);
    case 'string': {
      const len = r.uint(end, 'length');
      return r.string(len, end);
    }
    case 'bytes': {
      const len = r.uint(end, 'length');
      if (field.lazy && len >= LAZY_MIN_BYTES) {
        const range = new ByteRange(r.source, r.pos, len);
        r.skipBytes(len, end);
        return range;
      }
      return r.bytes(len, end);
    }
    default:
      return r.fail(`unsupported field type ${String(field.scalar)}`);
  }
}

/** A packed run of numbers; large tensor payloads stay in the file. */
function decodePacked(r: WireReader, obj: ProtoObject, field: FieldInfo, end: number): void {
  const len = r.uint(end, 'length');
  const runEnd = r.pos + len;
  if (runEnd > end) r.fail(`packed ${field.name} of ${len} bytes runs past the end of its message`);
  const list = obj[field.name] as unknown[] | ByteRange;
  if (field.lazy && len >= LAZY_MIN_BYTES && Array.isArray(list) && list.length === 0) {
    obj[field.name] = new ByteRange(r.source, r.pos, len);
    r.skipBytes(len, end);
    return;
  }
  const out = Array.isArray(list) ? (list === EMPTY ? [] : list) : expandPacked(list, field);
  while (r.pos < runEnd) out.push(readValue(r, field, runEnd, 0));
  obj[field.name] = out;
}

/** A second packed run after a lazy one (legal but rare): decode the first one after all. */
function expandPacked(range: ByteRange, field: FieldInfo): unknown[] {
  const r = new WireReader(range.source, range.offset, range.offset + range.length);
  const out: unknown[] = [];
  while (r.pos < range.offset + range.length) out.push(readValue(r, field, range.offset + range.length, 0));
  return out;
}

/**
 * Consecutive entries of TensorProto.string_data: a run of 1 KiB or more stays in the file as
 * a StringRun; a shorter one, or a second run after other fields (legal, rare), is decoded.
 */
function decodeStrings(r: WireReader, obj: ProtoObject, field: FieldInfo, tag: number, tagAt: number, end: number): void {
  let count = 0;
  for (;;) {
    r.skipBytes(r.uint(end, 'length'), end);
    count++;
    const next = r.pos;
    if (next >= end || r.uint(end, 'field tag') !== tag) {
      r.pos = next;
      break;
    }
  }
  const prior = obj[field.name] as Uint8Array[] | StringRun;
  if (prior === EMPTY && r.pos - tagAt >= LAZY_MIN_BYTES) {
    obj[field.name] = new StringRun(r.source, tagAt, r.pos - tagAt, count);
    return;
  }
  obj[field.name] = [...(prior instanceof StringRun ? stringEntries(prior) : prior), ...stringEntries(new StringRun(r.source, tagAt, r.pos - tagAt, count))];
}

/** The entries of a string run, decoded one at a time. */
export function* stringEntries(run: StringRun, from = 0): Generator<Uint8Array> {
  const end = run.offset + run.length;
  const r = new WireReader(run.source, run.offset, end);
  for (let i = 0; r.pos < end; i++) {
    r.uint(end, 'field tag');
    const len = r.uint(end, 'length');
    if (i < from) r.skipBytes(len, end);
    else yield r.bytes(len, end);
  }
}
