import { OnnxFormatError, ModelFileError } from './errors';
import { dataType, dataTypeName, rawByteLength, type DataTypeInfo } from './dtypes';
import * as F from './float-formats';
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
   * files are opened and measured). Throws OnnxFormatError or ModelFileError.
   */
  validate(): void {
    const info = dataType(this.dtype);
    if (!info) this.fail(`has unknown data type ${this.dtype}`);
    const complex = info.name.startsWith('complex');
    const expectedBytes = rawByteLength(complex ? { ...info, bits: info.bits / 2 } : info, this.elementCount * (complex ? 2 : 1));
    if (this.isExternal) {
      if (!this.files) return;
      const src = this.files.openExternal(this.externalRef());
      if (src.size < expectedBytes) this.fail(`needs ${expectedBytes} bytes of external data, the file range has ${src.size}`);
      return;
    }
    const raw = this.proto.raw_data;
    if (raw !== undefined) {
      if (raw.length !== expectedBytes) this.fail(`has ${raw.length} bytes of raw_data, expected ${expectedBytes} for shape [${this.dims.join(',')}] of ${info.name}`);
      return;
    }
    if (info.field === 'string_data') {
      if (this.proto.string_data.length !== this.elementCount) this.fail(`has ${this.proto.string_data.length} strings for ${this.elementCount} elements`);
      return;
    }
    const data = this.proto[info.field];
    const perInt = info.field === 'int32_data' && info.bits < 8 ? 8 / info.bits : 1;
    const needed = Math.ceil((this.elementCount * (complex ? 2 : 1)) / perInt);
    let stored: number | undefined;
    if (!(data instanceof ByteRange)) stored = (data as unknown[]).length;
    else if (info.field === 'float_data') stored = data.length / 4;
    else if (info.field === 'double_data') stored = data.length / 8;
    if (stored !== undefined && stored !== needed) this.fail(`has ${stored} values in ${info.field}, expected ${needed} for shape [${this.dims.join(',')}]`);
  }

  /** Reads up to `limit` elements. Throws OnnxFormatError / ModelFileError when the data is inconsistent or missing. */
  read(limit = Infinity): TensorRead {
    const info = dataType(this.dtype);
    if (!info) throw new OnnxFormatError(`tensor '${this.name}' has unknown data type ${this.dtype}`, 0);
    const total = this.elementCount;
    const count = Math.min(total, limit);
    const values = info.field === 'string_data' ? this.readStrings(count) : this.readNumbers(info, count);
    return { values, total, truncated: count < total };
  }

  private readStrings(count: number): string[] {
    const dec = new TextDecoder();
    if (this.proto.string_data.length < this.elementCount) this.fail(`has ${this.proto.string_data.length} strings for ${this.elementCount} elements`);
    return this.proto.string_data.slice(0, count).map((s) => dec.decode(s));
  }

  private fail(message: string): never {
    throw new OnnxFormatError(`tensor '${this.name}' ${message}`, this.proto.raw_data instanceof ByteRange ? this.proto.raw_data.offset : 0);
  }

  private readNumbers(info: DataTypeInfo, count: number): number[] {
    const perElement = info.name.startsWith('complex') ? 2 : 1;
    const payload = this.payloadBytes(info, count * perElement);
    if (payload) return decodeRaw(info, payload, count * perElement);
    return this.readTypedField(info, count * perElement);
  }

  /** raw_data or external bytes for the first `count` elements; undefined when values are in a typed field. */
  private payloadBytes(info: DataTypeInfo, count: number): Uint8Array | undefined {
    const bits = info.name.startsWith('complex') ? info.bits / 2 : info.bits;
    const need = Math.ceil((count * bits) / 8);
    const fullBytes = rawByteLength({ ...info, bits }, this.elementCount * (info.name.startsWith('complex') ? 2 : 1));
    if (this.isExternal) {
      if (!this.files) throw new ModelFileError(`tensor '${this.name}' has external data but no model folder to read it from`, '');
      const src = this.files.openExternal(this.externalRef());
      if (src.size < fullBytes) this.fail(`needs ${fullBytes} bytes of external data, '${src.name}' slice has ${src.size}`);
      return src.read(0, need).slice();
    }
    const raw = this.proto.raw_data;
    if (raw === undefined) return undefined;
    if (raw.length !== fullBytes) this.fail(`has ${raw.length} bytes of raw_data, expected ${fullBytes} for shape [${this.dims.join(',')}] of ${info.name}`);
    return raw instanceof ByteRange ? raw.read(0, need) : raw.subarray(0, need);
  }

  private readTypedField(info: DataTypeInfo, count: number): number[] {
    const data = this.proto[info.field as 'float_data'];
    const perInt = info.field === 'int32_data' && info.bits < 8 ? 8 / info.bits : 1;
    const needed = Math.ceil(this.elementCount * (info.name.startsWith('complex') ? 2 : 1) / perInt);
    let items: number[];
    if (data instanceof ByteRange) {
      items = readPackedRange(data, info.field, Math.ceil(count / perInt));
      const stored = info.field === 'float_data' ? data.length / 4 : info.field === 'double_data' ? data.length / 8 : needed;
      if (stored < needed) this.fail(`has ${stored} values in ${info.field}, expected ${needed}`);
    } else {
      if (data.length < needed) this.fail(`has ${data.length} values in ${info.field}, expected ${needed}`);
      items = (data as Array<number | bigint>).slice(0, Math.ceil(count / perInt)).map(toNumber);
    }
    if (info.field !== 'int32_data' || (info.bits === 32 && info.name === 'int32')) return items.slice(0, count);
    // int32_data carries bit patterns of the narrower types (sub-byte types packed per int32).
    const bytes = new Uint8Array(items.length * (perInt > 1 ? 1 : Math.ceil(info.bits / 8)));
    const view = new DataView(bytes.buffer);
    items.forEach((v, i) => {
      if (perInt > 1) bytes[i] = v & 0xff;
      else if (info.bits === 16) view.setUint16(i * 2, v & 0xffff, true);
      else bytes[i] = v & 0xff;
    });
    return decodeRaw(info, bytes, count);
  }
}

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
