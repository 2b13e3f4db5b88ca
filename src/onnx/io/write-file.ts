import { randomBytes } from 'node:crypto';
import { closeSync, constants, fchmodSync, fstatSync, fsyncSync, linkSync, lstatSync, openSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { WriteTargetError } from '../errors';
import type { ByteSink } from '../proto/encode';
import { NOFOLLOW } from './regular-file';


/** A file a write must not replace, with why (for the message), e.g. "the text refers to it". */
export type ProtectedFile = string | { path: string; why: string };

export interface WriteOptions {
  /**
   * Files the result must not replace: the input, and every file the written model or text
   * refers to (external data, weights files). Compared by identity (device and inode), so a
   * symlink or hard link to a protected file is refused too.
   */
  protect?: readonly ProtectedFile[];
  /** false: refuse to replace an existing file (the check and the final link are one atomic step). */
  replace?: boolean;
  /** Permission bits of a new file (an existing file's are kept). */
  mode?: number;
  /** Checked between chunks: when it returns true the write stops and the temp file is removed. */
  cancelled?: () => boolean;
}

/** Temp files being written by this process, removed if it exits (or is interrupted) before the rename. */
const inFlight = new Set<string>();
let exitHookInstalled = false;

/**
 * The one way ONNX Studio writes a file (CLI, extension, every transform): checks first that
 * the target is usable and replaces nothing protected, writes a temp file created exclusively
 * (O_EXCL, O_NOFOLLOW, unpredictable name) in the target's folder, fsyncs it and renames it
 * into place, so readers see the old file or the whole new one, never a part.
 */
export function writeFileAtomic(target: string, write: (sink: ByteSink) => void, options: WriteOptions = {}): void {
  const path = resolve(target);
  const existing = checkWritable(path, options.protect ?? []);
  if (existing && options.replace === false) throw new WriteTargetError(`${path} already exists`, path);
  const tmp = reserveTempPath(path);
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
  } catch (e) {
    inFlight.delete(tmp);
    throw new WriteTargetError(`cannot write in ${dirname(path)}: ${(e as Error).message}`, path, { cause: e });
  }
  try {
    try {
      // The temp file starts private; it gets the old file's permissions (or the default ones) before it is renamed.
      fchmodSync(fd, finalMode(existing, options.mode));
      write({
        write: (chunk) => {
          if (options.cancelled?.()) throw new WriteCancelled();
          for (let done = 0; done < chunk.length; ) done += writeSync(fd, chunk, done, chunk.length - done);
        },
      });
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (options.cancelled?.()) throw new WriteCancelled();
    if (options.replace === false) {
      // link() fails if the name was taken meanwhile, where rename() would replace it.
      try {
        linkSync(tmp, path);
      } catch (e) {
        throw new WriteTargetError((e as NodeJS.ErrnoException).code === 'EEXIST' ? `${path} already exists` : `cannot write ${path}: ${(e as Error).message}`, path, { cause: e });
      }
      removeQuietly(tmp);
      syncFolder(dirname(path));
    } else renameIntoPlace(tmp, path);
  } catch (e) {
    removeQuietly(tmp);
    throw e;
  }
}

/**
 * A temp name beside `path` (`.NAME.<16 hex>.tmp`, unpredictable) for a file about to be written
 * there, by us or by a program we run; removed when the process exits unless renamed into place
 * first. Temp files of earlier writes of `path` that were killed outright are removed now.
 */
export function reserveTempPath(path: string): string {
  removeStaleTempFiles(path);
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(8).toString('hex')}.tmp`);
  track(tmp);
  return tmp;
}

/** Renames a reserved temp file over `path` (a WriteTargetError when it cannot); it is no longer removed on exit. */
export function renameIntoPlace(tmp: string, path: string): void {
  try {
    renameSync(tmp, path);
  } catch (e) {
    throw new WriteTargetError(`cannot write ${path}: ${(e as Error).message}`, path, { cause: e });
  }
  inFlight.delete(tmp);
  syncFolder(dirname(path));
}

/** Removes a reserved temp file (it was not wanted after all). */
export function discardTempFile(tmp: string): void {
  removeQuietly(tmp);
}

/** The permissions a written file gets: the replaced file's, else `mode` (default 0o666) less the umask. */
export function finalMode(existing: Stats | undefined, mode = 0o666): number {
  return existing ? existing.mode & 0o7777 : mode & ~process.umask();
}

/** Thrown through the writer when `cancelled` turns true; nothing is left on disk. */
export class WriteCancelled extends Error {
  override name = 'WriteCancelled';
  constructor() {
    super('the write was cancelled; nothing was written');
  }
}

/**
 * The absolute path of an output given by a user. A name that can only mean a folder (`out/`,
 * `out/.`) is refused: resolving would drop the slash and write a file named `out`, or over one.
 */
export function outputPath(target: string): string {
  if (/(^|[\\/])(\.\.?)?$/.test(target)) throw new WriteTargetError(`cannot write ${target}: it names a folder; give a file name`, resolve(target));
  return resolve(target);
}

/**
 * A usable target: its folder exists, it is not a folder or a special file, and it is none of
 * `protect`. Returns what is there now, if anything.
 */
export function checkWritable(path: string, protect: readonly ProtectedFile[]): Stats | undefined {
  const folder = dirname(path);
  const dir = statOrUndefined(folder);
  if (!dir) throw new WriteTargetError(`cannot write ${path}: the folder ${folder} does not exist`, path);
  if (!dir.isDirectory()) throw new WriteTargetError(`cannot write ${path}: ${folder} is not a folder`, path);
  const existing = statOrUndefined(path);
  if (!existing) return undefined;
  if (existing.isDirectory()) throw new WriteTargetError(`cannot write ${path}: it is a folder`, path);
  if (!existing.isFile()) throw new WriteTargetError(`cannot write ${path}: it is not a regular file`, path);
  for (const entry of protect) {
    const p = resolve(typeof entry === 'string' ? entry : entry.path);
    const why = typeof entry === 'string' ? 'it is the input or a file the result refers to' : entry.why;
    const other = statOrUndefined(p);
    if (other && other.dev === existing.dev && other.ino === existing.ino) {
      throw new WriteTargetError(p === path ? `refusing to write over ${path}: ${why}` : `refusing to write over ${path}: it is the same file as ${p} (${why})`, path);
    }
  }
  return existing;
}

/** A temp file untouched this long was left by a writer killed outright (SIGKILL, power loss); a live writer touches it every chunk. */
const STALE_TEMP_MS = 60 * 60 * 1000;

/** Removes the temp files of earlier writes of `path` that were killed before they could remove them. */
function removeStaleTempFiles(path: string): void {
  const pattern = new RegExp(`^\\.${basename(path).replace(/[^\w]/g, '\\$&')}\\.[0-9a-f]{16}\\.tmp$`);
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return;
  }
  for (const name of names) {
    if (!pattern.test(name)) continue;
    const p = join(dirname(path), name);
    try {
      const st = lstatSync(p);
      if (st.isFile() && Date.now() - st.mtimeMs > STALE_TEMP_MS) unlinkSync(p);
    } catch {
      // gone meanwhile, or not ours to remove
    }
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function syncFolder(folder: string): void {
  try {
    const fd = openSync(folder, constants.O_RDONLY);
    try {
      if (fstatSync(fd).isDirectory()) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not every platform lets a folder be opened or synced; the rename itself is still atomic.
  }
}

/** Removes a reserved temp path; a folder there too (an external program may make one at its output path). */
function removeQuietly(path: string): void {
  inFlight.delete(path);
  try {
    unlinkSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EISDIR') return; // already gone
    try {
      rmSync(path, { recursive: true, force: true });
    } catch {
      // nothing more to do here
    }
  }
}

/** Deletes a file if it is there (a temp file, or an output that must not stay after a failure). */
export function removeFileQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}

function track(tmp: string): void {
  inFlight.add(tmp);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', removeTempFiles);
}

/** Removes temp files still being written; the CLI also calls it on SIGINT/SIGTERM/SIGHUP before exiting. */
export function removeTempFiles(): void {
  for (const tmp of [...inFlight]) removeQuietly(tmp);
}
