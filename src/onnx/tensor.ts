import { OnnxFormatError, ModelFileError } from './errors';
import { dataType, dataTypeName, type DataTypeInfo } from './dtypes';
import * as F from './float-formats';
import type { ByteSource } from './io/byte-source';
import type { ExternalDataRef, ModelFiles } from './io/model-files';
import { ByteRange, StringRun, toNumber } from './proto/byte-range';
import { stringEntries } from './proto/decode';
import type { TensorProto } from './proto/types';
import { WireReader } from './proto/wire-reader';

/** Keys an external_data entry may have (ONNX external-data security, attribute whitelist). */
const EXTERNAL_KEYS = new Set(['location', 'offset', 'length', 'checksum', 'basepath']);

/**
 * Values of a tensor, one typed array per dtype, each exact: float/complex64 Float32Array,
 * double/complex128 Float64Array (complex: real and imaginary parts interleaved), float16,
 * bfloat16, float8 and float4 Float32Array (each of their values is a float32), int8/int4/int2
 * Int8Array, uint8/uint4/uint2 and bool (0 or 1) Uint8Array, int16 Int16Array, uint16
 * Uint16Array, int32 Int32Array, uint32 Uint32Array, int64 BigInt64Array, uint64
 * BigUint64Array; strings string[].
 */
export type NumericValues = Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array | BigUint64Array;
export type TensorValues = NumericValues | string[];

/** What `Tensor.read` returns. */
export interface TensorRead {
  values: TensorValues;
  /** Elements in the tensor. */
  total: number;
  truncated: boolean;
}

/** Elements per chunk that `chunks()` yields by default (a few MB at most). */
const CHUNK_ELEMENTS = 1 << 18;
/** Bytes of payload one tensor may claim: larger ones are refused before anything is read. */
const MAX_TENSOR_BYTES = 2 ** 52;

/**
 * A tensor of the model: dtype, shape and where its bytes are. Values are read on demand,
 * either capped (`read(limit)`) or streamed in bounded chunks (`chunks()`, `rawChunks()`);
 * nothing is read when the model is opened. Every reader of values goes through here.
 */
export class Tensor {
  readonly dims: number[];
  readonly elementCount: number;
  private checked: DataTypeInfo | undefined;

  constructor(
    readonly proto: TensorProto,
    private readonly files?: ModelFiles,
  ) {
    this.dims = proto.dims.map(toNumber);
    this.elementCount = this.dims.reduce((a, b) => a * b, 1);
  }

  get name(): string {
    return this.proto.name ?? '';
  }
  get dtype(): number {
    return this.proto.data_type ?? 0;
  }
  get dtypeName(): string {
    return dataTypeName(this.dtype);
  }
  get isExternal(): boolean {
    return this.proto.data_location === 1;
  }

