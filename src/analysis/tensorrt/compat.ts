import type { Graph, Model } from '../../onnx/model/graph';
import { inferModel, type InferenceResult } from '../../onnx/infer/infer';
import { assessNode, type AssessContext, type NodeAssessment, type TrtStatus } from './assess-node';
import { islandsOf, type Island } from './islands';
import { localFunctions } from './local-functions';
import { NodeFacts } from './node-facts';
import { opsetNotes, tensorrtOpsetRanges, type OpsetNote, type TensorRTOpsetRange } from './opset-notes';
import { modelParameters } from './parameters';
import { preflightFindings, type PreflightFinding } from './preflight';
import { matrixFor, NEWEST_TENSORRT, type TensorRTVersion } from './versions';

/** One node in `onnx-studio trt-check --json` (the overlay is built from this array). */
export interface TrtNodeResult {
  /** Node id as in the editor (src/onnx/model/graph.ts). */
  id: string;
  name: string;
  op: string;
  domain: string;
  status: TrtStatus;
  reasons: string[];
}

/** Unsupported nodes grouped by operator, as Polygraphy's capability summary lists them. */
export interface UnsupportedOp {
  op: string;
  count: number;
  reason: string;
  nodes: string[];
}

export interface TrtSummary {
  nodes: number;
  supported: number;
  conditional: number;
  unsupported: number;
  /** Fraction in [0, 1] of initializer and Constant elements all of whose readers (any graph) TensorRT takes (1 with no parameters). */
  supportedParameterShare: number;
  /** Fraction in [0, 1] of nodes TensorRT takes: not unsupported, and not inside the body of a rejected If/Loop/Scan. */
  supportedNodeShare: number;
  parameters: { total: number; supported: number };
  unsupportedNodes: string[];
  unsupportedOps: UnsupportedOp[];
  islands: Island[];
  preflight: PreflightFinding[];
  /** The model's opsets, the range each TensorRT version parses, and notes per operator. */
  opset: { model: Record<string, number>; tensorrt: TensorRTOpsetRange[]; notes: OpsetNote[] };
}

export interface TrtCheckResult {
  tensorrtVersion: TensorRTVersion;
  summary: TrtSummary;
  nodes: TrtNodeResult[];
}

export interface TrtCheckOptions {
  version?: TensorRTVersion;
  /** Non-default-domain ops with a TensorRT plugin (`Op` or `domain::Op`). */
  plugins?: string[];
  /** Read weights for the FP16-range and INT64 findings (default true). */
  scanWeights?: boolean;
  /** The model's inference when the caller has it already (modelRefusals). */
  inference?: InferenceResult;
}

/** TensorRT compatibility of every node of every graph, for one TensorRT version, without TensorRT. */
export function checkTensorRT(model: Model, options: TrtCheckOptions = {}): TrtCheckResult {
  const version = options.version ?? NEWEST_TENSORRT;
  const inference = options.inference ?? inferModel(model);
  const preflight = preflightFindings(model, inference, version, { scanWeights: options.scanWeights });
  const findingsByNode = new Map<string, PreflightFinding[]>();
  for (const f of preflight) for (const id of f.nodeIds) findingsByNode.set(id, [...(findingsByNode.get(id) ?? []), f]);
  const ctx: AssessContext = { version, matrix: matrixFor(version), plugins: new Set(options.plugins ?? []), functions: localFunctions(model), findingsByNode };
  const opsets = model.opsetImports;
  const graphs = [...model.graphs()];
  const assessed = new Map<string, NodeAssessment>();
  for (const g of graphs) {
    for (const node of g.nodes) {
      let a: NodeAssessment;
      try {
        a = assessNode(new NodeFacts(node, inference, opsets.get(node.domain) ?? 0), ctx);
      } catch (e) {
        a = { status: 'conditional', reasons: [`condition: could not be checked (${e instanceof Error ? e.message : String(e)})`] };
      }
      assessed.set(node.id, a);
    }
  }
  propagateSubgraphs(graphs, assessed);
  const nodes: TrtNodeResult[] = [];
  for (const g of graphs) for (const n of g.nodes) nodes.push({ id: n.id, name: n.name, op: n.opType, domain: n.domain, status: assessed.get(n.id)!.status, reasons: assessed.get(n.id)!.reasons });
  return { tensorrtVersion: version, summary: summarizeResult(model, graphs, nodes, assessed, preflight), nodes };
}

