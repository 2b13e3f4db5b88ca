import { ByteRange } from '../../src/onnx/proto/byte-range';

/**
 * Structural equality of decoded protos: a ByteRange equals the bytes (or the packed values)
 * it stands for, and int64 numbers equal their bigint forms. Returns the first difference's path.
 */
export function protoDiff(a: unknown, b: unknown, path = '$'): string | undefined {
  if (a instanceof ByteRange || b instanceof ByteRange) return bytesDiff(a, b, path);
  if (typeof a === 'bigint' || typeof b === 'bigint') return BigInt(a as number) === BigInt(b as number) ? undefined : `${path}: ${a} ≠ ${b}`;
  if (typeof a === 'number' && typeof b === 'number') return Object.is(a, b) || a === b ? undefined : `${path}: ${a} ≠ ${b}`;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.compare(a, b) === 0 ? undefined : `${path}: bytes differ`;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return `${path}: length ${a.length} ≠ ${b.length}`;
    for (let i = 0; i < a.length; i++) {
      const d = protoDiff(a[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return undefined;
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const d = protoDiff((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${path}.${k}`);
      if (d) return d;
    }
    return undefined;
  }
  return a === b ? undefined : `${path}: ${String(a)} ≠ ${String(b)}`;
}

function bytesDiff(a: unknown, b: unknown, path: string): string | undefined {
  const bytes = (x: unknown): Uint8Array | undefined => (x instanceof ByteRange ? x.read() : x instanceof Uint8Array ? x : undefined);
  const x = bytes(a);
  const y = bytes(b);
  if (x && y) return Buffer.compare(x, y) === 0 ? undefined : `${path}: payload bytes differ`;
  return `${path}: a lazy payload compared with ${Array.isArray(a) || Array.isArray(b) ? 'a decoded list' : 'something else'}`;
}
