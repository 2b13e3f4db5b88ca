import { OnnxFormatError, ModelFileError } from './errors';
import { dataType, dataTypeName, rawByteLength, type DataTypeInfo } from './dtypes';
import * as F from './float-formats';
import type { ByteSource } from './io/byte-source';
import type { ExternalDataRef, ModelFiles } from './io/model-files';
import { ByteRange, toNumber } from './proto/byte-range';
import type { TensorProto } from './proto/types';
import { WireReader } from './proto/wire-reader';

/** Keys an external_data entry may have (ONNX external-data security, attribute whitelist). */
const EXTERNAL_KEYS = new Set(['location', 'offset', 'length', 'checksum', 'basepath']);

/** What `Tensor.read` returns: numbers (int64 as the nearest double), or strings. */
export interface TensorRead {
  values: number[] | string[];
  /** Elements in the tensor. */
  total: number;
  truncated: boolean;
}

/**
 * A tensor of the model: dtype, shape and where its bytes are. Values are read on demand and
 * capped; nothing is read when the model is opened.
 */
export class Tensor {
  readonly dims: number[];
  readonly elementCount: number;

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

  /** The validated external-data reference; throws ModelFileError on unknown keys or bad numbers. */
  externalRef(): ExternalDataRef {
    const entries = new Map<string, string>();
    for (const e of this.proto.external_data) {
      const key = e.key ?? '';
      if (!EXTERNAL_KEYS.has(key)) throw new ModelFileError(`tensor '${this.name}': unknown external_data key '${key}'`, key);
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
    if (info.field === 'string_data') return this.proto.string_data.reduce((a, s) => a + s.length, 0);
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
   * Checks that the stored payload fits dtype and dims without reading values (external
   * files are opened and measured). Throws OnnxFormatError or ModelFileError. `read` runs it
   * first, so values are never decoded from an inconsistent tensor.
   */
  validate(): DataTypeInfo {
    const info = dataType(this.dtype);
    if (!info) this.fail(`has unknown data type ${this.dtype}`);
    const shape = `shape [${this.dims.join(',')}] of ${info.name}`;
    if (this.isExternal) {
      const size = this.externalSource().size;
      if (size < this.rawBytes(info)) this.fail(`needs ${this.rawBytes(info)} bytes of external data for ${shape}, the file range has ${size}`);
    } else if (this.proto.raw_data !== undefined) {
      const have = this.proto.raw_data.length;
      if (have !== this.rawBytes(info)) this.fail(`has ${have} bytes of raw_data, expected ${this.rawBytes(info)} for ${shape}`);
    } else if (info.field === 'string_data') {
      if (this.proto.string_data.length !== this.elementCount) this.fail(`has ${this.proto.string_data.length} strings for ${this.elementCount} elements`);
    } else {
      const stored = this.typedValuesStored(info);
      if (stored !== undefined && stored !== this.typedValuesNeeded(info)) this.fail(`has ${stored} values in ${info.field}, expected ${this.typedValuesNeeded(info)} for ${shape}`);
    }
    return info;
  }

  /** Reads up to `limit` elements (complex: real and imaginary parts interleaved). */
  read(limit = Infinity): TensorRead {
    const info = this.validate();
    const total = this.elementCount;
    const count = Math.min(total, limit);
    let values: number[] | string[];
    if (info.field === 'string_data') values = this.proto.string_data.slice(0, count).map((b) => utf8.decode(b));
    else {
      const scalars = count * scalarsPerElement(info);
      const raw = this.rawPayload(info, scalars);
      values = raw ? decodeRaw(info, raw, scalars) : this.readTypedField(info, scalars);
    }
    return { values, total, truncated: count < total };
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
    return rawByteLength({ ...info, bits: info.bits / scalarsPerElement(info) }, this.elementCount * scalarsPerElement(info));
  }

  /** int32_data holds two 4-bit or four 2-bit elements per entry; other fields one scalar each. */
  private typedValuesNeeded(info: DataTypeInfo): number {
    return Math.ceil((this.elementCount * scalarsPerElement(info)) / perInt32(info));
  }

  /** Entries stored in the typed field; undefined for a lazy varint field (counting would read it). */
  private typedValuesStored(info: DataTypeInfo): number | undefined {
    const data = this.proto[info.field as 'float_data'];
    if (!(data instanceof ByteRange)) return data.length;
    if (info.field === 'float_data') return data.length / 4;
    if (info.field === 'double_data') return data.length / 8;
    return undefined;
  }

  /** raw_data or external bytes holding the first `scalars` scalars; undefined when values are in a typed field. */
  private rawPayload(info: DataTypeInfo, scalars: number): Uint8Array | undefined {
    const need = Math.ceil((scalars * info.bits) / scalarsPerElement(info) / 8);
    if (this.isExternal) return this.externalSource().read(0, need).slice();
    const raw = this.proto.raw_data;
    if (raw === undefined) return undefined;
    return raw instanceof ByteRange ? raw.read(0, need) : raw.subarray(0, need);
  }

  private readTypedField(info: DataTypeInfo, count: number): number[] {
    const data = this.proto[info.field as 'float_data'];
    const per = perInt32(info);
    const entries = Math.ceil(count / per);
    const items = data instanceof ByteRange ? readPackedRange(data, info.field, entries) : (data as Array<number | bigint>).slice(0, entries).map(toNumber);
    if (info.field !== 'int32_data' || info.name === 'int32') return items.slice(0, count);
    // int32_data carries bit patterns of the narrower types (sub-byte types packed per entry).
    const bytes = new Uint8Array(items.length * (info.bits === 16 ? 2 : 1));
    const view = new DataView(bytes.buffer);
    items.forEach((v, i) => (info.bits === 16 ? view.setUint16(i * 2, v & 0xffff, true) : (bytes[i] = v & 0xff)));
    return decodeRaw(info, bytes, count);
  }
}

const utf8 = new TextDecoder();
const scalarsPerElement = (info: DataTypeInfo): number => (info.name.startsWith('complex') ? 2 : 1);
const perInt32 = (info: DataTypeInfo): number => (info.field === 'int32_data' && info.bits < 8 ? 8 / info.bits : 1);

function readPackedRange(range: ByteRange, field: string, count: number): number[] {
  if (field === 'float_data' || field === 'double_data') {
    const size = field === 'float_data' ? 4 : 8;
    const n = Math.min(count, Math.floor(range.length / size));
    const bytes = range.read(0, n * size);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    return Array.from({ length: n }, (_, i) => (size === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true)));
  }
  const r = new WireReader(range.source, range.offset, range.offset + range.length);
  const end = range.offset + range.length;
  const out: number[] = [];
  const signed = field !== 'uint64_data';
  while (r.pos < end && out.length < count) {
    const v = r.varint64(end, signed);
    out.push(field === 'int32_data' ? Number(BigInt.asIntN(32, BigInt(v))) : toNumber(v));
  }
  return out;
}

/** Decodes `count` elements from little-endian raw bytes. */
export function decodeRaw(info: DataTypeInfo, bytes: Uint8Array, count: number): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<number>(count);
  const sub = (i: number, bits: number): number => (bytes[Math.floor((i * bits) / 8)]! >> ((i * bits) % 8)) & ((1 << bits) - 1);
  for (let i = 0; i < count; i++) {
    switch (info.name) {
      case 'float': case 'complex64': out[i] = view.getFloat32(i * 4, true); break;
      case 'double': case 'complex128': out[i] = view.getFloat64(i * 8, true); break;
      case 'uint8': out[i] = view.getUint8(i); break;
      case 'int8': out[i] = view.getInt8(i); break;
      case 'bool': out[i] = view.getUint8(i) ? 1 : 0; break;
      case 'uint16': out[i] = view.getUint16(i * 2, true); break;
      case 'int16': out[i] = view.getInt16(i * 2, true); break;
      case 'int32': out[i] = view.getInt32(i * 4, true); break;
      case 'uint32': out[i] = view.getUint32(i * 4, true); break;
      case 'int64': out[i] = Number(view.getBigInt64(i * 8, true)); break;
      case 'uint64': out[i] = Number(view.getBigUint64(i * 8, true)); break;
      case 'float16': out[i] = F.float16ToNumber(view.getUint16(i * 2, true)); break;
      case 'bfloat16': out[i] = F.bfloat16ToNumber(view.getUint16(i * 2, true)); break;
      case 'float8e4m3fn': out[i] = F.float8e4m3fnToNumber(bytes[i]!); break;
      case 'float8e4m3fnuz': out[i] = F.float8e4m3fnuzToNumber(bytes[i]!); break;
      case 'float8e5m2': out[i] = F.float8e5m2ToNumber(bytes[i]!); break;
      case 'float8e5m2fnuz': out[i] = F.float8e5m2fnuzToNumber(bytes[i]!); break;
      case 'float8e8m0': out[i] = F.float8e8m0ToNumber(bytes[i]!); break;
      case 'uint4': out[i] = sub(i, 4); break;
      case 'int4': out[i] = (sub(i, 4) << 28) >> 28; break;
      case 'float4e2m1': out[i] = F.float4e2m1ToNumber(sub(i, 4)); break;
      case 'uint2': out[i] = sub(i, 2); break;
      case 'int2': out[i] = (sub(i, 2) << 30) >> 30; break;
      default: throw new Error(`no decoder for ${info.name}`);
    }
  }
  return out;
}
