import { UsageError } from './args';
import { checkUsage, runCheck } from './check';
import { inspectUsage, runInspect } from './inspect';
import { CliError } from './load';
import { runView, viewUsage } from './view';
import { compileUsage, runCompile } from './compile';
import { runText, textUsage } from './text';

type Subcommand = (argv: string[], out: (s: string) => void, err: (s: string) => void) => number | Promise<number>;

const SUBCOMMANDS: Record<string, { run: Subcommand; usage: string }> = {
  inspect: { run: runInspect, usage: inspectUsage },
  check: { run: runCheck, usage: checkUsage },
  view: { run: runView, usage: viewUsage },
  text: { run: runText, usage: textUsage },
  compile: { run: runCompile, usage: compileUsage },
};

const usage = (): string => ['usage:', ...Object.values(SUBCOMMANDS).map((s) => `  ${s.usage}`)].join('\n');

/** Runs the CLI; resolves to the exit code. Output goes through `out`, errors through `err`. */
export async function main(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    out(usage());
    return name ? 0 : 64;
  }
  const sub = SUBCOMMANDS[name];
  if (!sub) {
    err(`onnx-studio: unknown command '${name}'\n${usage()}`);
    return 64;
  }
  try {
    return await sub.run(rest, out, err);
  } catch (e) {
    if (e instanceof UsageError) {
      err(e.message);
      return 64;
    }
    if (e instanceof CliError) {
      err(`onnx-studio ${name}: ${e.message}`);
      return e.exitCode;
    }
    err(`onnx-studio ${name}: internal error: ${(e as Error).stack ?? String(e)}`);
    return 70;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2), (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n')).then((code) => (process.exitCode = code));
}
