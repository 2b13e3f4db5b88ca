import { removeTempFiles } from '../onnx/io/write-file';
import { UsageError } from './args';
import { buildUsage, runBuild } from './build';
import { checkUsage, runCheck } from './check';
import { compileUsage, runCompile } from './compile';
import { fp16Usage, runFp16 } from './fp16';
import { inspectUsage, runInspect } from './inspect';
import { internalError } from './internal-error';
import { lintPolygraphyUsage, runLintPolygraphy } from './lint-polygraphy';
import { CliError } from './load';
import { printableLines } from './printable';
import { profileUsage, runProfile } from './profile';
import { pruneUsage, runPrune } from './prune';
import { quantizeUsage, runQuantize } from './quantize';
import { runText, textUsage } from './text';
import { runTrtCheck, trtCheckUsage } from './trt-check';
import { SIGNAL_EXIT, STOP_SIGNALS } from './signals';
import { runView, viewUsage } from './view';

type Subcommand = (argv: string[], out: (s: string) => void, err: (s: string) => void) => number | Promise<number>;

const SUBCOMMANDS: Record<string, { run: Subcommand; usage: string; ownsSignals?: boolean }> = {
  inspect: { run: runInspect, usage: inspectUsage },
  check: { run: runCheck, usage: checkUsage },
  view: { run: runView, usage: viewUsage, ownsSignals: true },
  text: { run: runText, usage: textUsage },
  compile: { run: runCompile, usage: compileUsage },
  quantize: { run: runQuantize, usage: quantizeUsage },
  fp16: { run: runFp16, usage: fp16Usage },
  prune: { run: runPrune, usage: pruneUsage },
  'trt-check': { run: runTrtCheck, usage: trtCheckUsage },
  build: { run: runBuild, usage: buildUsage, ownsSignals: true },
  'lint-polygraphy': { run: runLintPolygraphy, usage: lintPolygraphyUsage, ownsSignals: true },
  profile: { run: runProfile, usage: profileUsage },
};

/** Exit codes (DESIGN.md §5b): 0 done, 1 the input has errors, 2 a file cannot be used, 64 bad usage, 70 internal error. */
const EXIT_USAGE = 64;
const EXIT_INTERNAL = 70;

const usage = (): string => ['usage:', ...Object.values(SUBCOMMANDS).map((s) => `  ${s.usage}`)].join('\n');

/** Runs the CLI; resolves to the exit code. Output goes through `out`, errors through `err`. */
export async function main(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    (name ? out : err)(usage());
    return name ? 0 : EXIT_USAGE;
  }
  const sub = SUBCOMMANDS[name];
  if (!sub) {
    err(`onnx-studio: unknown command '${name}'\n${usage()}`);
    return EXIT_USAGE;
  }
  try {
    return await sub.run(rest, out, err);
  } catch (e) {
    // Messages name files and models: escapes in those names must not reach the terminal.
    if (e instanceof UsageError) {
      err(`onnx-studio ${name}: ${printableLines(e.message)}`);
      return EXIT_USAGE;
    }
    if (e instanceof CliError) {
      err(`onnx-studio ${name}: ${printableLines(e.message)}`);
      return e.exitCode;
    }
    err(internalError(`onnx-studio ${name}`, e));
    return EXIT_INTERNAL;
  }
}

/** Ctrl+C, a kill or the terminal closing while writing: remove the temp files being written, then exit 130, 143 or 129. */
function exitOnSignals(): void {
  for (const signal of STOP_SIGNALS) {
    process.on(signal, () => {
      removeTempFiles();
      process.exit(SIGNAL_EXIT[signal]);
    });
  }
}

/** 128 + SIGPIPE: what a shell reports for a program whose reader went away (`... | head`). */
const EXIT_BROKEN_PIPE = 141;

/**
 * The reader of stdout went away (EPIPE, `... --json | head -c 10`): nobody reads the rest, so
 * stop quietly (temp files go on exit). A closed stderr only loses progress lines: the command
 * goes on (a build must still end trtexec's group itself) and exits with its own code.
 */
function exitQuietlyOnBrokenPipe(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(EXIT_BROKEN_PIPE);
  });
  process.stderr.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
  });
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (!SUBCOMMANDS[argv[0] ?? '']?.ownsSignals) exitOnSignals();
  exitQuietlyOnBrokenPipe();
  const stderr = (s: string): void => void process.stderr.write(s + '\n');
  process.on('uncaughtException', (e) => {
    stderr(internalError('onnx-studio', e));
    process.exit(EXIT_INTERNAL);
  });
  void main(argv, (s) => process.stdout.write(s + '\n'), stderr).then((code) => {
    process.exitCode = code;
    // One more turn of the event loop, so a signal that came during synchronous work is handled (exit 129/130/143).
    setImmediate(() => {});
  });
}