  /** The validated external-data reference; throws ModelFileError on unknown or repeated keys and bad numbers. */
  externalRef(): ExternalDataRef {
    const entries = new Map<string, string>();
    for (const e of this.proto.external_data) {
      const key = e.key ?? '';
      if (!EXTERNAL_KEYS.has(key)) throw new ModelFileError(`tensor '${this.name}': unknown external_data key '${key}'`, key);
      if (entries.has(key)) throw new ModelFileError(`tensor '${this.name}': external_data key '${key}' is given twice`, e.value ?? '');
      entries.set(key, e.value ?? '');
    }
    const location = entries.get('location');
    if (!location) throw new ModelFileError(`tensor '${this.name}' is external but names no location`, '');
    const num = (key: string): number | undefined => {
      const v = entries.get(key);
      if (v === undefined) return undefined;
      if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) throw new ModelFileError(`tensor '${this.name}': external_data ${key} '${v}' is not a non-negative integer`, location);
      return Number(v);
    };
    return { location, offset: num('offset') ?? 0, length: num('length') };
  }

  /** Bytes of payload this tensor has in its file or external file (an estimate for typed fields). */
  get storedBytes(): number {
    if (this.isExternal) return this.externalLength();
    const raw = this.proto.raw_data;
    if (raw) return raw.length;
    const info = dataType(this.dtype);
    if (!info) return 0;
    if (info.field === 'string_data') {
      const strings = this.proto.string_data;
      return strings instanceof StringRun ? strings.length : strings.reduce((a, s) => a + s.length, 0);
    }
    const data = this.proto[info.field];
    if (data instanceof ByteRange) return data.length;
    const n = (data as unknown[]).length;
    return info.field === 'double_data' || info.field === 'int64_data' || info.field === 'uint64_data' ? n * 8 : n * 4;
  }

  private externalLength(): number {
    try {
      const ref = this.externalRef();
      return ref.length ?? (this.files ? this.files.openExternal(ref).size : 0);
    } catch {
      return 0;
    }
  }

  /**
   * Checks that the stored payload fits dtype and dims without decoding values (external
   * files are opened and measured; a lazy varint field is scanned once for its count). Throws
   * OnnxFormatError or ModelFileError. Every reader runs it first, so values are never decoded
   * from an inconsistent tensor.
   */
  validate(): DataTypeInfo {
    if (this.checked) return this.checked;
    const info = dataType(this.dtype);
    if (!info) this.fail(`has unknown data type ${this.dtype}`);
    if (this.dims.some((d) => !Number.isSafeInteger(d) || d < 0)) this.fail(`has invalid dims [${this.dims.join(',')}]`);
    const shape = `shape [${this.dims.join(',')}] of ${info.name}`;
    if (!Number.isSafeInteger(this.elementCount) || this.rawBytes(info) > MAX_TENSOR_BYTES) this.fail(`claims ${shape}, more than can be stored`);
    const fields = this.valueFields();
    if (fields.length > 1) this.fail(`stores its values in ${fields.join(' and ')}: a tensor has one place for them`);
    if (this.isExternal) {
      const size = this.externalSource().size;
      if (size < this.rawBytes(info)) this.fail(`needs ${this.rawBytes(info)} bytes of external data for ${shape}, the file range has ${size}`);
    } else if (this.proto.raw_data !== undefined) {
      const have = this.proto.raw_data.length;
      if (have !== this.rawBytes(info)) this.fail(`has ${have} bytes of raw_data, expected ${this.rawBytes(info)} for ${shape}`);
    } else if (info.field === 'string_data') {
      const strings = this.proto.string_data;
      const stored = strings instanceof StringRun ? strings.count : strings.length;
      if (stored !== this.elementCount) this.fail(`has ${stored} strings for ${this.elementCount} elements`);
    } else {
      const stored = this.typedValuesStored(info);
      if (stored !== this.typedValuesNeeded(info)) this.fail(`has ${stored} values in ${info.field}, expected ${this.typedValuesNeeded(info)} for ${shape}`);
    }
    return (this.checked = info);
  }

  /** The first `limit` elements (no default: a caller that wants everything streams `chunks()`). */
  read(limit: number): TensorRead {
    const total = this.elementCount;
    const count = Math.min(total, Math.max(0, limit));
    const values = this.chunks(count, count).next().value ?? this.emptyValues();
    return { values, total, truncated: count < total };
  }

  /** Every value (or the first `limit`), in chunks of `chunkElements` elements rounded up to a multiple of 8 (sub-byte types split on bytes). */
  *chunks(chunkElements = CHUNK_ELEMENTS, limit = this.elementCount): Generator<TensorValues> {
    const info = this.validate();
    const count = Math.min(limit, this.elementCount);
    if (info.field === 'string_data') {
      const strings = this.proto.string_data;
      const entries = strings instanceof StringRun ? stringEntries(strings) : strings.values();
      const step = chunkStep(chunkElements);
      for (let at = 0; at < count; at += step) {
        const chunk: string[] = [];
        for (let i = at; i < Math.min(count, at + step); i++) chunk.push(utf8.decode(entries.next().value!));
        yield chunk;
      }
      return;
    }
    const step = chunkStep(chunkElements);
    let at = 0;
    for (const bytes of this.rawChunks(chunkElements, count)) {
      const n = Math.min(step, count - at);
      yield decodeRaw(info, bytes, n * scalarsPerElement(info));
      at += n;
    }
  }

  /**
   * The payload in raw_data layout (little-endian, sub-byte types packed low bits first), in
   * the chunks `chunks()` has, whatever field holds it. Not for strings.
   */
  *rawChunks(chunkElements = CHUNK_ELEMENTS, limit = this.elementCount): Generator<Uint8Array> {
    const info = this.validate();
    if (info.field === 'string_data') throw new Error(`tensor '${this.name}' holds strings, which have no raw layout`);
    const spe = scalarsPerElement(info);
    const step = chunkStep(chunkElements) * spe;
    const scalars = Math.min(limit, this.elementCount) * spe;
    const bits = info.bits / spe;
    const raw = this.rawSource();
    if (raw) {
      for (let at = 0; at < scalars; at += step) {
        const from = (at * bits) / 8;
        yield raw(from, Math.ceil((Math.min(scalars, at + step) * bits) / 8) - from);
      }
      return;
    }
    const entries = fieldEntries(this.proto[info.field as 'float_data'], info.field);
    const per = perEntry(info);
    for (let at = 0; at < scalars; at += step) {
      const n = Math.min(step, scalars - at);
      yield entriesToRaw(info, entries(Math.ceil(n / per)), n);
    }
  }

  private emptyValues(): TensorValues {
    const info = this.validate();
    return info.field === 'string_data' ? [] : decodeRaw(info, new Uint8Array(0), 0);
  }

  private fail(message: string): never {
    throw new OnnxFormatError(`tensor '${this.name}' ${message}`, this.proto.raw_data instanceof ByteRange ? this.proto.raw_data.offset : 0);
  }

  private externalSource(): ByteSource {
    if (!this.files) throw new ModelFileError(`tensor '${this.name}' has external data but no model folder to read it from`, '');
    return this.files.openExternal(this.externalRef());
  }

  /** Bytes the whole tensor takes in raw_data (sub-byte types packed). */
  private rawBytes(info: DataTypeInfo): number {
    return Math.ceil((this.elementCount * info.bits) / 8);
  }

  /** int32_data holds two 4-bit or four 2-bit elements per entry; other fields one scalar each. */
  private typedValuesNeeded(info: DataTypeInfo): number {
    return Math.ceil((this.elementCount * scalarsPerElement(info)) / perEntry(info));
  }

  /** Entries stored in the typed field (a lazy varint field is counted by its last bytes). */
  /** Where values are stored: external data, raw_data, or the non-empty typed fields. */
  private valueFields(): string[] {
    const p = this.proto;
    const fields: string[] = [];
    if (this.isExternal) fields.push('external data');
    if (p.raw_data !== undefined && (!this.isExternal || p.raw_data.length > 0)) fields.push('raw_data');
    for (const f of ['float_data', 'int32_data', 'string_data', 'int64_data', 'double_data', 'uint64_data'] as const) {
      const v = p[f] as { length?: number; count?: number };
      if ((v.count ?? v.length ?? 0) > 0) fields.push(f);
    }
    return fields;
  }

  private typedValuesStored(info: DataTypeInfo): number {
    const data = this.proto[info.field as 'float_data'];
    if (!(data instanceof ByteRange)) return data.length;
    if (info.field === 'float_data') return data.length / 4;
    if (info.field === 'double_data') return data.length / 8;
    return countVarints(data);
  }

  /** Reads bytes of raw_data or the external file; undefined when values are in a typed field. */
  private rawSource(): ((offset: number, length: number) => Uint8Array) | undefined {
    if (this.isExternal) {
      const src = this.externalSource();
      return (offset, length) => src.read(offset, length).slice();
    }
    const raw = this.proto.raw_data;
    if (raw === undefined) return undefined;
    return raw instanceof ByteRange ? (offset, length) => raw.read(offset, length) : (offset, length) => raw.subarray(offset, offset + length);
  }
}

