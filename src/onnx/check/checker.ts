import { ModelFileError, OnnxFormatError } from '../errors';
import { inferModel, type InferenceResult } from '../infer/infer';
import type { Graph, Model, Node, SparseInitializer } from '../model/graph';
import { Tensor } from '../tensor';
import { isKnownDomain } from '../schema/registry';
import { diagnostic, type Diagnostic } from './diagnostics';
import { checkNode } from './node-rules';

/**
 * Validates a model: model fields, opset imports, every node against its schema, value
 * definitions and order in every graph (subgraphs see outer values), types against type
 * constraints, and tensor payload sizes. Reads no weight bytes beyond what sizes need.
 */
export function checkModel(model: Model, inference: InferenceResult = inferModel(model)): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (model.proto.ir_version === undefined) out.push(diagnostic('invalid-model', 'ir_version is not set'));
  if (!model.proto.graph) out.push(diagnostic('invalid-model', 'the model has no graph'));
  const opsets = model.opsetImports;
  if (model.irVersion >= 3 && opsets.size === 0) out.push(diagnostic('missing-opset-import', 'the model imports no opset'));
  const unchecked = new Set<string>();
  for (const g of model.graphs()) {
    checkGraphValues(g, out);
    for (const t of g.initializers) checkTensor(t, g.id, out);
    for (const s of g.sparseInitializers) checkSparse(s, g.id, out);
    for (const n of g.nodes) {
      if (n.domain && !isKnownDomain(n.domain) && opsets.has(n.domain)) unchecked.add(n.domain);
      checkNode(n, opsets, inference, out);
      for (const a of n.attributes) {
        const t = a.tensor();
        if (t) checkTensor(t, g.id, out, n.id);
      }
    }
  }
  // Tensors in the bodies of model-local functions.
  for (const f of model.proto.functions) {
    for (const n of f.node) for (const a of n.attribute) for (const t of [...(a.t ? [a.t] : []), ...a.tensors]) checkTensor(new Tensor(t, model.files), `function ${f.domain ?? ''}.${f.name ?? ''}`, out);
  }
  for (const d of [...unchecked].sort()) out.push(diagnostic('not-checked', `operators of domain '${d}' have no schemas here and are not checked`));
  for (const f of inference.failures) {
    out.push(diagnostic('inference-failed', `${f.node.opType} '${f.node.name || f.node.id}': shape inference failed: ${f.message}`, { nodeId: f.node.id, graphId: f.node.graph.id }));
  }
  for (const c of inference.conflicts) {
    out.push(diagnostic('inferred-type-conflict', `'${c.value.name}' is declared ${fmt(c.declared)} but inference gives ${fmt(c.inferred)}`, { nodeId: c.node?.id, value: c.value.name }));
  }
  return out;
}

const fmt = (t: unknown): string => JSON.stringify(t);

/**
 * SSA and ordering: each value defined once, read only after it is defined, graph acyclic.
 * Walks the producer links the builder made, so a million-node graph costs no lookups by name.
 */
function checkGraphValues(g: Graph, out: Diagnostic[]): void {
  const where = { graphId: g.id };
  const duplicate = (name: string, as: string, node?: Node): void => {
    out.push(diagnostic('duplicate-definition', `'${name}' is defined more than once (again as ${as})`, { ...where, nodeId: node?.id, value: name }));
  };
  const seen = new Set<string>();
  for (const v of g.inputs) {
    if (seen.has(v.name)) duplicate(v.name, 'a graph input');
    seen.add(v.name);
  }
  for (const t of g.initializers) {
    if (seen.has(t.name) && !g.inputs.some((v) => v.name === t.name)) duplicate(t.name, 'an initializer');
    seen.add(t.name);
  }
  let unsorted = false;
  g.nodes.forEach((n, i) => {
    for (let k = 0; k < n.inputs.length; k++) {
      const v = n.inputValue(k);
      if (!v) continue;
      if (v.producer) {
        if (v.producer.index >= i) {
          unsorted = true;
          out.push(diagnostic('not-topologically-sorted', `'${v.name}' is read by ${n.opType} '${n.name || n.id}' before the node that produces it`, { ...where, nodeId: n.id, value: v.name }));
        }
      } else if (!v.isGraphInput && !v.initializer && !v.sparseInitializer && !outerDefines(g, v.name)) {
        out.push(diagnostic('undefined-value', `input '${v.name}' of ${n.opType} '${n.name || n.id}' is not defined`, { ...where, nodeId: n.id, value: v.name }));
      }
    }
    for (let k = 0; k < n.outputs.length; k++) {
      const v = n.outputValue(k);
      if (!v) continue;
      if (v.producer !== n || v.isGraphInput || v.initializer || v.sparseInitializer) duplicate(v.name, `an output of ${n.opType} '${n.name || n.id}'`, n);
    }
  });
  for (const v of g.outputs) {
    if (!v.producer && !v.isGraphInput && !v.initializer && !v.sparseInitializer && !outerDefines(g, v.name)) {
      out.push(diagnostic('undefined-value', `graph output '${v.name}' is not produced by any node`, { ...where, value: v.name }));
    }
  }
  if (unsorted && hasCycle(g)) out.push(diagnostic('cycle', `graph '${g.name}' has a cycle: no order of its nodes satisfies their inputs`, where));
}

