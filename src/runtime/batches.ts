/**
 * Splits value names into passes of at most `perPass` names: each pass is one session whose
 * extra outputs are those names, so at most `perPass` activations of one sample are alive at once.
 */
export function planPasses(names: readonly string[], perPass: number): string[][] {
  if (!Number.isInteger(perPass) || perPass < 1) throw new RangeError(`names per pass must be a positive integer, got ${perPass}`);
  const unique = [...new Set(names)];
  const passes: string[][] = [];
  for (let i = 0; i < unique.length; i += perPass) passes.push(unique.slice(i, i + perPass));
  return passes;
}

/** Default names per pass: bounded activations (a ResNet-50 pass of 32 keeps a few hundred MB). */
export const DEFAULT_NAMES_PER_PASS = 32;
