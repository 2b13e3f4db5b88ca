// Runs our own CLI (dist/cli.js) as a child process, as the transforms do (DESIGN.md: the
// report view shows exactly the CLI's JSON; onnxruntime-node never runs in the extension host).
// argv only, no shell. The child leads a process group of its own, so cancelling ends it and
// the onnxruntime child it started; the CLI removes its temp file on SIGTERM.
import { spawn } from 'node:child_process';

export interface CliResult {
  /** Exit code; null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  cancelled: boolean;
}

export interface CliRunOptions {
  cwd: string;
  /** Each line the CLI writes to stderr (progress, warnings, "written"). */
  onStderrLine?: (line: string) => void;
  /** Resolves when the run should be cancelled. */
  cancel?: Promise<void>;
}

/** How long a SIGTERM'd CLI may take to remove its temp file and exit before it is killed. */
const KILL_AFTER_MS = 15_000;

/**
 * `process.execPath` is Node in code-server and the server's extension host, Electron in desktop
 * VS Code: ELECTRON_RUN_AS_NODE makes Electron run the script as Node (Node ignores it).
 */
export function runCli(cliScript: string, args: string[], opts: CliRunOptions): Promise<CliResult> {
  const group = process.platform !== 'win32';
  const child = spawn(process.execPath, [cliScript, ...args], {
    cwd: opts.cwd,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: group,
    windowsHide: true,
  });
  const stdout: Buffer[] = [];
  let stderr = '';
  let partial = '';
  let cancelled = false;
  child.stdout.on('data', (d: Buffer) => stdout.push(d));
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    stderr += d;
    const lines = (partial + d).split(/\r?\n/);
    partial = lines.pop()!;
    for (const line of lines) if (line) opts.onStderrLine?.(line);
  });
  const signal = (sig: NodeJS.Signals): void => {
    try {
      if (group) process.kill(-child.pid!, sig);
      else child.kill(sig);
    } catch {
      // already gone
    }
  };
  let hardKill: NodeJS.Timeout | undefined;
  void opts.cancel?.then(() => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    cancelled = true;
    signal('SIGTERM');
    hardKill = setTimeout(() => signal('SIGKILL'), KILL_AFTER_MS);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearTimeout(hardKill);
      if (partial) opts.onStderrLine?.(partial);
      resolve({ code, signal: sig, stdout: Buffer.concat(stdout).toString('utf8'), stderr, cancelled });
    });
  });
}

/** A command line as the output channel shows it (quoted where a shell would need it). */
export function commandLine(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
