import { closeSync, constants, fstatSync, openSync, statSync } from 'node:fs';
import { ModelFileError } from '../errors';

/** Open flags that never block (a FIFO or a device opens at once) and, when asked, never follow a final symlink. */
const NONBLOCK = constants.O_NONBLOCK ?? 0;
export const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

/**
 * Opens a file for reading and checks, on the descriptor actually opened, that it is a regular
 * file: a FIFO, a socket or a device is refused instead of blocking the caller, a folder gets
 * a message of its own. Returns the descriptor (the caller closes it).
 */
export function openRegularFile(path: string, opts: { noFollow?: boolean; what?: string } = {}): number {
  const what = opts.what ?? path;
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | NONBLOCK | (opts.noFollow ? NOFOLLOW : 0));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ELOOP' && opts.noFollow) {
      throw new ModelFileError(`${what} is a symbolic link; refused`, path, { cause: e });
    }
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new ModelFileError(`${what} is a directory, not a regular file`, path);
    if (!st.isFile()) throw new ModelFileError(`${what} is not a regular file (${kindOf(st)}); refused`, path);
    return fd;
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function kindOf(st: import('node:fs').Stats): string {
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  return 'a special file';
}

/** What is at `path` (symlinks followed), for commands that take a file or a folder. */
export function pathKind(path: string): 'file' | 'folder' | 'other' | 'missing' {
  try {
    const st = statSync(path);
    return st.isDirectory() ? 'folder' : st.isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}
