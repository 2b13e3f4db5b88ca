// The files an external program writes for us beside the model: each goes to a temp name in the
// target's folder, reserved through writeFileAtomic's own primitives (its `.NAME.<hex>.tmp` names,
// its removal on exit, its checked rename), and is renamed into place only when the run
// succeeded, so a failed or cancelled run leaves no partial engine.
import { chmodSync, closeSync, openSync, statSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { WriteTargetError } from '../onnx/errors';
import { checkWritable, discardTempFile, finalMode, renameIntoPlace, reserveTempPath, type ProtectedFile } from '../onnx/io/write-file';

/** A temp path beside `target`, removed on exit unless `commit`ted. */
export interface PendingOutput {
  target: string;
  temp: string;
  /** Created by us private (the log): it gets a new file's usual permissions when committed. */
  privateUntilCommit?: boolean;
}

export function pendingOutput(target: string): PendingOutput {
  return { target, temp: reserveTempPath(target) };
}

/** Whether the program wrote the temp file (a regular file, not empty). */
export function wasWritten(out: PendingOutput): boolean {
  try {
    const st = statSync(out.temp);
    return st.isFile() && st.size > 0;
  } catch {
    return false;
  }
}

/** Renames the temp file over the target, after checking again that the target replaces nothing protected. */
export function commitOutput(out: PendingOutput, protect: readonly ProtectedFile[]): void {
  const existing = checkWritable(out.target, protect);
  if (out.privateUntilCommit) {
    try {
      chmodSync(out.temp, finalMode(existing));
    } catch (e) {
      throw new WriteTargetError(`cannot write ${out.target}: ${(e as Error).message}`, out.target, { cause: e });
    }
  }
  renameIntoPlace(out.temp, out.target);
}

export function discardOutput(out: PendingOutput): void {
  discardTempFile(out.temp);
}

/** A log written line by line to a pending output (created exclusively, private until committed). */
export function openLogWriter(out: PendingOutput): { write: (line: string) => void; close: () => void } {
  let fd: number | undefined;
  try {
    fd = openSync(out.temp, 'wx', 0o600);
  } catch (e) {
    throw new WriteTargetError(`cannot write in ${dirname(out.target)}: ${(e as Error).message}`, out.target, { cause: e });
  }
  out.privateUntilCommit = true;
  return {
    write: (line) => {
      if (fd !== undefined) writeSync(fd, line + '\n');
    },
    close: () => {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
    },
  };
}
