import { closeSync, fstatSync, readSync } from 'node:fs';
import { ModelFileError } from '../errors';
import { openRegularFile } from './regular-file';

/** A file that is not UTF-8 text (binary data, e.g. an ONNX model given where a text was expected). */
export class NotTextError extends ModelFileError {
  override name = 'NotTextError';
}

/** How much is read before deciding a file is binary, so a large model is refused without reading it all. */
const SNIFF_BYTES = 64 * 1024;

/**
 * Reads a UTF-8 text file (a regular file; a FIFO or device is refused without blocking). A
 * byte-order mark is dropped. Binary content (a NUL byte, or bytes that are not UTF-8) throws
 * NotTextError, decided from the first 64 KiB when it shows there.
 */
export function readTextFile(path: string): string {
  const fd = openRegularFile(path);
  try {
    const size = fstatSync(fd).size;
    const decoder = new TextDecoder('utf-8', { fatal: true });
    const chunks: string[] = [];
    const buf = Buffer.allocUnsafe(Math.min(Math.max(size, 1), SNIFF_BYTES));
    for (let offset = 0; ; ) {
      const n = readSync(fd, buf, 0, buf.length, offset);
      if (n === 0) break;
      const bytes = buf.subarray(0, n);
      const nul = bytes.indexOf(0);
      if (nul >= 0) throw new NotTextError(`${path} is binary (a NUL byte at byte ${offset + nul}), not text`, path);
      try {
        chunks.push(decoder.decode(bytes, { stream: true }));
      } catch (e) {
        throw new NotTextError(`${path} is not UTF-8 text (invalid bytes near byte ${offset})`, path, { cause: e });
      }
      offset += n;
    }
    try {
      chunks.push(decoder.decode());
    } catch (e) {
      throw new NotTextError(`${path} is not UTF-8 text (it ends inside a character)`, path, { cause: e });
    }
    return chunks.join('');
  } finally {
    closeSync(fd);
  }
}