const utf8 = new TextDecoder();
const chunkStep = (elements: number): number => Math.max(8, Math.ceil(elements / 8) * 8);
const scalarsPerElement = (info: DataTypeInfo): number => (info.name.startsWith('complex') ? 2 : 1);
/** Scalars one typed-field entry holds: sub-byte types pack a byte's worth per int32_data entry. */
const perEntry = (info: DataTypeInfo): number => (info.field === 'int32_data' && info.bits < 8 ? 8 / info.bits : 1);

type Entries = (count: number) => ArrayLike<number | bigint>;

/** Sequential reader of a typed field's entries, in memory or still in the file. */
function fieldEntries(data: ByteRange | Array<number | bigint>, field: DataTypeInfo['field']): Entries {
  let at = 0;
  if (!(data instanceof ByteRange)) return (n) => data.slice(at, (at += n));
  if (field === 'float_data' || field === 'double_data') {
    const size = field === 'float_data' ? 4 : 8;
    return (n) => {
      const bytes = data.read(at * size, n * size);
      at += n;
      return size === 4 ? new Float32Array(bytes.buffer, bytes.byteOffset, n) : new Float64Array(bytes.buffer, bytes.byteOffset, n);
    };
  }
  const end = data.offset + data.length;
  const r = new WireReader(data.source, data.offset, end);
  const signed = field !== 'uint64_data';
  return (n) => {
    const out: Array<number | bigint> = [];
    while (r.pos < end && out.length < n) out.push(r.varint64(end, signed));
    return out;
  };
}

/** Varints in a packed run: bytes without the continuation bit, read in bounded windows. */
function countVarints(range: ByteRange): number {
  let n = 0;
  const window = 1 << 20;
  for (let at = 0; at < range.length; at += window) {
    const bytes = range.read(at, Math.min(window, range.length - at));
    for (const b of bytes) if (b < 0x80) n++;
  }
  return n;
}

