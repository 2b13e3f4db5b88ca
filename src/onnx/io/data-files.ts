import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DataFileError } from '../errors';
import { FileSource } from './byte-source';
import { describeFileProblem } from './open-errors';
import { openRegularFile } from './regular-file';

export { DataFileError };

/**
 * Opens a data file for positional reads: a regular file only (a FIFO, socket or device is
 * refused without blocking), its size known before anything is read, so a header that
 * declares more than the file holds is refused before memory is taken for it.
 */
export function openDataFile(path: string): FileSource {
  try {
    return new FileSource(path, openRegularFile(path));
  } catch (e) {
    throw asDataFileError(path, e);
  }
}

/** The whole of a regular data file, refused when it is larger than `maxBytes`. */
export function readDataFile(path: string, maxBytes: number): Uint8Array {
  const source = openDataFile(path);
  try {
    if (source.size > maxBytes) {
      throw new DataFileError(`${path}: ${source.size.toLocaleString('en-US')} bytes, more than the ${maxBytes.toLocaleString('en-US')} a data file may have`, path);
    }
    return source.read(0, source.size);
  } finally {
    source.close();
  }
}

/** One entry of a data folder; `kind` is what the entry is after following symbolic links. */
export interface FolderEntry {
  name: string;
  path: string;
  kind: 'file' | 'folder' | 'other' | 'broken';
  /** Why an entry is `other` or `broken`: "a named pipe", "a symbolic link loop", ... */
  why?: string;
}

/**
 * The entries of a folder, sorted by name (code-point order, as Python's `sorted`), each
 * stat'ed once: FIFOs, sockets and devices come back as `other`, dangling links and link
 * loops as `broken`, so the caller can refuse them by name instead of blocking on them.
 */
export function listFolder(path: string): FolderEntry[] {
  let names: string[];
  try {
    if (!statSync(path).isDirectory()) throw new DataFileError(`${path}: not a folder`, path);
    names = readdirSync(path);
  } catch (e) {
    throw asDataFileError(path, e);
  }
  names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return names.map((name) => entry(path, name));
}

function entry(folder: string, name: string): FolderEntry {
  const path = join(folder, name);
  try {
    const st = statSync(path);
    if (st.isFile()) return { name, path, kind: 'file' };
    if (st.isDirectory()) return { name, path, kind: 'folder' };
    const why = st.isFIFO() ? 'a named pipe' : st.isSocket() ? 'a socket' : st.isCharacterDevice() || st.isBlockDevice() ? 'a device' : 'a special file';
    return { name, path, kind: 'other', why };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ELOOP' ? 'a symbolic link loop' : code === 'ENOENT' ? 'a dangling symbolic link' : (describeFileProblem(path, e)?.message ?? String(e));
    return { name, path, kind: 'broken', why };
  }
}

/** Errors met while opening are reworded once, by the one classifier, and carry the path. */
function asDataFileError(path: string, e: unknown): Error {
  if (e instanceof DataFileError) return e;
  const problem = describeFileProblem(path, e);
  if (!problem) return e as Error;
  const message = problem.message.replace('is a directory, not a model file', 'is a folder, not a data file');
  return new DataFileError(message, path, { cause: e });
}
