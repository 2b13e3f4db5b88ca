// Packs results for the trip from the model worker to the extension host: every array of
// numbers, strings or booleans becomes a typed array whose buffer is transferred (moved, not
// copied); what remains (small objects) is structured-cloned. Columns are found by path, so
// no key a model controls (metadata, names) can be mistaken for a column.
import type { Packed, PackedColumn } from '../protocol/model-worker';

type Path = (string | number)[];

export function pack(value: unknown): { packed: Packed; transfer: ArrayBuffer[] } {
  const columns: Packed['columns'] = [];
  const walk = (v: unknown, path: Path): unknown => {
    if (Array.isArray(v)) {
      const column = v.length ? toColumn(v) : undefined;
      if (column) {
        columns.push({ path, column });
        return null;
      }
      return v.map((x, i) => walk(x, [...path, i]));
    }
    // Plain objects only: Maps, Sets, typed arrays and the like are structured-cloned as they are.
    if (v && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v))) {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[k] = walk(x, [...path, k]);
      return out;
    }
    return v;
  };
  const shell = walk(value, []);
  const transfer = columns.flatMap(({ column: c }) => (c.kind === 'str' ? [c.utf8.buffer, c.ends.buffer] : [c.data.buffer])) as ArrayBuffer[];
  return { packed: { shell, columns }, transfer };
}

export function unpack<T>(packed: Packed): T {
  let root = packed.shell;
  for (const { path, column } of packed.columns) {
    const values = fromColumn(column);
    if (path.length === 0) {
      root = values;
      continue;
    }
    let at = root as Record<string | number, unknown>;
    for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
    at[path[path.length - 1]!] = values;
  }
  return root as T;
}

function toColumn(v: unknown[]): PackedColumn | undefined {
  const first = typeof v[0];
  if (!v.every((x) => typeof x === first)) return undefined;
  if (first === 'string') return packStrings(v as string[]);
  if (first === 'boolean') return { kind: 'bool', data: Uint8Array.from(v as boolean[], Number) };
  if (first !== 'number') return undefined;
  const numbers = v as number[];
  // Object.is: -0 is no int32 (it would arrive as 0).
  return numbers.every((x) => Object.is(x | 0, x)) ? { kind: 'i32', data: Int32Array.from(numbers) } : { kind: 'f64', data: Float64Array.from(numbers) };
}

function packStrings(v: string[]): PackedColumn {
  const ends = new Uint32Array(v.length);
  let length = 0;
  v.forEach((s, i) => (ends[i] = length += s.length));
  // Lone surrogates encode as U+FFFD, one UTF-16 unit each: the offsets stay right.
  return { kind: 'str', utf8: new TextEncoder().encode(v.join('')), ends };
}

function fromColumn(c: PackedColumn): unknown[] {
  if (c.kind === 'i32' || c.kind === 'f64') return Array.from(c.data);
  if (c.kind === 'bool') return Array.from(c.data, (b) => b === 1);
  const text = new TextDecoder().decode(c.utf8);
  const out = new Array<string>(c.ends.length);
  let start = 0;
  for (let i = 0; i < c.ends.length; i++) {
    out[i] = text.slice(start, c.ends[i]);
    start = c.ends[i]!;
  }
  return out;
}
