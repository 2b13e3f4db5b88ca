// Tokens of the ONNX text syntax (reference/onnx/Syntax.md), each with its exact source range,
// for the one parser that the CLI and the language server share. Linear in the text's length.

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
/** A byte-order mark some editors put at the start of UTF-8 files: not part of the text. */
const BOM = '\ufeff';
const NUMBER = /[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|inf|nan)/y;
const INTEGER = /^[-+]?\d+$/;
const ID_START = /[A-Za-z_]/;
const ID_PART = /[A-Za-z0-9_.]/;

/** Splits text into tokens; `#` and `//` comments and white space are skipped. Never throws. */
export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = src.startsWith(BOM) ? 1 : 0;
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
      i = stringToken(src, i, out);
      continue;
    }
    NUMBER.lastIndex = i;
    const num = (c >= '0' && c <= '9') || c === '-' || c === '+' || c === '.' ? NUMBER.exec(src) : null;
    if (num) {
      const text = num[0];
      out.push({ kind: INTEGER.test(text) ? 'int' : 'float', text, start, end: i + text.length });
      i += text.length;
      continue;
    }
    if (ID_START.test(c)) {
      while (i < n && ID_PART.test(src[i]!)) i++;
      // An identifier does not end with a dot (`a.b.` is `a.b` then `.`).
      while (src[i - 1] === '.' && i > start + 1) i--;
      out.push({ kind: 'id', text: src.slice(start, i), start, end: i });
      continue;
    }
    // One diagnostic for a run of characters that start no token, not one per character.
    while (i < n && startsNoToken(src, i)) i++;
    const what = i - start === 1 ? `unexpected character '${c}'` : `unexpected characters '${src.slice(start, Math.min(i, start + 20))}${i - start > 20 ? '…' : ''}'`;
    out.push({ kind: 'error', text: what, start, end: i });
  }
  out.push({ kind: 'eof', text: '', start: n, end: n });
  return out;
}

function startsNoToken(src: string, i: number): boolean {
  const c = src[i]!;
  if (' \t\r\n#"'.includes(c) || PUNCT.has(c) || ID_START.test(c) || (c >= '0' && c <= '9')) return false;
  if (c === '/' && src[i + 1] === '/') return false;
  NUMBER.lastIndex = i;
  return !((c === '-' || c === '+' || c === '.') && NUMBER.test(src));
}

/** A quoted string from `src[at]` (the opening quote); returns the offset after it. */
function stringToken(src: string, at: number, out: Token[]): number {
  const parts: string[] = [];
  let i = at + 1;
  let from = i;
  while (i < src.length) {
    const d = src[i]!;
    if (d === '\\' && i + 1 < src.length) {
      const e = src[i + 1]!;
      const code = e === 'u' ? /^[0-9a-fA-F]{4}/.exec(src.slice(i + 2, i + 6))?.[0] : undefined;
      parts.push(src.slice(from, i), code ? String.fromCharCode(parseInt(code, 16)) : e === 'n' ? '\n' : e === 't' ? '\t' : e);
      i += code ? 6 : 2;
      from = i;
    } else if (d === '"') {
      parts.push(src.slice(from, i));
      out.push({ kind: 'string', text: parts.join(''), start: at, end: i + 1 });
      return i + 1;
    } else i++;
  }
  out.push({ kind: 'error', text: 'unterminated string', start: at, end: i });
  return i;
}

let lineIndex: { src: string; starts: Uint32Array | number[] } | undefined;

/**
 * 0-based line and column of an offset (for diagnostics). The line starts of the last text are
 * kept, so reporting many diagnostics of one text costs O(log n) each, not a rescan.
 */
export function positionAt(src: string, offset: number): { line: number; character: number } {
  if (lineIndex?.src !== src) {
    const starts = [0];
    for (let i = src.indexOf('\n'); i >= 0; i = src.indexOf('\n', i + 1)) starts.push(i + 1);
    lineIndex = { src, starts };
  }
  const { starts } = lineIndex;
  const at = Math.max(0, Math.min(offset, src.length));
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= at) lo = mid;
    else hi = mid - 1;
  }
  // The byte-order mark takes no column.
  const bom = lo === 0 && at > 0 && src.startsWith(BOM) ? 1 : 0;
  return { line: lo, character: at - starts[lo]! - bom };
}
