import type { ModelProto, ValueInfoProto } from '../../onnx/proto/types';

/** Why a requested value cannot be exposed as an output of the main graph. */
export interface Unavailable {
  name: string;
  why: string;
}

/**
 * Adds `names` as outputs of the main graph, typed where the model states a type (value_info)
 * and untyped otherwise (ORT infers the type of an untyped graph output). Values of subgraphs
 * and initializers cannot become outputs; graph inputs need none (the feed is the value).
 * Returns the names that are now fetchable and those that are not, with why.
 */
export function addGraphOutputs(model: ModelProto, names: readonly string[]): { fetchable: string[]; unavailable: Unavailable[] } {
  const g = model.graph;
  if (!g) return { fetchable: [], unavailable: names.map((name) => ({ name, why: 'the model has no graph' })) };
  const produced = new Set<string>();
  for (const n of g.node) for (const o of n.output) if (o) produced.add(o);
  const outputs = new Set(g.output.map((o) => o.name));
  const typed = new Map<string, ValueInfoProto>();
  for (const v of g.value_info) if (v.name && v.type) typed.set(v.name, v);
  const initializers = new Set(g.initializer.map((t) => t.name));
  const added: ValueInfoProto[] = [];
  const fetchable: string[] = [];
  const unavailable: Unavailable[] = [];
  for (const name of names) {
    if (outputs.has(name)) fetchable.push(name);
    else if (produced.has(name)) {
      const known = typed.get(name);
      added.push({ name, type: known?.type, metadata_props: [] });
      fetchable.push(name);
    } else if (initializers.has(name)) unavailable.push({ name, why: 'an initializer, not a computed value' });
    else unavailable.push({ name, why: 'no node of the main graph produces it (a value inside a subgraph, or no such value)' });
  }
  if (added.length) g.output = [...g.output, ...added];
  return { fetchable, unavailable };
}
