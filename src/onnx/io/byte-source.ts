import { closeSync, fstatSync, readSync } from 'node:fs';
import { openRegularFile } from './regular-file';

/**
 * Random access to the bytes of one file. The decoder reads through this so that weights are
 * never read unless asked for: a model file is opened, not loaded.
 */
export interface ByteSource {
  readonly size: number;
  /** A human-readable name (a path) for messages. */
  readonly name: string;
  /** Bytes [offset, offset + length). May return a view into an internal buffer; copy to keep. */
  read(offset: number, length: number): Uint8Array;
  close(): void;
}

/** Bytes already in memory (tests, a model built in memory, a webview upload). */
export class BufferSource implements ByteSource {
  readonly size: number;
  constructor(
    readonly bytes: Uint8Array,
    readonly name = '<memory>',
  ) {
    this.size = bytes.length;
  }
  read(offset: number, length: number): Uint8Array {
    if (offset < 0 || offset + length > this.size) throw new RangeError(`read past the end of ${this.name}`);
    return this.bytes.subarray(offset, offset + length);
  }
  close(): void {}
}

/** A file read with positional reads; nothing is cached beyond the caller's own buffers. */
export class FileSource implements ByteSource {
  readonly size: number;
  private fd: number | undefined;
  /** Opens `name` (a regular file, without blocking on anything else), or adopts an already opened descriptor (closed by `close()`). */
  constructor(readonly name: string, fd?: number) {
    this.fd = fd ?? openRegularFile(name);
    try {
      this.size = fstatSync(this.fd).size;
    } catch (e) {
      closeSync(this.fd);
      throw e;
    }
  }
  read(offset: number, length: number): Uint8Array {
    if (this.fd === undefined) throw new Error(`${this.name} is closed`);
    if (offset < 0 || offset + length > this.size) throw new RangeError(`read past the end of ${this.name}`);
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      // readSync takes at most 2 GiB - 1 bytes per call.
      const n = readSync(this.fd, out, done, Math.min(length - done, 2 ** 30), offset + done);
      if (n === 0) throw new RangeError(`${this.name} shrank while being read`);
      done += n;
    }
    return out;
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/** A slice [start, start + size) of another source, e.g. one tensor in an external-data file. */
export class SliceSource implements ByteSource {
  constructor(
    private readonly base: ByteSource,
    private readonly start: number,
    readonly size: number,
  ) {}
  get name(): string {
    return this.base.name;
  }
  read(offset: number, length: number): Uint8Array {
    if (offset < 0 || offset + length > this.size) throw new RangeError(`read past the end of a slice of ${this.name}`);
    return this.base.read(this.start + offset, length);
  }
  close(): void {}
}
