import { parseArgs as parseNodeArgs } from 'node:util';

/** Bad usage: the CLI prints it with the subcommand's usage line and exits 64. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export interface OptionSpec {
  type: 'boolean' | 'string';
  short?: string;
}

/**
 * Node's own argv parser, strict: an unknown option, a missing value or a value given to a
 * flag is a UsageError. Options are named without dashes (`out` for `-o/--out`).
 */
export function parseArgs<T extends Record<string, OptionSpec>>(
  argv: string[],
  options: T,
  usage: string,
  positionals = 1,
): { values: { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string }; positionals: string[] } {
  let parsed: ReturnType<typeof parseNodeArgs>;
  try {
    parsed = parseNodeArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (e) {
    if (String((e as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS')) throw new UsageError(`${(e as Error).message.split(/\. To specify|\n/)[0]}\nusage: ${usage}`);
    throw e;
  }
  if (parsed.positionals.length !== positionals) throw new UsageError(`usage: ${usage}`);
  return { values: parsed.values as { [K in keyof T]?: T[K]['type'] extends 'boolean' ? boolean : string }, positionals: parsed.positionals };
}
