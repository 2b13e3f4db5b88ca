import { randomBytes } from 'node:crypto';
import { closeSync, constants, fstatSync, fsyncSync, openSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import type { ByteSink } from '../proto/encode';

/** Why a file cannot be written; a CLI maps it to exit code 2, the extension to a message. */
export class WriteTargetError extends Error {
  override name = 'WriteTargetError';
  constructor(
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface WriteOptions {
  /**
   * Files the result must not replace: the input, and every file the written model or text
   * refers to (external data, weights files). Compared by identity (device and inode), so a
   * symlink or hard link to a protected file is refused too.
   */
  protect?: readonly string[];
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
  checkWritable(path, options.protect ?? []);
  const tmp = `${dirname(path)}/.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`;
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
  } catch (e) {
    throw new WriteTargetError(`cannot write in ${dirname(path)}: ${(e as Error).message}`, path, { cause: e });
  }
  track(tmp);
  try {
    try {
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
    renameSync(tmp, path);
    inFlight.delete(tmp);
    syncFolder(dirname(path));
  } catch (e) {
    removeQuietly(tmp);
    throw e;
  }
}

/** Thrown through the writer when `cancelled` turns true; nothing is left on disk. */
export class WriteCancelled extends Error {
  override name = 'WriteCancelled';
  constructor() {
    super('the write was cancelled; nothing was written');
  }
}

/** A usable target: its folder exists, it is not a folder or a special file, and it is none of `protect`. */
export function checkWritable(path: string, protect: readonly string[]): void {
  const folder = dirname(path);
  const dir = statOrUndefined(folder);
  if (!dir) throw new WriteTargetError(`cannot write ${path}: the folder ${folder} does not exist`, path);
  if (!dir.isDirectory()) throw new WriteTargetError(`cannot write ${path}: ${folder} is not a folder`, path);
  const existing = statOrUndefined(path);
  if (!existing) return;
  if (existing.isDirectory()) throw new WriteTargetError(`cannot write ${path}: it is a folder`, path);
  if (!existing.isFile()) throw new WriteTargetError(`cannot write ${path}: it is not a regular file`, path);
  for (const p of protect) {
    const other = statOrUndefined(resolve(p));
    if (other && other.dev === existing.dev && other.ino === existing.ino) {
      throw new WriteTargetError(
        resolve(p) === path ? `refusing to write over ${path}: it is the input or a file the result refers to` : `refusing to write over ${path}: it is the same file as ${p}, which the result needs`,
        path,
      );
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

function removeQuietly(path: string): void {
  inFlight.delete(path);
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

/** Removes temp files still being written; the CLI also calls it on SIGINT/SIGTERM before exiting. */
export function removeTempFiles(): void {
  for (const tmp of [...inFlight]) removeQuietly(tmp);
}