/** An If/Loop/Scan whose body holds an unsupported node is unsupported too (innermost first, no recursion). */
function propagateSubgraphs(graphs: Graph[], assessed: Map<string, NodeAssessment>): void {
  for (let i = graphs.length - 1; i > 0; i--) {
    const g = graphs[i]!;
    const owner = g.owner!.node;
    const bad = g.nodes.filter((n) => assessed.get(n.id)!.status === 'unsupported');
    if (!bad.length) continue;
    const a = assessed.get(owner.id)!;
    const shown = bad.slice(0, 3).map((n) => n.id).join(', ');
    a.status = 'unsupported';
    a.reasons.unshift(`subgraph \`${g.owner!.attribute}\` has ${bad.length} unsupported node(s): ${shown}${bad.length > 3 ? ', …' : ''}`);
  }
}

/**
 * Ids of the nodes TensorRT takes: not `unsupported`, and every enclosing If/Loop/Scan taken too.
 * A node in the body of a rejected control-flow node keeps its own status in `nodes` (what it
 * would be on its own), but the summary's shares and islands do not count it: the parser never
 * sees it. Graphs come outermost first, so an owner is decided before its bodies.
 */
function takenNodes(graphs: Graph[], assessed: Map<string, NodeAssessment>): Set<string> {
  const taken = new Set<string>();
  for (const g of graphs) {
    const owner = g.owner?.node;
    if (owner && !taken.has(owner.id)) continue;
    for (const n of g.nodes) if (assessed.get(n.id)!.status !== 'unsupported') taken.add(n.id);
  }
  return taken;
}

function summarizeResult(model: Model, graphs: Graph[], nodes: TrtNodeResult[], assessed: Map<string, NodeAssessment>, preflight: PreflightFinding[]): TrtSummary {
  const count = (s: TrtStatus): number => nodes.filter((n) => n.status === s).length;
  const taken = takenNodes(graphs, assessed);
  let total = 0;
  let supported = 0;
  for (const p of modelParameters(model)) {
    total += p.elements;
    // Every reader, in any graph (outer-scope reads from bodies included), must be taken.
    const readers = p.constant ? [p.constant, ...p.consumers] : p.consumers;
    if (readers.every((n) => taken.has(n.id))) supported += p.elements;
  }
  const unsupported = nodes.filter((n) => n.status === 'unsupported');
  const byOp = new Map<string, UnsupportedOp>();
  for (const n of unsupported) {
    const key = n.domain ? `${n.domain}::${n.op}` : n.op;
    const entry = byOp.get(key) ?? { op: key, count: 0, reason: n.reasons[0] ?? '', nodes: [] };
    entry.count++;
    entry.nodes.push(n.id);
    byOp.set(key, entry);
  }
  return {
    nodes: nodes.length,
    supported: count('supported'),
    conditional: count('conditional'),
    unsupported: unsupported.length,
    supportedParameterShare: total ? supported / total : 1,
    supportedNodeShare: nodes.length ? taken.size / nodes.length : 1,
    parameters: { total, supported },
    unsupportedNodes: unsupported.map((n) => n.id),
    unsupportedOps: [...byOp.values()],
    islands: graphs.flatMap((g) => islandsOf(g, (id) => taken.has(id))),
    preflight,
    opset: { model: Object.fromEntries(model.opsetImports), tensorrt: tensorrtOpsetRanges(model), notes: opsetNotes(model).filter((n) => n.deprecated || n.laterChanges.length || n.since === null) },
  };
}
