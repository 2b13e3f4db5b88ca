// Text from a model (node names, domains, op types, values, paths) printed to a terminal: a name
// may hold escape sequences that recolour or rewrite the screen, or newlines that forge lines of
// output. Shared by the CLI's text printers.

/** C0 and C1 controls, DEL, and invisible characters that change how text reads (bidi overrides, zero-width marks, line separators, BOM). */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `s` on one line with every unsafe character written as an escape (`\n`, `\x1b`, `\u202e`). */
export function printable(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const code = c.charCodeAt(0);
    return SHORT[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`);
  });
}

/** A message of several lines (an error, a usage text): each line made printable, the message's own line breaks kept. */
export function printableLines(s: string): string {
  return s.split('\n').map(printable).join('\n');
}
