import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<string>();
let hooked = false;

/**
 * A private folder under the system's temp folder for intermediate files (a pre-processed
 * model that the runtime child loads). Removed by `remove()`, and when the process exits —
 * also on SIGINT/SIGTERM, since the CLI exits through process.exit there.
 */
export function makeTempFolder(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `${prefix}-`));
  live.add(path);
  if (!hooked) {
    hooked = true;
    process.on('exit', () => {
      for (const p of live) removeFolder(p);
    });
  }
  return {
    path,
    remove: () => {
      live.delete(path);
      removeFolder(path);
    },
  };
}

function removeFolder(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // nothing more to do on the way out
  }
}
