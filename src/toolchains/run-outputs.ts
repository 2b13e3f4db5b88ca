// The files an external program writes for us beside the model: each goes to a temp name in the
// target's folder (`.NAME.<hex>.tmp`, as writeFileAtomic names its own) and is renamed into place
// only when the run succeeded, so a failed or cancelled run leaves no partial engine. Temp
// files still there when the process exits (a signal, a crash in our code) are removed.
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, renameSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { WriteTargetError } from '../onnx/errors';
import { checkWritable, removeFileQuietly, type ProtectedFile } from '../onnx/io/write-file';

const live = new Set<string>();
let hooked = false;

/** A temp path beside `target`, removed on exit unless `commit`ted. */
export interface PendingOutput {
  target: string;
  temp: string;
}

export function pendingOutput(target: string): PendingOutput {
  const temp = join(dirname(target), `.${basename(target)}.${randomBytes(8).toString('hex')}.tmp`);
  live.add(temp);
  if (!hooked) {
    hooked = true;
    process.on('exit', removePendingOutputs);
  }
  return { target, temp };
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
  checkWritable(out.target, protect);
  try {
    renameSync(out.temp, out.target);
  } catch (e) {
    throw new WriteTargetError(`cannot write ${out.target}: ${(e as Error).message}`, out.target, { cause: e });
  }
  live.delete(out.temp);
}

export function discardOutput(out: PendingOutput): void {
  live.delete(out.temp);
  removeFileQuietly(out.temp);
}

/** Removes every temp output not committed yet (the CLI calls it on SIGINT/SIGTERM too). */
export function removePendingOutputs(): void {
  for (const temp of [...live]) {
    live.delete(temp);
    removeFileQuietly(temp);
  }
}

/** A log written line by line to a pending output (created exclusively, private until committed). */
export function openLogWriter(out: PendingOutput): { write: (line: string) => void; close: () => void } {
  let fd: number | undefined;
  try {
    fd = openSync(out.temp, 'wx', 0o644);
  } catch (e) {
    throw new WriteTargetError(`cannot write in ${dirname(out.target)}: ${(e as Error).message}`, out.target, { cause: e });
  }
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
