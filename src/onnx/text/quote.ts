// Names and strings as the ONNX text syntax writes them: bare when they can be, quoted otherwise.

const BARE_ID = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function quoteId(s: string): string {
  return BARE_ID.test(s) ? s : quoteString(s);
}

export function quoteString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\t/g, '\\t')}"`;
}
