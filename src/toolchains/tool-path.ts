// Where an external program is: an explicit path (a machine-scoped setting, `--trtexec PATH`)
// or the first match on PATH. The extension reads the setting; this layer knows no VS Code.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join, resolve } from 'node:path';

/** Why a program cannot be run; the CLI exits 2 with it, the extension shows it with the setting to fix. */
export class ToolUnavailableError extends Error {
  override name = 'ToolUnavailableError';
  constructor(
    message: string,
    readonly program: string,
    readonly reason: 'missing' | 'not-executable' | 'directory' | 'not-on-path',
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The program to run: `explicit` when given (relative to `cwd`), else `name` looked up on PATH.
 * Throws ToolUnavailableError when it is missing, a directory or not executable.
 */
export function resolveToolPath(name: string, explicit?: string, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string {
  if (explicit) {
    const path = isAbsolute(explicit) ? explicit : resolve(cwd, explicit);
    checkExecutable(path);
    return path;
  }
  const found = findOnPath(name, env);
  if (!found) throw new ToolUnavailableError(`${name} was not found on PATH; give its path (setting or --${name} PATH)`, name, 'not-on-path');
  return found;
}

/** The first executable file named `name` in PATH's folders (with PATHEXT's extensions on Windows). */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const windows = process.platform === 'win32';
  const pathVar = (windows ? (env.Path ?? env.PATH) : env.PATH) ?? '';
  const exts = windows ? ['', ...(env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean)] : [''];
  for (const dir of pathVar.split(delimiter)) {
    if (!dir) continue; // an empty entry would mean the current folder: never run a program from there by accident
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Throws ToolUnavailableError unless `path` is an executable regular file (symlinks followed). */
export function checkExecutable(path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    throw new ToolUnavailableError(`${path}: no such program`, path, 'missing', { cause: e });
  }
  if (st.isDirectory()) throw new ToolUnavailableError(`${path}: is a directory, not a program`, path, 'directory');
  if (!st.isFile()) throw new ToolUnavailableError(`${path}: not a regular file; refused`, path, 'not-executable');
  if (process.platform === 'win32') return;
  try {
    accessSync(path, constants.X_OK);
  } catch (e) {
    throw new ToolUnavailableError(`${path}: not executable (permission denied)`, path, 'not-executable', { cause: e });
  }
}

function isExecutableFile(path: string): boolean {
  try {
    checkExecutable(path);
    return true;
  } catch {
    return false;
  }
}
