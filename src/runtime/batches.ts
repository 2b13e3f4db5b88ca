/** Limits of one pass: one session whose extra outputs are the pass's names. */
export interface PassLimits {
  /** Names per pass; default 256. */
  maxNames?: number;
  /** Bytes of the pass's values for one sample, where their sizes are known; default 256 MiB. */
  maxBytes?: number;
}

export const DEFAULT_NAMES_PER_PASS = 256;
export const DEFAULT_BYTES_PER_PASS = 256 * 2 ** 20;

/**
 * Splits value names into passes so that at most `maxNames` values, and at most `maxBytes`
 * bytes of them for one sample, are alive at once: a value whose size is unknown counts only
 * against the name limit; a value larger than `maxBytes` gets a pass of its own. Duplicates
 * are dropped, order is kept.
 */
export function planPasses(names: readonly string[], limits: PassLimits = {}, sizeOf: (name: string) => number | undefined = () => undefined): string[][] {
  const maxNames = limits.maxNames ?? DEFAULT_NAMES_PER_PASS;
  const maxBytes = limits.maxBytes ?? DEFAULT_BYTES_PER_PASS;
  if (!Number.isInteger(maxNames) || maxNames < 1) throw new RangeError(`names per pass must be a positive integer, got ${maxNames}`);
  if (!(maxBytes > 0)) throw new RangeError(`bytes per pass must be positive, got ${maxBytes}`);
  const passes: string[][] = [];
  let pass: string[] = [];
  let bytes = 0;
  for (const name of new Set(names)) {
    const size = sizeOf(name) ?? 0;
    if (pass.length > 0 && (pass.length >= maxNames || bytes + size > maxBytes)) {
      passes.push(pass);
      pass = [];
      bytes = 0;
    }
    pass.push(name);
    bytes += size;
  }
  if (pass.length) passes.push(pass);
  return passes;
}
