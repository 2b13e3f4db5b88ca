import { ByteRange, StringRun, type Int64 } from './byte-range';
import { UNKNOWN_FIELDS, type ProtoObject } from './decode';
import { messageInfo, type FieldInfo, type MessageInfo } from './schema';

/** Where encoded bytes go: a buffer in memory or a file being written. */
export interface ByteSink {
  write(chunk: Uint8Array): void;
}

const CHUNK = 64 * 1024;
const COPY_CHUNK = 16 * 1024 * 1024;
const encoder = new TextEncoder();

/**
 * Encodes `obj` as a `typeName` message, fields in field-number order, into `sink`. Lazy
 * tensor payloads (ByteRange) are streamed from their source; unknown fields are written back
 * verbatim. Sizes are computed once per message in a first pass.
 */
export function encodeMessage(obj: ProtoObject, typeName: string, sink: ByteSink): void {
  const w = new Writer(sink);
  const sizes = new Map<object, number>();
  const type = messageInfo(typeName);
  messageSize(obj, type, sizes);
  writeMessage(w, obj, type, sizes);
  w.flush();
}

/** Bytes `obj` takes encoded (nothing is read or produced: lazy payloads have known lengths). */
export function encodedSize(obj: ProtoObject, typeName: string): number {
  return messageSize(obj, messageInfo(typeName), new Map());
}

/** Encodes into one buffer (tests, small models). */
export function encodeToBytes(obj: ProtoObject, typeName: string): Uint8Array {
  const chunks: Uint8Array[] = [];
  encodeMessage(obj, typeName, { write: (c) => chunks.push(c.slice()) });
  return Buffer.concat(chunks);
}

// ---- sizes ----

function messageSize(obj: ProtoObject, type: MessageInfo, sizes: Map<object, number>): number {
  let size = 0;
  for (const f of type.fields) {
    const v = obj[f.name];
    if (v === undefined || v === null) continue;
    if (f.repeated) size += repeatedSize(v as unknown[] | ByteRange, f, sizes);
    else size += tagSize(f.number) + valueSize(v, f, sizes);
  }
  for (const u of (obj[UNKNOWN_FIELDS] as ByteRange[] | undefined) ?? []) size += u.length;
  sizes.set(obj, size);
  return size;
}

function repeatedSize(v: unknown[] | ByteRange, f: FieldInfo, sizes: Map<object, number>): number {
  if (v instanceof StringRun) return v.length;
  if (v instanceof ByteRange) return tagSize(f.number) + varintSize(v.length) + v.length;
  if (v.length === 0) return 0;
  if (f.packed) {
    const payload = packedPayloadSize(v, f);
    return tagSize(f.number) + varintSize(payload) + payload;
  }
  let size = 0;
  for (const e of v) size += tagSize(f.number) + valueSize(e, f, sizes);
  return size;
}

function packedPayloadSize(v: unknown[], f: FieldInfo): number {
  if (f.wireType === 5) return 4 * v.length;
  if (f.wireType === 1) return 8 * v.length;
  let size = 0;
  for (const e of v) size += scalarVarintSize(e, f);
  return size;
}

function valueSize(v: unknown, f: FieldInfo, sizes: Map<object, number>): number {
  if (f.message) {
    const inner = messageSize(v as ProtoObject, messageInfo(f.message), sizes);
    return varintSize(inner) + inner;
  }
  switch (f.wireType) {
    case 5:
      return 4;
    case 1:
      return 8;
    case 0:
      return scalarVarintSize(v, f);
    default: {
      const len = byteLength(v);
      return varintSize(len) + len;
    }
  }
}

function byteLength(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (v instanceof ByteRange) return v.length;
  return (v as Uint8Array).length;
}

function scalarVarintSize(v: unknown, f: FieldInfo): number {
  if (f.scalar === 'bool') return 1;
  const [lo, hi] = split64(v as Int64 | boolean);
  return varint64Size(lo, hi);
}

const tagSize = (n: number): number => varintSize(n * 8);

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function varint64Size(lo: number, hi: number): number {
  if (hi === 0) return varintSize(lo >>> 0);
  // Five bytes carry bits 0..34; each further byte 7 more.
  let size = 5;
  for (let h = hi >>> 3; h > 0; h >>>= 7) size++;
  return size;
}

