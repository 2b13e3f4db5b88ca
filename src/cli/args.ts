/** Minimal argv parsing shared by the subcommands: positionals and `--flag` / `--key value`. */
export interface ParsedArgs {
  positionals: string[];
  flags: Set<string>;
  options: Map<string, string>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function parseArgs(argv: string[], spec: { flags?: string[]; options?: string[] }): ParsedArgs {
  const out: ParsedArgs = { positionals: [], flags: new Set(), options: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('-') && a !== '-') {
      const [key, inline] = a.split('=', 2) as [string, string | undefined];
      if (spec.flags?.includes(key)) out.flags.add(key);
      else if (spec.options?.includes(key)) {
        const v = inline ?? argv[++i];
        if (v === undefined) throw new UsageError(`${key} needs a value`);
        out.options.set(key, v);
      } else throw new UsageError(`unknown option ${a}`);
    } else out.positionals.push(a);
  }
  return out;
}
