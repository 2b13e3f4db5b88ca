import type { ByteSource } from '../io/byte-source';
import { OnnxFormatError } from '../errors';

/** Bytes read from the file at a time while walking its structure; tensor payloads are skipped, not read. */
const WINDOW = 16 * 1024;

/**
 * A cursor over protobuf wire data in a ByteSource. It keeps one window of the file in memory
 * and refills it only for the bytes the decoder actually looks at, so skipping a 100 MB
 * raw_data field costs nothing.
 */
export class WireReader {
  /** Absolute position of the next byte to read. */
  pos: number;
  private buf: Uint8Array = new Uint8Array(0);
  private bufStart = 0;
  private readonly whole: boolean;

  constructor(
    readonly source: ByteSource,
    start: number,
    readonly end: number,
  ) {
    this.pos = start;
    // Small sources are read once, in full.
    this.whole = source.size <= WINDOW * 4;
    if (this.whole) {
      this.buf = source.read(0, source.size);
      this.bufStart = 0;
    }
  }

  fail(message: string, at = this.pos): never {
    throw new OnnxFormatError(message, at);
  }

  /** Makes [pos, pos + n) addressable in `buf`; returns the index of pos in buf. */
  private ensure(n: number, limit: number): number {
    if (this.pos + n > limit) this.fail(n === 1 ? 'unexpected end of data' : `a field of ${n} bytes runs past the end of its message`);
    let i = this.pos - this.bufStart;
    if (i < 0 || i + n > this.buf.length) {
      const len = Math.min(Math.max(n, WINDOW), this.source.size - this.pos);
      this.buf = this.source.read(this.pos, len);
      this.bufStart = this.pos;
      i = 0;
    }
    return i;
  }

  /** Varint as a number when exact, else bigint; `signed` reads two's-complement 64-bit. */
  varint64(limit: number, signed: boolean): number | bigint {
    const start = this.pos;
    const avail = Math.min(10, limit - this.pos);
    if (avail <= 0) this.fail('unexpected end of data');
    let i = this.ensure(avail, limit);
    const buf = this.buf;
    let b = buf[i++]!;
    if (b < 0x80) {
      this.pos++;
      return b;
    }
    // Low 28 bits, then high bits, as two 32-bit halves.
    let lo = b & 0x7f;
    let hi = 0;
    let shift = 7;
    let n = 1;
    for (; n < 4; n++) {
      if (n >= avail) this.fail('truncated varint', start);
      b = buf[i++]!;
      lo |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) return this.finish(start, n + 1, lo >>> 0, 0, signed);
    }
    if (n >= avail) this.fail('truncated varint', start);
    b = buf[i++]!;
    n++;
    lo |= (b & 0x0f) << 28;
    hi = (b & 0x7f) >> 4;
    if (b < 0x80) return this.finish(start, n, lo >>> 0, hi, signed);
    shift = 3;
    for (; n < 10; n++) {
      if (n >= avail) this.fail('truncated varint', start);
      b = buf[i++]!;
      hi |= (b & 0x7f) << shift;
      shift += 7;
      if (b < 0x80) return this.finish(start, n + 1, lo >>> 0, hi >>> 0, signed);
    }
    return this.fail('varint longer than 10 bytes', start);
  }

  private finish(start: number, len: number, lo: number, hi: number, signed: boolean): number | bigint {
    this.pos = start + len;
    if (signed && hi & 0x80000000) {
      // Negative: value = -(2^64 - (hi:lo)).
      const nlo = (~lo + 1) >>> 0;
      const nhi = (~hi + (nlo === 0 ? 1 : 0)) >>> 0;
      if (nhi < 0x200000) return -(nhi * 0x100000000 + nlo);
      return -((BigInt(nhi) << 32n) | BigInt(nlo));
    }
    if (hi < 0x200000) return hi * 0x100000000 + lo;
    return (BigInt(hi) << 32n) | BigInt(lo);
  }

  /** A varint that must fit in a non-negative safe number (tags, lengths). */
  uint(limit: number, what: string): number {
    const at = this.pos;
    const v = this.varint64(limit, false);
    if (typeof v !== 'number') this.fail(`${what} is out of range`, at);
    return v;
  }

  int32(limit: number): number {
    const v = this.varint64(limit, true);
    if (typeof v === 'number' && v >= -0x80000000 && v <= 0x7fffffff) return v;
    return Number(BigInt.asIntN(32, BigInt(v)));
  }

  uint32(limit: number): number {
    const v = this.varint64(limit, false);
    if (typeof v === 'number' && v <= 0xffffffff) return v;
    return Number(BigInt.asUintN(32, BigInt(v)));
  }

  float(limit: number): number {
    const i = this.ensure(4, limit);
    this.pos += 4;
    return new DataView(this.buf.buffer, this.buf.byteOffset + i, 4).getFloat32(0, true);
  }

  double(limit: number): number {
    const i = this.ensure(8, limit);
    this.pos += 8;
    return new DataView(this.buf.buffer, this.buf.byteOffset + i, 8).getFloat64(0, true);
  }

  /** Raw bytes of a length-delimited payload (copied). */
  bytes(length: number, limit: number): Uint8Array {
    const i = this.ensure(length, limit);
    this.pos += length;
    return this.buf.slice(i, i + length);
  }

  string(length: number, limit: number): string {
    const i = this.ensure(length, limit);
    this.pos += length;
    return decoder.decode(this.buf.subarray(i, i + length));
  }

  /** Skips `length` bytes without reading them. */
  skipBytes(length: number, limit: number): void {
    if (this.pos + length > limit) this.fail(`a field of ${length} bytes runs past the end of its message`);
    this.pos += length;
  }

  /** Skips a field of the given wire type whose tag was just read. */
  skipField(wireType: number, limit: number, tagAt: number): void {
    switch (wireType) {
      case 0:
        this.varint64(limit, false);
        return;
      case 1:
        return this.skipBytes(8, limit);
      case 2:
        return this.skipBytes(this.uint(limit, 'length'), limit);
      case 5:
        return this.skipBytes(4, limit);
      default:
        this.fail(`unsupported wire type ${wireType}`, tagAt);
    }
  }
}

const decoder = new TextDecoder('utf-8', { fatal: false });
