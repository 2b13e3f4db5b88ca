import type { ByteSource } from '../io/byte-source';

/**
 * Bytes that stay in their file: a tensor payload (raw_data, or a packed numeric field's
 * payload) or an unknown field kept for re-encoding. Read on demand; the encoder streams it.
 */
export class ByteRange {
  constructor(
    readonly source: ByteSource,
    readonly offset: number,
    readonly length: number,
  ) {}
  /** The bytes, copied (a view into a reused buffer would not be safe to keep). */
  read(offset = 0, length = this.length - offset): Uint8Array {
    if (offset < 0 || length < 0 || offset + length > this.length) throw new RangeError('read outside the byte range');
    return this.source.read(this.offset + offset, length).slice();
  }
}

/** Signed 64-bit integers: a number where exact, a bigint beyond ±2^53. */
export type Int64 = number | bigint;

export const toNumber = (v: Int64): number => (typeof v === 'bigint' ? Number(v) : v);

/**
 * A run of consecutive entries of a repeated bytes field (TensorProto.string_data) left in the
 * file, tags included: a million short strings cost 40 bytes here, not a million objects.
 * The encoder writes the run back verbatim.
 */
export class StringRun extends ByteRange {
  constructor(
    source: ByteSource,
    offset: number,
    length: number,
    /** Entries in the run. */
    readonly count: number,
  ) {
    super(source, offset, length);
  }
}