/** `scalars` scalars of typed-field entries in raw_data layout. */
function entriesToRaw(info: DataTypeInfo, entries: ArrayLike<number | bigint>, scalars: number): Uint8Array {
  const bits = info.bits / scalarsPerElement(info);
  const out = new Uint8Array(Math.ceil((scalars * bits) / 8));
  const view = new DataView(out.buffer);
  const n = Math.min(entries.length, Math.ceil(scalars / perEntry(info)));
  const big = (v: number | bigint): bigint => (typeof v === 'bigint' ? v : BigInt(Math.trunc(v)));
  for (let i = 0; i < n; i++) {
    const v = entries[i]!;
    if (info.field === 'float_data') view.setFloat32(i * 4, Number(v), true);
    else if (info.field === 'double_data') view.setFloat64(i * 8, Number(v), true);
    else if (info.field === 'int64_data') view.setBigInt64(i * 8, BigInt.asIntN(64, big(v)), true);
    else if (info.field === 'uint64_data' && bits === 64) view.setBigUint64(i * 8, BigInt.asUintN(64, big(v)), true);
    else if (bits === 32) view.setUint32(i * 4, Number(BigInt.asUintN(32, big(v))), true);
    else if (bits === 16) view.setUint16(i * 2, Number(BigInt.asUintN(16, big(v))), true);
    else out[i] = Number(BigInt.asUintN(8, big(v)));
  }
  return out;
}

const floats32 = (n: number, at: (i: number) => number): Float32Array => Float32Array.from({ length: n }, (_, i) => at(i));

/** Decodes `count` scalars (complex: two per element) from little-endian raw bytes into the dtype's typed array. */
function decodeRaw(info: DataTypeInfo, bytes: Uint8Array, count: number): NumericValues {
  const need = Math.ceil((count * info.bits) / scalarsPerElement(info) / 8);
  if (bytes.length < need) throw new RangeError(`${need} bytes needed for ${count} ${info.name} values, ${bytes.length} given`);
  // Aligned copies so that the typed array views start on their element size.
  const copy = (size: number): ArrayBuffer => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + count * size) as ArrayBuffer;
  const sub = (i: number, b: number): number => (bytes[Math.floor((i * b) / 8)]! >> ((i * b) % 8)) & ((1 << b) - 1);
  const u16 = (i: number): number => bytes[i * 2]! | (bytes[i * 2 + 1]! << 8);
  switch (info.name) {
    case 'float': case 'complex64': return new Float32Array(copy(4));
    case 'double': case 'complex128': return new Float64Array(copy(8));
    case 'uint8': return new Uint8Array(copy(1));
    case 'int8': return new Int8Array(copy(1));
    case 'bool': return Uint8Array.from({ length: count }, (_, i) => (bytes[i] ? 1 : 0));
    case 'uint16': return new Uint16Array(copy(2));
    case 'int16': return new Int16Array(copy(2));
    case 'int32': return new Int32Array(copy(4));
    case 'uint32': return new Uint32Array(copy(4));
    case 'int64': return new BigInt64Array(copy(8));
    case 'uint64': return new BigUint64Array(copy(8));
    case 'float16': return floats32(count, (i) => F.float16ToNumber(u16(i)));
    case 'bfloat16': return floats32(count, (i) => F.bfloat16ToNumber(u16(i)));
    case 'float8e4m3fn': return floats32(count, (i) => F.float8e4m3fnToNumber(bytes[i]!));
    case 'float8e4m3fnuz': return floats32(count, (i) => F.float8e4m3fnuzToNumber(bytes[i]!));
    case 'float8e5m2': return floats32(count, (i) => F.float8e5m2ToNumber(bytes[i]!));
    case 'float8e5m2fnuz': return floats32(count, (i) => F.float8e5m2fnuzToNumber(bytes[i]!));
    case 'float8e8m0': return floats32(count, (i) => F.float8e8m0ToNumber(bytes[i]!));
    case 'float4e2m1': return floats32(count, (i) => F.float4e2m1ToNumber(sub(i, 4)));
    case 'uint4': return Uint8Array.from({ length: count }, (_, i) => sub(i, 4));
    case 'int4': return Int8Array.from({ length: count }, (_, i) => (sub(i, 4) << 28) >> 28);
    case 'uint2': return Uint8Array.from({ length: count }, (_, i) => sub(i, 2));
    case 'int2': return Int8Array.from({ length: count }, (_, i) => (sub(i, 2) << 30) >> 30);
    default: throw new Error(`no decoder for ${info.name}`);
  }
}

/** Values as plain numbers (int64 beyond ±2^53 rounded), for statistics and display. */
export function toNumbers(values: NumericValues): number[] {
  return Array.from(values as ArrayLike<number | bigint>, Number);
}
