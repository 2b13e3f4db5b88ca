import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<string>();
let hooked = false;
const swept = new Set<string>();

/**
 * A private folder under the system's temp folder for intermediate files (a pre-processed
 * model that the runtime child loads). Removed by `remove()`, and when the process exits —
 * also on SIGINT/SIGTERM, since the CLI exits through process.exit there. Its name carries
 * the process id, so that the folders of a process killed outright (SIGKILL, a crash) — a
 * copy of the model each — are removed by the next process that makes one.
 */
export function makeTempFolder(prefix: string): { path: string; remove: () => void } {
  sweepDeadFolders(prefix);
  const path = mkdtempSync(join(tmpdir(), `${prefix}-${process.pid}-`));
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

/** Removes `<prefix>-<pid>-XXXXXX` folders whose process no longer exists (once per prefix and process). */
function sweepDeadFolders(prefix: string): void {
  if (swept.has(prefix)) return;
  swept.add(prefix);
  const pattern = new RegExp(`^${prefix.replace(/[^\w-]/g, '\\$&')}-(\\d+)-[A-Za-z0-9]{6}$`);
  let names: string[];
  try {
    names = readdirSync(tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (pid && pid !== process.pid && !alive(pid)) removeFolder(join(tmpdir(), name));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, under another user.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function removeFolder(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // nothing more to do on the way out
  }
}
