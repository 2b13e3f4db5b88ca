// Bounded reads of trtexec's output files through src/onnx/io: a file over its limit, one that is
// not UTF-8 text, or JSON cut short is refused with a ProfileFormatError naming the file.
import { openDataFile } from '../../onnx/io/data-files';
import { ProfileFormatError } from '../errors';

/** Layer info and profile JSON stay small (a 10,000-layer engine writes a few MB); anything far larger is not one. */
export const JSON_LIMIT = 128 * 1024 * 1024;
/** A log with --verbose tactic tables runs to MBs; it is read line by line, and one of many GB is refused. */
export const LOG_LIMIT = 4 * 1024 * 1024 * 1024;
/** No line (or --exportTimes record) trtexec writes comes near this; a longer one is no trtexec output, and would be carried piece after piece. */
export const LINE_LIMIT = 64 * 1024 * 1024;

function refuseOverLimit(path: string, size: number, what: string, limit: number): void {
  if (size > limit) throw new ProfileFormatError(`${path}: ${size.toLocaleString('en-US')} bytes, more than the ${limit.toLocaleString('en-US')} a trtexec ${what} may have`, path);
}

/** The file's bytes as text, refused over `limit` bytes or when not UTF-8. */
export function readProfileText(path: string, what: string, limit: number): string {
  const source = openDataFile(path);
  try {
    refuseOverLimit(path, source.size, what, limit);
    return decodeText(source.read(0, source.size), path, what);
  } finally {
    source.close();
  }
}

export function decodeText(bytes: Uint8Array, path: string, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new ProfileFormatError(`${path}: not UTF-8 text, so not a trtexec ${what}`, path, { cause: e });
  }
}

/** Parses a JSON file, naming the file and what it was expected to be when it is not JSON (truncated, another format). */
export function readProfileJson(path: string, what: string, limit = JSON_LIMIT): unknown {
  const text = readProfileText(path, what, limit);
  try {
    return JSON.parse(text);
  } catch (e) {
    const cut = text.trimEnd().length === 0 ? 'empty' : /[\]}]$/.test(text.trimEnd()) ? 'not valid JSON' : 'not valid JSON (cut short?)';
    throw new ProfileFormatError(`${path}: ${cut}, so not a trtexec ${what} (${(e as Error).message})`, path, { cause: e });
  }
}

/**
 * Calls `onChunk` with the file's text in pieces of about `chunkBytes` that end at a line break
 * (`lines`) or also after a `}` (JSON records), so a large --exportTimes file (one record per
 * inference) or a long log is scanned in bounded memory.
 */
export function scanProfileText(path: string, what: string, limit: number, onChunk: (text: string) => void, opts: { lines?: boolean; chunkBytes?: number } = {}): { size: number; first: string; last: string } {
  const chunkBytes = opts.chunkBytes ?? 4 * 1024 * 1024;
  const source = openDataFile(path);
  try {
    refuseOverLimit(path, source.size, what, limit);
    const decoder = new TextDecoder('utf-8', { fatal: true });
    let carry = '';
    let first = '';
    let last = '';
    for (let offset = 0; offset < source.size; offset += chunkBytes) {
      const done = offset + chunkBytes >= source.size;
      let text: string;
      try {
        text = carry + decoder.decode(source.read(offset, Math.min(chunkBytes, source.size - offset)), { stream: !done });
      } catch (e) {
        if (!(e instanceof TypeError)) throw e;
        throw new ProfileFormatError(`${path}: not UTF-8 text, so not a trtexec ${what}`, path, { cause: e });
      }
      if (!first) first = text.trimStart().slice(0, 1);
      const cut = done ? text.length - 1 : opts.lines ? text.lastIndexOf('\n') : Math.max(text.lastIndexOf('\n'), text.lastIndexOf('}'));
      // No break in this piece yet (a line longer than chunkBytes): carry it whole to the next.
      const piece = text.slice(0, cut + 1);
      carry = text.slice(cut + 1);
      if (carry.length > LINE_LIMIT) throw new ProfileFormatError(`${path}: a line of more than ${LINE_LIMIT.toLocaleString('en-US')} characters, so not a trtexec ${what}`, path);
      if (!piece) continue;
      if (piece.trim()) last = piece.trimEnd().slice(-1);
      onChunk(piece);
    }
    return { size: source.size, first, last };
  } finally {
    source.close();
  }
}
