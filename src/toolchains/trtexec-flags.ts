// trtexec's options, read from its own `--help` text, and a check of a user's options against
// them, value syntax included (shape specs, memory pools, the enumerations the help lists), so
// a typo is reported before a build of minutes starts, with the help's own words.

/** What an option's value must look like. */
export type FlagValue =
  | { kind: 'none' } // listed without `=`: a switch, or a value the help leaves free (`--builderOptimizationLevel=5`)
  | { kind: 'text' } // `=<file>`, `=<dir>`, a free spec
  | { kind: 'integer' } // `=N`, `=M`, or "integers" in the description
  | { kind: 'percentiles' }
  | { kind: 'shapes' }
  | { kind: 'pools'; pools: string[] }
  | { kind: 'enum'; values: string[] };

export interface TrtexecFlag {
  /** Every spelling, dashes included: `--versionCompatible`, `--vc`. */
  names: string[];
  section: string;
  value: FlagValue;
  /** The help's first line for it. */
  description: string;
  /** The option writes files, by its help: `--saveEngine=<file>`, or `name:file` lists (`--saveDebugTensors`, `Ival ::= name":"file`). */
  writesFile?: boolean;
}

export interface TrtexecSchema {
  /** `10.16.1` from the help's own first line, when it has one. */
  version?: string;
  flags: Map<string, TrtexecFlag>;
}

const SHAPE_FLAGS = /^--(min|opt|max)Shapes(Calib)?$|^--shapes$/;

/** Parses `trtexec --help` output: `=== Section ===` headers, option lines (two-space indent, `--name`), continuation lines. */
export function parseTrtexecHelp(text: string): TrtexecSchema {
  const flags = new Map<string, TrtexecFlag>();
  const lines = text.split(/\r?\n/);
  let section = '';
  let current: { names: string[]; placeholder?: string; description: string[] } | undefined;
  const finish = (): void => {
    if (!current) return;
    const flag: TrtexecFlag = { names: current.names, section, value: valueOf(current.names[0]!, current.placeholder, current.description), description: current.description[0] ?? '' };
    if (writesFile(current.placeholder, current.description)) flag.writesFile = true;
    for (const name of current.names) if (!flags.has(name)) flags.set(name, flag);
    current = undefined;
  };
  for (const line of lines) {
    const header = /^=== (.+) ===$/.exec(line.trim());
    if (header && !line.startsWith('  ')) {
      finish();
      section = header[1]!;
      continue;
    }
    const option = /^ {2}(-{1,2}[A-Za-z][\w-]*(?:=\S*)?(?:, -{1,2}[A-Za-z][\w-]*)*)(?:\s+(.*))?$/.exec(line);
    if (option) {
      finish();
      const spellings = option[1]!.split(', ');
      const [first, placeholder] = spellings[0]!.split('=');
      current = { names: [first!, ...spellings.slice(1)], placeholder, description: option[2] ? [option[2]] : [] };
      continue;
    }
    if (current && /^\s{4,}\S/.test(line)) current.description.push(line.trim());
  }
  finish();
  return { version: parseTrtexecVersion(lines[0] ?? ''), flags };
}

/**
 * `&&&& RUNNING TensorRT.trtexec [TensorRT v101601] ...` → `10.16.1`. TensorRT 10 on encodes
 * MAJOR*10000+MINOR*100+PATCH; TensorRT 8 and before MAJOR*1000+MINOR*100+PATCH (v8601 is 8.6.1).
 */
export function parseTrtexecVersion(line: string): string | undefined {
  const m = /\[TensorRT v(\d{4,})\]/.exec(line);
  if (!m) return undefined;
  const n = Number(m[1]);
  const majorUnit = n >= 100_000 ? 10_000 : 1000;
  return `${Math.floor(n / majorUnit)}.${Math.floor((n % majorUnit) / 100)}.${n % 100}`;
}

/** Whether the help says the option writes a file: a file placeholder or grammar, and a word for writing. */
function writesFile(placeholder: string | undefined, description: string[]): boolean {
  const text = description.join('\n');
  return /\b(save|write|export)/i.test(text) && (placeholder === '<file>' || /name\s*"?:"?\s*file/.test(text));
}

function valueOf(name: string, placeholder: string | undefined, description: string[]): FlagValue {
  if (SHAPE_FLAGS.test(name)) return { kind: 'shapes' };
  const grammar = description.join('\n');
  if (placeholder === 'poolspec') return { kind: 'pools', pools: alternatives(/pool ::= (.+)/.exec(grammar)?.[1] ?? '') ?? [] };
  if (placeholder === undefined) return /\bintegers\b/.test(grammar) ? { kind: 'integer' } : { kind: 'none' };
  if (placeholder === 'N' || placeholder === 'M') return { kind: 'integer' };
  if (/^P1,/.test(placeholder)) return { kind: 'percentiles' };
  // `mode ::= a|b|c`, `spec ::= "x" | "y"`, `runtime::= "full"|"lean"`: an enumeration when the right side is only alternatives.
  for (const line of description) {
    const m = /(\w+)\s*::=\s*(.+)$/.exec(line);
    if (!m || m[1] !== placeholder) continue;
    const values = alternatives(m[2]!);
    if (values) return { kind: 'enum', values };
  }
  return { kind: 'text' };
}