/** Two's-complement 64-bit halves of an integer (negative numbers take 10 bytes as varints). */
function split64(v: Int64 | boolean): [number, number] {
  if (typeof v === 'boolean') return [v ? 1 : 0, 0];
  if (typeof v === 'bigint') {
    const u = BigInt.asUintN(64, v);
    return [Number(u & 0xffffffffn), Number(u >> 32n)];
  }
  if (v >= 0) return [v % 0x100000000, Math.floor(v / 0x100000000)];
  const a = -v;
  let lo = a % 0x100000000;
  let hi = Math.floor(a / 0x100000000);
  lo = (~lo + 1) >>> 0;
  hi = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  return [lo, hi];
}

// ---- writing ----

class Writer {
  private buf = Buffer.allocUnsafe(CHUNK);
  private n = 0;
  constructor(private readonly sink: ByteSink) {}

  private room(k: number): void {
    if (this.n + k > this.buf.length) {
      this.flush();
      if (k > this.buf.length) this.buf = Buffer.allocUnsafe(k);
    }
  }
  flush(): void {
    if (this.n > 0) this.sink.write(this.buf.subarray(0, this.n));
    this.buf = Buffer.allocUnsafe(Math.max(CHUNK, this.buf.length));
    this.n = 0;
  }
  varint(v: number): void {
    this.room(10);
    while (v >= 0x80) {
      this.buf[this.n++] = (v % 128) | 0x80;
      v = Math.floor(v / 128);
    }
    this.buf[this.n++] = v;
  }
  varint64(lo: number, hi: number): void {
    if (hi === 0) return this.varint(lo);
    this.room(10);
    lo >>>= 0;
    hi >>>= 0;
    while (hi > 0 || lo >= 0x80) {
      this.buf[this.n++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    this.buf[this.n++] = lo;
  }
  float(v: number): void {
    this.room(4);
    this.buf.writeFloatLE(v, this.n);
    this.n += 4;
  }
  double(v: number): void {
    this.room(8);
    this.buf.writeDoubleLE(v, this.n);
    this.n += 8;
  }
  bytes(b: Uint8Array): void {
    if (b.length > CHUNK) {
      this.flush();
      this.sink.write(b);
      return;
    }
    this.room(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }
  range(r: ByteRange): void {
    this.flush();
    for (let at = 0; at < r.length; at += COPY_CHUNK) {
      this.sink.write(r.source.read(r.offset + at, Math.min(COPY_CHUNK, r.length - at)));
    }
  }
}

function writeMessage(w: Writer, obj: ProtoObject, type: MessageInfo, sizes: Map<object, number>): void {
  for (const f of type.fields) {
    const v = obj[f.name];
    if (v === undefined || v === null) continue;
    if (!f.repeated) {
      writeField(w, v, f, sizes);
    } else if (v instanceof StringRun) {
      w.range(v);
    } else if (v instanceof ByteRange) {
      w.varint(f.number * 8 + 2);
      w.varint(v.length);
      w.range(v);
    } else if (f.packed && (v as unknown[]).length > 0) {
      const list = v as unknown[];
      w.varint(f.number * 8 + 2);
      w.varint(packedPayloadSize(list, f));
      for (const e of list) writeScalar(w, e, f);
    } else {
      for (const e of v as unknown[]) writeField(w, e, f, sizes);
    }
  }
  for (const u of (obj[UNKNOWN_FIELDS] as ByteRange[] | undefined) ?? []) w.range(u);
}

function writeField(w: Writer, v: unknown, f: FieldInfo, sizes: Map<object, number>): void {
  w.varint(f.number * 8 + f.wireType);
  if (f.message) {
    const size = sizes.get(v as object);
    if (size === undefined) throw new Error(`internal: no size for ${f.name}`);
    w.varint(size);
    writeMessage(w, v as ProtoObject, messageInfo(f.message), sizes);
    return;
  }
  writeScalar(w, v, f);
}

function writeScalar(w: Writer, v: unknown, f: FieldInfo): void {
  switch (f.wireType) {
    case 0: {
      const [lo, hi] = split64(v as Int64 | boolean);
      return w.varint64(lo, hi);
    }
    case 5:
      return w.float(v as number);
    case 1:
      return w.double(v as number);
    default: {
      if (v instanceof ByteRange) {
        w.varint(v.length);
        return w.range(v);
      }
      const b = typeof v === 'string' ? encoder.encode(v) : (v as Uint8Array);
      w.varint(b.length);
      return w.bytes(b);
    }
  }
}
