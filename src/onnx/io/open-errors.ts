import { statSync } from 'node:fs';
import { DataFileError, ModelFileError, OnnxFormatError, TooLargeToPrint, WriteTargetError } from '../errors';

/** Why a file could not be used, for a person: the CLI prints it (exit 2), the editor shows it. */
export interface FileProblem {
  message: string;
  hint?: string;
  /** How far reading got, in bytes (the editor shows it). */
  readBytes: number;
}

const ERRNO: Record<string, (path: string) => FileProblem> = {
  ENOENT: (p) => ({ message: `${p}: no such file`, readBytes: 0 }),
  ENOTDIR: (p) => ({ message: `${p}: no such file (a part of the path is not a folder)`, readBytes: 0 }),
  EISDIR: (p) => ({ message: `${p}: is a directory, not a model file`, readBytes: 0 }),
  EACCES: (p) => ({ message: `${p}: permission denied`, hint: 'Check the file\'s permissions.', readBytes: 0 }),
  EPERM: (p) => ({ message: `${p}: operation not permitted`, hint: 'Check the file\'s permissions.', readBytes: 0 }),
  ELOOP: (p) => ({ message: `${p}: too many levels of symbolic links`, readBytes: 0 }),
  ENAMETOOLONG: (p) => ({ message: `${p}: the file name is too long`, readBytes: 0 }),
  EMFILE: (p) => ({ message: `${p}: too many open files`, hint: 'Close other programs or raise the open-file limit.', readBytes: 0 }),
};

/**
 * The one classification of errors met while opening, reading or writing a file. Returns
 * undefined for anything that is not about the file (a bug: the CLI exits 70 with it).
 */
export function describeFileProblem(path: string, e: unknown): FileProblem | undefined {
  if (e instanceof OnnxFormatError) {
    const hint = /Git LFS pointer/.test(e.message)
      ? 'Run `git lfs pull` in the repository to fetch the real model.'
      : e.offset > 0
        ? `The file is ${sizeOf(path).toLocaleString('en-US')} bytes; reading stopped at byte ${e.offset.toLocaleString('en-US')}. It may be truncated, or not an ONNX model.`
        : undefined;
    return { message: `${path}: not a valid ONNX model: ${e.message}`, hint, readBytes: e.offset };
  }
  if (e instanceof ModelFileError) {
    const external = e.path !== path;
    return {
      message: e.message.startsWith(path) ? e.message : `${path}: ${e.message}`,
      hint: external ? 'The model refers to an external data file that is missing or refused (external data must be a regular file inside the model\'s folder).' : undefined,
      readBytes: external ? sizeOf(path) : 0,
    };
  }
  if (e instanceof WriteTargetError || e instanceof DataFileError) return { message: e.message, readBytes: 0 };
  if (e instanceof TooLargeToPrint) return { message: `${path}: ${e.message}`, readBytes: 0 };
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  const known = code ? ERRNO[code] : undefined;
  if (known) return known(path);
  return undefined;
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