function outerDefines(g: Graph, name: string): boolean {
  for (let p = g.parent; p; p = p.parent) if (p.resolve(name)) return true;
  return false;
}

/** Kahn's algorithm over producer → consumer edges within the graph; iterative. */
function hasCycle(g: Graph): boolean {
  const indegree = g.nodes.map(() => 0);
  const producerOf = new Map<string, number>();
  g.nodes.forEach((n, i) => n.outputs.forEach((o) => o && producerOf.set(o, i)));
  const succ: number[][] = g.nodes.map(() => []);
  g.nodes.forEach((n, i) => {
    for (const name of n.inputs) {
      const p = producerOf.get(name);
      if (p !== undefined) {
        succ[p]!.push(i);
        indegree[i]!++;
      }
    }
  });
  const queue = g.nodes.map((_, i) => i).filter((i) => indegree[i] === 0);
  let seen = 0;
  for (let k = 0; k < queue.length; k++, seen++) for (const s of succ[queue[k]!]!) if (--indegree[s]! === 0) queue.push(s);
  return seen < g.nodes.length;
}

/** Payload size against dims and dtype, and external data that is refused or short. Reads no values. */
function checkTensor(t: Tensor, graphId: string, out: Diagnostic[], nodeId?: string): void {
  const where = { graphId, nodeId, value: t.name };
  if (t.dims.some((d) => d < 0)) {
    out.push(diagnostic('tensor-data', `tensor '${t.name}' has a negative dimension [${t.dims.join(',')}]`, where));
    return;
  }
  try {
    t.validate();
  } catch (e) {
    if (e instanceof ModelFileError) out.push(diagnostic('external-data', e.message, where));
    else if (e instanceof OnnxFormatError) out.push(diagnostic('tensor-data', e.message.replace(/ \(at byte \d+\)$/, ''), where));
    else throw e;
  }
}

/** A sparse initializer: both tensors valid, values [NNZ], indices [NNZ] (linear) or [NNZ, rank]. */
function checkSparse(s: SparseInitializer, graphId: string, out: Diagnostic[]): void {
  checkTensor(s.values, graphId, out);
  checkTensor(s.indices, graphId, out);
  const nnz = s.values.dims[0] ?? 0;
  const shapeOk = s.values.dims.length === 1 && s.indices.dims[0] === nnz && (s.indices.dims.length === 1 || (s.indices.dims.length === 2 && s.indices.dims[1] === s.dims.length));
  if (!shapeOk) out.push(diagnostic('tensor-data', `sparse initializer '${s.values.name}': values [${s.values.dims.join(',')}] and indices [${s.indices.dims.join(',')}] do not fit a sparse tensor of shape [${s.dims.join(',')}]`, { graphId, value: s.values.name }));
  else if (s.indices.dtype === INT64) {
    const problem = sparseIndexProblem(s);
    if (problem) out.push(diagnostic('tensor-data', `sparse initializer '${s.values.name}': ${problem}`, { graphId, value: s.values.name }));
  }
}

const INT64 = 7;

/**
 * Indices must lie inside the dense shape and be in strictly increasing (row-major) order, as
 * ONNX's checker requires. Streamed, so a large sparse tensor is not read whole.
 */
function sparseIndexProblem(s: SparseInitializer): string | undefined {
  try {
    s.indices.validate();
  } catch {
    return undefined; // reported by checkTensor
  }
  const dims = s.dims.map(BigInt);
  const linear = s.indices.dims.length === 1;
  const width = linear ? 1 : dims.length;
  const bounds = linear ? [dims.reduce((a, b) => a * b, 1n)] : dims;
  let previous: bigint[] | undefined;
  let current: bigint[] = [];
  let entry = 0;
  for (const chunk of s.indices.chunks()) {
    for (const v of chunk as BigInt64Array) {
      const k = current.length;
      if (v < 0n || v >= bounds[k]!) return `index ${v} of entry ${entry} is out of range (0..${bounds[k]! - 1n})`;
      current.push(v);
      if (current.length < width) continue;
      if (previous && !lexLess(previous, current)) return `entry ${entry} (${current.join(',')}) is not after the one before it (${previous.join(',')}): indices must be sorted and distinct`;
      previous = current;
      current = [];
      entry++;
    }
  }
  return undefined;
}

function lexLess(a: bigint[], b: bigint[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}
