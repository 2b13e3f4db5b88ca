// Runs our own CLI (dist/cli.js) as a child process, as the transforms do (DESIGN.md: the
// report view shows exactly the CLI's JSON; onnxruntime-node never runs in the extension host).
// Through runTool (argv only, no shell, its own process group), so cancelling ends the CLI and
// the onnxruntime child it started; the CLI removes its temp file on SIGTERM.
import { runTool, type ToolResult } from '../toolchains/run-tool';

export type CliResult = ToolResult;

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
  const onLine = opts.onStderrLine;
  return runTool(process.execPath, [cliScript, ...args], {
    cwd: opts.cwd,
    env: { ELECTRON_RUN_AS_NODE: '1' },
    onStderrLine: onLine && ((line) => void (line && onLine(line))),
    cancel: opts.cancel,
    killAfterMs: KILL_AFTER_MS,
  });
}

/** A command line as the output channel shows it (quoted where a shell would need it). */
export function commandLine(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
