import { statSync } from 'node:fs';

/** The summed sizes of files (a model and its data files); a missing one counts 0 (reading it reports the problem). */
export function fileSizes(paths: readonly string[]): number {
  let total = 0;
  for (const p of paths) {
    try {
      total += statSync(p).size;
    } catch {
      // missing: reported where its tensors are read
    }
  }
  return total;
}
