// The graph as it crosses to the webview: columnar arrays (no per-node objects, no weight
// bytes), one graph level at a time. Model strings are data: the webview renders them as text.

/** Constant nodes hold weights like initializers do, and hide with them. */
export const NodeKind = { Op: 0, Input: 1, Output: 2, Initializer: 3, Constant: 4 } as const;
export type NodeKind = (typeof NodeKind)[keyof typeof NodeKind];

export interface GraphPayload {
  /** '' for the main graph; a subgraph's id prefix (`If_3/then_branch/`) otherwise. */
  graphId: string;
  /** From the main graph down to this one. */
  breadcrumbs: { graphId: string; label: string }[];
  /** Distinct op labels (`Conv`, `com.microsoft::Gelu`); nodes index into it. */
  opTable: string[];
  /** Category names (`conv`, `activation`, `io`, …); the webview maps them to theme colours. */
  categoryTable: string[];
  /** Distinct namespace paths (`encoder/layer.3/attn`, '' for none); nodes index into it. */
  namespaceTable: string[];
  nodes: {
    id: string[];
    name: string[];
    kind: NodeKind[];
    op: number[];
    namespace: number[];
    /** Op category for colouring: index into categoryTable. */
    category: number[];
    /** Subgraph ids a node holds (If/Loop/Scan), '' when none; several joined by '\n'. */
    subgraphs: string[];
  };
  /** One entry per (producer, consumer, value): parallel arrays. */
  edges: { from: number[]; to: number[]; value: number[] };
  values: {
    name: string[];
    /** Text-syntax type, `float[N,3,224,224]`, or '' when unknown. */
    type: string[];
    /** Whether the type came from inference rather than from the file. */
    inferred: boolean[];
  };
}

export interface ModelInfo {
  file: string;
  irVersion: number;
  producer: string;
  opsets: Record<string, number>;
  metadata: Record<string, string>;
  nodeCount: number;
  totalNodeCount: number;
  parameterCount: number;
  weightBytes: number;
  /** The files the model refers to (external data), absolute: no write may replace them. */
  dataFiles: string[];
}

/** What the side panel shows of a node and of a tensor: computed by the core, sent as is. */
export type { NodeFacts as NodeDetails } from '../analysis/node-details';
export type { TensorStatistics as TensorStats } from '../analysis/tensor-stats';
