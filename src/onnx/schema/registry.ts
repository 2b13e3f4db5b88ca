import registryJson from './registry.json';
import type { OpSchema, RegistryJson } from './types';

const REGISTRY = registryJson as unknown as RegistryJson;

/** Domains whose operators we know; nodes of other domains are "not checked", never errors. */
export function isKnownDomain(domain: string): boolean {
  return normalizeDomain(domain) in REGISTRY.domains;
}

export function normalizeDomain(domain: string): string {
  return domain === 'ai.onnx' ? '' : domain;
}

/** All versions of an op, oldest first; undefined when the domain has no such op. */
export function opVersions(domain: string, opType: string): readonly OpSchema[] | undefined {
  return REGISTRY.domains[normalizeDomain(domain)]?.[opType];
}

/** The schema in force for opset `version` of the domain: the newest with since ≤ version. */
export function resolveSchema(domain: string, opType: string, version: number): OpSchema | undefined {
  const versions = opVersions(domain, opType);
  if (!versions) return undefined;
  let found: OpSchema | undefined;
  for (const s of versions) if (s.since <= version) found = s;
  return found;
}

/** Operator names of a domain that exist at the given opset version (for completion and checks). */
export function opsAt(domain: string, version: number): string[] {
  const ops = REGISTRY.domains[normalizeDomain(domain)] ?? {};
  return Object.keys(ops).filter((op) => ops[op]!.some((s) => s.since <= version));
}

/** The newest opset version the registry knows for a domain. */
export function latestOpset(domain: string): number {
  let max = 0;
  for (const versions of Object.values(REGISTRY.domains[normalizeDomain(domain)] ?? {})) for (const s of versions) max = Math.max(max, s.since);
  return max;
}

export function registryDomains(): string[] {
  return Object.keys(REGISTRY.domains);
}

export function allSchemas(): Iterable<[string, string, OpSchema]> {
  const out: [string, string, OpSchema][] = [];
  for (const [d, ops] of Object.entries(REGISTRY.domains)) for (const [op, vs] of Object.entries(ops)) for (const s of vs) out.push([d, op, s]);
  return out;
}
