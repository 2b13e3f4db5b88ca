// Tokens of the ONNX text syntax (reference/onnx/Syntax.md), each with its exact source range,
// for the one parser that the CLI and the language server share.

export type TokenKind = 'id' | 'string' | 'int' | 'float' | 'punct' | 'eof' | 'error';

export interface Token {
  kind: TokenKind;
  /** The source text (for strings: the decoded value). */
  text: string;
  /** Offsets into the source, [start, end). */
  start: number;
  end: number;
}

const PUNCT = new Set(['(', ')', '[', ']', '{', '}', '<', '>', ',', ':', '=', '@', '?']);

/** Splits text into tokens; `#` and `//` comments and white space are skipped. Never throws. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#' || (c === '/' && src[i + 1] === '/')) {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    const start = i;
    if (c === '=' && src[i + 1] === '>') {
      out.push({ kind: 'punct', text: '=>', start, end: i + 2 });
      i += 2;
      continue;
    }
    if (PUNCT.has(c)) {
      out.push({ kind: 'punct', text: c, start, end: i + 1 });
      i++;
      continue;
    }
    if (c === '"') {
      let text = '';
      i++;
      let closed = false;
      while (i < n) {
        const d = src[i]!;
        if (d === '\\' && i + 1 < n) {
          const e = src[i + 1]!;
          text += e === 'n' ? '\n' : e === 't' ? '\t' : e;
          i += 2;
        } else if (d === '"') {
          closed = true;
          i++;
          break;
        } else {
          text += d;
          i++;
        }
      }
      out.push(closed ? { kind: 'string', text, start, end: i } : { kind: 'error', text: 'unterminated string', start, end: i });
      continue;
    }
    const num = /^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|inf|nan)/.exec(src.slice(i, i + 64));
    if ((c >= '0' && c <= '9') || ((c === '-' || c === '+' || c === '.') && num)) {
      const text = num![0];
      const isInt = /^[-+]?\d+$/.test(text);
      out.push({ kind: isInt ? 'int' : 'float', text, start, end: i + text.length });
      i += text.length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      while (i < n && /[A-Za-z0-9_.]/.test(src[i]!)) i++;
      // An identifier does not end with a dot (`a.b.` is `a.b` then `.`).
      while (src[i - 1] === '.' && i > start + 1) i--;
      out.push({ kind: 'id', text: src.slice(start, i), start, end: i });
      continue;
    }
    out.push({ kind: 'error', text: `unexpected character '${c}'`, start, end: i + 1 });
    i++;
  }
  out.push({ kind: 'eof', text: '', start: n, end: n });
  return out;
}

/** 0-based line and column of an offset (for diagnostics). */
export function positionAt(src: string, offset: number): { line: number; character: number } {
  let line = 0;
  let last = -1;
  for (let i = 0; i < offset && i < src.length; i++) {
    if (src[i] === '\n') {
      line++;
      last = i;
    }
  }
  return { line, character: offset - last - 1 };
}