/** `"a"|"b"`, `a|b|c (default = a).`, `"x", "y"` → the words; undefined for a grammar (`IOfmt[","spec]`). */
function alternatives(rhs: string): string[] | undefined {
  const parts = rhs.replace(/\s*\(default[^)]*\)?\.?\s*$/, '').trim().replace(/\.$/, '').split(/\s*[|,]\s*/);
  const words = parts.map((p) => /^"?([\w+.-]+)"?$/.exec(p)?.[1]);
  return words.length > 1 && words.every((w) => w !== undefined) ? (words as string[]) : undefined;
}

export interface OptionProblem {
  option: string;
  message: string;
}

/**
 * Checks options as trtexec takes them (`--name` or `--name=value`, one argv element each)
 * against `schema`. Returns every problem; none means trtexec will accept the spelling.
 */
export function checkTrtexecOptions(args: readonly string[], schema: TrtexecSchema): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const version = schema.version ? `TensorRT ${schema.version}` : 'this trtexec';
  for (const arg of args) {
    if (!arg.startsWith('-')) {
      problems.push({ option: arg, message: `'${arg}' is not an option: trtexec takes --name=value as one argument` });
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    const value = eq < 0 ? undefined : arg.slice(eq + 1);
    const flag = schema.flags.get(name);
    if (!flag) {
      problems.push({ option: arg, message: `unknown option ${name}: ${version} has no such flag` });
      continue;
    }
    const problem = checkValue(name, flag.value, value);
    if (problem) problems.push({ option: arg, message: `${name}: ${problem}` });
  }
  return problems;
}

function checkValue(name: string, kind: FlagValue, value: string | undefined): string | undefined {
  if (kind.kind === 'none') return undefined;
  if (value === undefined || value === '') return `needs a value (${name}=...)`;
  switch (kind.kind) {
    case 'text':
      return undefined;
    case 'integer':
      return /^-?\d+$/.test(value) ? undefined : `'${value}' is not an integer`;
    case 'percentiles':
      return value.split(',').every((p) => /^\d+(\.\d+)?$/.test(p) && Number(p) <= 100) ? undefined : `'${value}' is not a list of percentages 0..100`;
    case 'enum':
      return kind.values.includes(value) ? undefined : `'${value}' is not one of ${kind.values.join(', ')}`;
    case 'shapes':
      return checkShapeSpec(value);
    case 'pools':
      return checkPoolSpec(value, kind.pools);
  }
}

/**
 * `input0:1x3x256x256,input1:1x3x128x128`; a name may be wrapped in single quotes (`'Input:0':1x3`)
 * and hold one `*`; `name:scalar` or `name:` is a 0-D shape.
 */
export function checkShapeSpec(spec: string): string | undefined {
  for (const raw of splitOutsideQuotes(spec)) {
    const pair = raw.trim();
    let name: string;
    let dims: string;
    if (pair.startsWith("'")) {
      const close = pair.indexOf("'", 1);
      if (close < 0 || pair[close + 1] !== ':') return `'${pair}' is not name:dims (an unclosed quote?)`;
      name = pair.slice(1, close);
      dims = pair.slice(close + 2);
    } else {
      const colon = pair.lastIndexOf(':');
      if (colon < 0) return `'${pair}' is not name:dims (for example input0:1x3x224x224)`;
      name = pair.slice(0, colon);
      dims = pair.slice(colon + 1);
    }
    if (!name) return `'${pair}' has no input name`;
    if ((name.match(/\*/g) ?? []).length > 1) return `'${name}' has more than one wildcard (*)`;
    if (!/^(scalar|\d+(x\d+)*)?$/.test(dims)) return `'${dims}' in '${pair}' is not dimensions like 1x3x224x224`;
  }
  return undefined;
}

/** `workspace:1024M,dlaSRAM:0.5M`: pools from the help's grammar, sizes with B/K/M/G (KiB/MiB/GiB are taken too). */
export function checkPoolSpec(spec: string, pools: readonly string[]): string | undefined {
  for (const pair of spec.split(',')) {
    const [pool, size, extra] = pair.split(':');
    if (size === undefined || extra !== undefined) return `'${pair}' is not pool:size (for example workspace:1024M)`;
    if (pools.length && !pools.includes(pool!)) return `'${pool}' is not a memory pool (${pools.join(', ')})`;
    if (!/^\d+(\.\d+)?([BKMG]|[KMG]iB)?$/.test(size)) return `'${size}' is not a size (a number with B, K, M or G)`;
  }
  return undefined;
}

function splitOutsideQuotes(spec: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < spec.length; i++) {
    if (spec[i] === "'") quoted = !quoted;
    else if (spec[i] === ',' && !quoted) {
      out.push(spec.slice(start, i));
      start = i + 1;
    }
  }
  out.push(spec.slice(start));
  return out;
}
