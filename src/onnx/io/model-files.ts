import { closeSync, existsSync, fstatSync, lstatSync, readlinkSync, realpathSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ModelFileError } from '../errors';
import { BufferSource, FileSource, SliceSource, type ByteSource } from './byte-source';
import { openRegularFile } from './regular-file';

/** Where an external tensor's bytes are, as the model states them (TensorProto.external_data). */
export interface ExternalDataRef {
  location: string;
  offset: number;
  /** undefined: to the end of the file. */
  length: number | undefined;
}

/**
 * The only door from `src/onnx/` to the file system: the model file itself and the external
 * data files beside it. External-data paths are untrusted model content, so every rule of the
 * ONNX external-data security model is enforced here: no absolute paths, nothing that leaves
 * the model's folder (`..`, or a symlink in any component), no final symlink, no hard links,
 * offsets and lengths inside the file.
 */
export interface ModelFiles {
  readonly model: ByteSource;
  /** Opens the byte range of one external tensor. Throws ModelFileError when refused or missing. */
  openExternal(ref: ExternalDataRef): ByteSource;
  close(): void;
}

/** A model on disk; external data resolved against its folder. */
export class DiskModelFiles implements ModelFiles {
  readonly model: ByteSource;
  private readonly external: FolderExternalData;

  constructor(modelPath: string) {
    this.model = new FileSource(modelPath);
    try {
      this.external = new FolderExternalData(dirname(resolve(modelPath)));
    } catch (e) {
      this.model.close();
      throw e;
    }
  }

  openExternal(ref: ExternalDataRef): ByteSource {
    return this.external.openExternal(ref);
  }

  close(): void {
    this.model.close();
    this.external.close();
  }
}

/**
 * External data resolved against a folder, with no model file: a parsed ONNX text, whose
 * references are relative to the text file's folder (or, for an unsaved text, the folder of
 * the model it was printed from). `model` is empty.
 */
export class FolderExternalData implements ModelFiles {
  readonly model: ByteSource = new BufferSource(new Uint8Array(0), '<no model file>');
  /** The folder with every symlink resolved: what opened files are checked against. */
  readonly baseDir: string;
  private readonly open = new Map<string, ByteSource>();

  constructor(folder: string) {
    this.baseDir = realpathSync(resolve(folder));
  }

  openExternal(ref: ExternalDataRef): ByteSource {
    let file = this.open.get(ref.location);
    if (!file) {
      file = openDataFile(this.baseDir, ref.location);
      this.open.set(ref.location, file);
    }
    return sliceOf(file, ref);
  }

  close(): void {
    for (const s of this.open.values()) s.close();
    this.open.clear();
  }
}

/** External data for a text at `path`, saved or about to be: its folder's files, or undefined when that folder does not exist. */
export function externalDataBeside(path: string): FolderExternalData | undefined {
  try {
    return new FolderExternalData(dirname(resolve(path)));
  } catch {
    return undefined;
  }
}

/** A model held in memory, with optional in-memory external files keyed by location. */
export class MemoryModelFiles implements ModelFiles {
  readonly model: ByteSource;
  constructor(
    bytes: Uint8Array,
    private readonly external: ReadonlyMap<string, Uint8Array> = new Map(),
    name = '<memory>',
  ) {
    this.model = new BufferSource(bytes, name);
  }
  openExternal(ref: ExternalDataRef): ByteSource {
    checkLocationSyntax(ref.location);
    const data = this.external.get(ref.location);
    if (!data) throw new ModelFileError(`external data file '${ref.location}' not found`, ref.location);
    return sliceOf(new BufferSource(data, ref.location), ref);
  }
  close(): void {}
}

function sliceOf(file: ByteSource, ref: ExternalDataRef): ByteSource {
  if (ref.offset > file.size) {
    throw new ModelFileError(`external data offset ${ref.offset} is past the end of '${ref.location}' (${file.size} bytes)`, ref.location);
  }
  const length = ref.length ?? file.size - ref.offset;
  if (ref.offset + length > file.size) {
    throw new ModelFileError(
      `external data '${ref.location}' is too short: needs bytes ${ref.offset}..${ref.offset + length}, file has ${file.size}`,
      ref.location,
    );
  }
  return new SliceSource(file, ref.offset, length);
}

/** Rules that need no file system: absolute paths and `..` escapes are refused outright. */
function checkLocationSyntax(location: string): void {
  if (location === '') throw new ModelFileError('external data location is empty', location);
  if (location.includes('\0')) throw new ModelFileError('external data location contains a NUL byte', location);
  if (isAbsolute(location) || /^[a-zA-Z]:[\\/]/.test(location) || location.startsWith('\\')) {
    throw new ModelFileError(`external data location '${location}' is an absolute path; only paths inside the model's folder are allowed`, location);
  }
  const parts = location.split(/[\\/]/);
  if (parts.includes('..')) {
    throw new ModelFileError(`external data location '${location}' leaves the model's folder`, location);
  }
}

