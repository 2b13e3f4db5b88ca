import { constants, fstatSync, lstatSync, openSync, closeSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { ModelFileError } from '../errors';
import { BufferSource, FileSource, SliceSource, type ByteSource } from './byte-source';

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
  private readonly baseDir: string;
  private readonly open = new Map<string, ByteSource>();

  constructor(modelPath: string) {
    this.model = new FileSource(modelPath);
    this.baseDir = realpathSync(dirname(resolve(modelPath)));
  }

  openExternal(ref: ExternalDataRef): ByteSource {
    const file = this.openDataFile(ref.location);
    return sliceOf(file, ref);
  }

  private openDataFile(location: string): ByteSource {
    const cached = this.open.get(location);
    if (cached) return cached;
    const path = resolveExternalPath(this.baseDir, location);
    const source = openWithoutLinks(path, location);
    this.open.set(location, source);
    return source;
  }

  close(): void {
    this.model.close();
    for (const s of this.open.values()) s.close();
    this.open.clear();
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

/** Canonical containment: the resolved path (symlinks in any component followed) stays under baseDir. */
export function resolveExternalPath(baseDir: string, location: string): string {
  checkLocationSyntax(location);
  const path = join(baseDir, location);
  let real: string;
  try {
    real = realpathSync(path);
  } catch (e) {
    throw new ModelFileError(`external data file '${location}' not found next to the model`, location, { cause: e });
  }
  const rel = relative(baseDir, real);
  if (rel === '' || rel.startsWith('..' + sep) || rel === '..' || isAbsolute(rel)) {
    throw new ModelFileError(`external data location '${location}' resolves outside the model's folder`, location);
  }
  if (lstatSync(path).isSymbolicLink()) {
    throw new ModelFileError(`external data file '${location}' is a symbolic link; refused`, location);
  }
  return path;
}

/** Opens without following a final symlink, then checks the opened file is a plain file with one link. */
function openWithoutLinks(path: string, location: string): ByteSource {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    throw new ModelFileError(`cannot open external data file '${location}': ${(e as Error).message}`, location, { cause: e });
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new ModelFileError(`external data '${location}' is not a regular file`, location);
    if (st.nlink > 1) throw new ModelFileError(`external data file '${location}' has ${st.nlink} hard links; refused`, location);
    return new FileSource(path, fd);
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}
