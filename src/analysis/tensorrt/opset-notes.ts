import type { Model } from '../../onnx/model/graph';
import { opVersions, resolveSchema } from '../../onnx/schema/registry';
import type { OpSchema } from '../../onnx/schema/types';
import { semanticChange } from './semantic-changes';
import { TENSORRT_VERSIONS, acceptsOpset, matrixFor, type TensorRTVersion } from './versions';

/** A later version of an op: a signature change, a changed behaviour (semantic-changes.ts) or its deprecation. */
export interface OpChange {
  since: number;
  change: string;
}

/** What the schema registry says of one operator at the model's opset (shared by all its nodes). */
export interface OpsetNote {
  domain: string;
  op: string;
  /** The model's opset for the domain. */
  opset: number;
  /** The op version the opset resolves to; null when the registry does not know the op there. */
  since: number | null;
  deprecated: boolean;
  /** The first opset at which the op is deprecated (this version or a later one); null when it is not. */
  deprecatedSince: number | null;
  /** Newer versions that change inputs or attributes (renamed, added, removed, attribute → input), behaviour, or deprecate the op. */
  laterChanges: OpChange[];
}

/** The default-domain opset range each TensorRT version parses, and whether the model's is inside it. */
export interface TensorRTOpsetRange {
  version: TensorRTVersion;
  opsetMin: number | null;
  opsetMax: number;
  accepts: boolean;
}

function signatureChange(from: OpSchema, to: OpSchema): string | undefined {
  const names = (xs: { name: string }[]): Set<string> => new Set(xs.map((x) => x.name));
  /** Names in `b` that `a` lacks. */
  const added = (a: Set<string>, b: Set<string>): string[] => [...b].filter((x) => !a.has(x));
  const [ai, bi, aa, ba] = [names(from.inputs), names(to.inputs), names(from.attributes), names(to.attributes)];
  const parts = [
    ...added(ai, bi).map((n) => (aa.has(n) ? `attribute \`${n}\` became an input` : `input \`${n}\` added`)),
    ...added(bi, ai).map((n) => (ba.has(n) ? `input \`${n}\` became an attribute` : `input \`${n}\` removed`)),
    ...added(ba, aa).filter((n) => !bi.has(n)).map((n) => `attribute \`${n}\` removed`),
    ...added(aa, ba).filter((n) => !ai.has(n)).map((n) => `attribute \`${n}\` added`),
  ];
  return parts.length ? parts.join('; ') : undefined;
}

export function opsetNote(domain: string, op: string, opset: number): OpsetNote {
  const schema = resolveSchema(domain, op, opset);
  const laterChanges: OpChange[] = [];
  let previous = schema;
  let deprecatedSince = schema?.deprecated ? schema.since : null;
  for (const s of opVersions(domain, op) ?? []) {
    if (!previous || s.since <= previous.since) continue;
    const parts = [signatureChange(previous, s), semanticChange(domain, op, s.since)?.change, s.deprecated ? 'deprecated' : undefined].filter(Boolean);
    if (parts.length) laterChanges.push({ since: s.since, change: parts.join('; ') });
    if (s.deprecated) deprecatedSince ??= s.since;
    previous = s;
  }
  return { domain, op, opset, since: schema?.since ?? null, deprecated: !!schema?.deprecated, deprecatedSince, laterChanges };
}

/** One note per distinct (domain, op) over every graph, in first-seen order. */
export function opsetNotes(model: Model): OpsetNote[] {
  const opsets = model.opsetImports;
  const seen = new Map<string, OpsetNote>();
  for (const g of model.graphs()) {
    for (const n of g.nodes) {
      const key = `${n.domain}::${n.opType}`;
      if (!seen.has(key)) seen.set(key, opsetNote(n.domain, n.opType, opsets.get(n.domain) ?? 0));
    }
  }
  return [...seen.values()];
}

/** Node id → its op's note (every node of every graph). */
export function nodeOpsetNotes(model: Model): Map<string, OpsetNote> {
  const byOp = new Map(opsetNotes(model).map((note) => [`${note.domain}::${note.op}`, note]));
  const out = new Map<string, OpsetNote>();
  for (const g of model.graphs()) for (const n of g.nodes) out.set(n.id, byOp.get(`${n.domain}::${n.opType}`)!);
  return out;
}

export function tensorrtOpsetRanges(model: Model): TensorRTOpsetRange[] {
  const opset = model.opsetImports.get('') ?? 0;
  return TENSORRT_VERSIONS.map((version) => {
    const matrix = matrixFor(version);
    return { version, opsetMin: matrix.opsetMin, opsetMax: matrix.opsetMax, accepts: acceptsOpset(matrix, opset) };
  });
}
