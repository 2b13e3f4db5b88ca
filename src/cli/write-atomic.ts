import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ByteSink } from '../onnx/proto/encode';

/**
 * Writes a result beside its input under a new name: into a temporary file renamed into place
 * when complete, so a failure or interruption leaves nothing half-written; never over `input`.
 */
export function writeAtomic(target: string, input: string, write: (sink: ByteSink) => void): void {
  if (resolve(target) === resolve(input)) throw new Error(`refusing to write over the input ${input}`);
  const tmp = `${target}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  try {
    try {
      write({ write: (chunk) => void writeSync(fd, chunk) });
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, target);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}