/**
 * Where a location points, for messages and for the files a write must not replace: the
 * path inside `baseDir`. Refuses what the syntax rules refuse; does not touch the file system.
 */
export function externalPath(baseDir: string, location: string): string {
  checkLocationSyntax(location);
  return join(baseDir, location);
}

/**
 * Opens an external data file and checks the file actually opened, not the path before it:
 * a folder on the path swapped for a symlink between a check and the open cannot redirect the
 * read. The open never blocks and never follows a final symlink; the descriptor must be a
 * regular file with one link, and its real path (/proc/self/fd/N on Linux) must be inside
 * `baseDir`. Elsewhere the file's identity (device, inode) must equal that of the path's real
 * location inside `baseDir`, re-resolved after the open: with one link, that is the same proof.
 */
function openDataFile(baseDir: string, location: string): ByteSource {
  const path = externalPath(baseDir, location);
  if (/[\\/]$/.test(location)) throw new ModelFileError(`external data location '${location}' names a folder, not a file`, location);
  // A readable message for the common refusals; the proof is on the descriptor below.
  const real = realLocation(path, location);
  if (!isInside(baseDir, real)) throw new ModelFileError(`external data location '${location}' resolves outside the model's folder`, location);
  let fd: number;
  try {
    fd = openRegularFile(path, { noFollow: true, what: `external data file '${location}'` });
  } catch (e) {
    if (e instanceof ModelFileError) throw new ModelFileError(e.message, location, { cause: e });
    throw new ModelFileError(`cannot open external data file '${location}': ${(e as Error).message}`, location, { cause: e });
  }
  try {
    const st = fstatSync(fd);
    if (st.nlink > 1) throw new ModelFileError(`external data file '${location}' has ${st.nlink} hard links; refused`, location);
    if (!openedInside(fd, st, baseDir, path)) throw new ModelFileError(`external data location '${location}' resolves outside the model's folder`, location);
    return new FileSource(path, fd);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function realLocation(path: string, location: string): string {
  try {
    return realpathSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new ModelFileError(`external data location '${location}' goes through a file as if it were a folder`, location, { cause: e });
    if (code === 'ELOOP') throw new ModelFileError(`external data location '${location}' has a symbolic link loop`, location, { cause: e });
    throw new ModelFileError(`external data file '${location}' not found next to the model`, location, { cause: e });
  }
}

function isInside(baseDir: string, real: string): boolean {
  const rel = relative(baseDir, real);
  return rel !== '' && rel !== '..' && !rel.startsWith('..' + sep) && !isAbsolute(rel);
}

const PROC_FD = process.platform === 'linux' && existsSync('/proc/self/fd');

function openedInside(fd: number, st: Stats, baseDir: string, path: string): boolean {
  if (PROC_FD) {
    let opened: string | undefined;
    try {
      opened = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      // A sandbox without a readable /proc: the identity check below.
    }
    if (opened !== undefined) return isInside(baseDir, opened);
  }
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return false;
  }
  if (!isInside(baseDir, real)) return false;
  const now = statSync(real, { throwIfNoEntry: false });
  return now !== undefined && now.dev === st.dev && now.ino === st.ino;
}

/**
 * A reference `location` relative to `fromFolder`, rewritten relative to `toFolder` (both
 * with symlinks resolved), or undefined when the file is not inside `toFolder`: external data
 * may not leave the folder of the model that refers to it.
 */
export function rebaseLocation(fromFolder: string, location: string, toFolder: string): string | undefined {
  const file = externalPath(realPath(fromFolder), location);
  const to = realPath(toFolder);
  if (!isInside(to, file) || refusedAsData(file)) return undefined;
  return relative(to, file).split(sep).join('/');
}

/**
 * A file openDataFile would refuse whatever the folder: a symlink or a file with several hard
 * links. A reference to it would be written only to be refused when read back; a missing file
 * is left to the read to report.
 */
function refusedAsData(file: string): boolean {
  const st = lstatSync(file, { throwIfNoEntry: false });
  return st !== undefined && (st.isSymbolicLink() || (st.isFile() && st.nlink > 1));
}

/**
 * A path with every symlink resolved; as given when it does not exist (a write there is
 * refused later, with its own message). A text refers to a symlinked model (Hugging Face's
 * cache, DVC, git-annex) by its real file, since a reader refuses a symlink as external data.
 */
export function realPath(path: string): string {
  try {
    return realpathSync(resolve(path));
  } catch {
    return resolve(path);
  }
}
