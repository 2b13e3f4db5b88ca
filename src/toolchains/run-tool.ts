// THE one way ONNX Studio runs an external program (trtexec, polygraphy, our own CLI): argv only,
// never a shell, so a model path with spaces, quotes or `;` is one argument and nothing more.
// The program leads a process group of its own (POSIX), so cancelling ends it and every child
// it started (trtexec's builders, the CLI's onnxruntime child), not only the first process.
import { spawn } from 'node:child_process';
import { checkExecutable, ToolUnavailableError } from './tool-path';

export { ToolUnavailableError };

export interface ToolResult {
  /** Exit code; null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** All of stdout and stderr (unless `keepOutput` is false). */
  stdout: string;
  stderr: string;
  /** The run was cancelled (and its process group signalled). */
  cancelled: boolean;
}

export interface ToolRunOptions {
  cwd?: string;
  /** Added to (and overriding) this process's environment. */
  env?: NodeJS.ProcessEnv;
  /** Each complete line of stdout / stderr as it comes (no line end; the last partial line at exit; a line over 1 Mi characters is cut, with a marker). */
  onStdoutLine?: (line: string) => void;
  onStderrLine?: (line: string) => void;
  /** Resolves when the run should be cancelled: SIGTERM to the group, SIGKILL after `killAfterMs`. */
  cancel?: Promise<void>;
  /** How long a SIGTERM'd program may take to clean up before its group is killed (default 10 s). */
  killAfterMs?: number;
  /** false: stdout/stderr go only to the line callbacks (a long build log is not held in memory). */
  keepOutput?: boolean;
}

const DEFAULT_KILL_AFTER_MS = 10_000;

/**
 * Runs `program` (a path; see resolveToolPath for a bare name) with `args`. Rejects with a
 * ToolUnavailableError when the program is missing, a directory or not executable; otherwise
 * resolves when the program and its output pipes are closed, whatever the exit code.
 */
export function runTool(program: string, args: readonly string[], opts: ToolRunOptions = {}): Promise<ToolResult> {
  try {
    checkExecutable(program);
  } catch (e) {
    return Promise.reject(e);
  }
  const group = process.platform !== 'win32';
  const child = spawn(program, [...args], {
    cwd: opts.cwd,
    env: opts.env ? { ...process.env, ...opts.env } : process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: group,
    windowsHide: true,
    shell: false,
  });
  const keep = opts.keepOutput !== false;
  const stdout = lineReader(opts.onStdoutLine, keep);
  const stderr = lineReader(opts.onStderrLine, keep);
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', stdout.push);
  child.stderr.on('data', stderr.push);

  let cancelled = false;
  let closed = false;
  const signal = (sig: NodeJS.Signals): void => {
    try {
      if (group && child.pid) process.kill(-child.pid, sig);
      else child.kill(sig);
    } catch {
      // the group is gone already
    }
  };
  let hardKill: NodeJS.Timeout | undefined;
  void opts.cancel?.then(() => {
    if (closed || cancelled) return;
    cancelled = true;
    signal('SIGTERM');
    hardKill = setTimeout(() => signal('SIGKILL'), opts.killAfterMs ?? DEFAULT_KILL_AFTER_MS);
  });

  return new Promise((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (closed) return;
      closed = true;
      clearTimeout(hardKill);
      reject(spawnError(program, e));
    });
    child.on('close', (code, sig) => {
      if (closed) return;
      closed = true;
      clearTimeout(hardKill);
      // A cancelled program may leave members of its group that ignored SIGTERM: none may outlive the run.
      if (cancelled) signal('SIGKILL');
      stdout.end();
      stderr.end();
      resolve({ code, signal: sig, stdout: stdout.text(), stderr: stderr.text(), cancelled });
    });
  });
}

/** The most of one line kept in memory; the rest of a longer line is dropped, with a marker. */
const MAX_LINE_CHARS = 1 << 20;

/**
 * Splits a stream into lines (\n or \r\n) for a callback, keeping the whole text when asked.
 * Linear in the output: each chunk is scanned once and a line's pieces are joined once, at its end.
 */
function lineReader(onLine: ((line: string) => void) | undefined, keep: boolean) {
  const chunks: string[] = [];
  let pieces: string[] = [];
  let kept = 0; // characters of the current line in `pieces`
  let total = 0; // characters of the current line seen
  const add = (s: string): void => {
    total += s.length;
    const room = MAX_LINE_CHARS - kept;
    if (room <= 0 || !s) return;
    const piece = s.length > room ? s.slice(0, room) : s;
    pieces.push(piece);
    kept += piece.length;
  };
  const emit = (): void => {
    let line = pieces.join('');
    if (total > kept) line += ` [... line cut: ${total} characters, the first ${kept} kept]`;
    else if (line.endsWith('\r')) line = line.slice(0, -1);
    pieces = [];
    kept = total = 0;
    onLine!(line);
  };
  return {
    push: (d: string): void => {
      if (keep) chunks.push(d);
      if (!onLine) return;
      let start = 0;
      for (let nl = d.indexOf('\n'); nl >= 0; nl = d.indexOf('\n', start)) {
        add(d.slice(start, nl));
        emit();
        start = nl + 1;
      }
      add(d.slice(start));
    },
    end: (): void => {
      if (total && onLine) emit();
    },
    text: (): string => chunks.join(''),
  };
}

function spawnError(program: string, e: NodeJS.ErrnoException): Error {
  if (e.code === 'ENOENT') return new ToolUnavailableError(`${program}: no such program`, program, 'missing', { cause: e });
  if (e.code === 'EACCES' || e.code === 'EPERM') return new ToolUnavailableError(`${program}: not executable (permission denied)`, program, 'not-executable', { cause: e });
  if (e.code === 'EISDIR') return new ToolUnavailableError(`${program}: is a directory, not a program`, program, 'directory', { cause: e });
  return e;
}
