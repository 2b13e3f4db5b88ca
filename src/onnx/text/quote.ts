// Names and strings as the ONNX text syntax writes them: bare when they can be, quoted otherwise.

const BARE_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function quoteId(s: string): string {
  return BARE_ID.test(s) ? s : quoteString(s);
}

/**
 * Characters written as `\uHHHH`: control characters (a NUL would make the text read as
 * binary, a CR is lost to line-ending conversion), and invisible ones that change how a name
 * reads (bidirectional overrides, zero-width marks, the byte-order mark).
 */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ufeff]/g;

export function quoteString(s: string): string {
  const escaped = s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
  return `"${escaped.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}"`;
}
