// The extension host ⇄ model worker protocol: the worker thread owns an opened model (parse,
// inference, external-data checks) and answers typed requests by id. Results cross as packed
// columns (typed arrays whose buffers are transferred), never as cloned object graphs.
// Types only: the host and the worker both import it.
import type { ModelSummary } from '../analysis/summary';
import type { CompileRequest, TextError } from '../onnx/text/compile';
import type { GraphPayload, ModelInfo, NodeDetails, TensorStats } from './graph-payload';

/** Why a file did not open, as the editor shows it. */
export interface OpenError {
  message: string;
  hint?: string;
  readBytes: number;
}

export type OpenResult = { ok: true; info: ModelInfo; warnings: string[] } | { ok: false; error: OpenError };

/** One line of the ONNX Graph tree; `parent` of the next request for its children. */
export type OutlineEntry =
  | { kind: 'group'; graphId: string; path: string; label: string }
  | { kind: 'subgraph'; graphId: string; label: string }
  | { kind: 'node'; graphId: string; nodeId: string; label: string; description: string; hasChildren: boolean };

/** The ONNX Graph tree's children of one entry, column by column (a level can hold a million nodes). */
export interface OutlineColumns {
  kind: ('group' | 'subgraph' | 'node')[];
  graphId: string[];
  /** A group's namespace path, or a node's id ('' for a subgraph). */
  key: string[];
  label: string[];
  description: string[];
  hasChildren: boolean[];
}

/** Every node of every graph, for "Go to Node…". */
interface NodeList {
  id: string[];
  name: string[];
  op: string[];
  graphId: string[];
}

/** Requests the host makes of the worker, with their results. */
export interface ModelWorkerRequests {
  /** Reads the file; `infer` runs type and shape inference too (the graph editor needs it). */
  'model/open': { params: { path: string; infer: boolean }; result: OpenResult };
  'model/summary': { params: Record<string, never>; result: ModelSummary };
  /** Node ids of the layers whose weights hold the 2:4 pattern (reads their weights). */
  'model/two-four': { params: Record<string, never>; result: string[] };
  /** A graph level for the view; `orMain` falls back to the main graph when the id is gone (after a reload). */
  'graph/get': { params: { graphId: string; orMain: boolean }; result: { graph: GraphPayload; tooLarge?: string } };
  'node/details': { params: { nodeId: string }; result: NodeDetails };
  /** The graph holding a node, or null when there is no such node. */
  'node/locate': { params: { nodeId: string }; result: { graphId: string } | null };
  'nodes/list': { params: Record<string, never>; result: NodeList };
  'outline/children': { params: { parent: OutlineEntry | null }; result: OutlineColumns };
  'tensor/read': { params: { graphId: string; name: string }; result: TensorStats };
  /** Throws when the name has no stored values (asked before the save dialog). */
  'tensor/find': { params: { graphId: string; name: string }; result: null };
  /** Streams the values into a .npy file; `note` says what numpy's dtype could not keep exactly. */
  'tensor/save': { params: { graphId: string; name: string; target: string }; result: { note?: string } };
  /**
   * "Open as ONNX Text": prints the model at `path` for a text at `textPath` and writes it there
   * (with its weights file) unless a file is in the way; `notWritten` says why it was not.
   */
  'text/print': { params: { path: string; textPath: string }; result: TextPrinted | { ok: false; problem: string } };
  /** The files an ONNX text refers to, relative to `folder` (for the save dialog and its question). */
  'text/references': { params: { text: string; folder?: string }; result: { ok: true; files: string[] } | { ok: false; errors: TextError[] } | { ok: false; problem: string } };
  /** "Save as ONNX Model": the one compile flow (src/onnx/text/compile.ts). */
  'text/compile': { params: CompileRequest; result: { ok: true; notes: string[] } | { ok: false; errors: TextError[] } | { ok: false; problem: string } };
}

export interface TextPrinted {
  ok: true;
  text: string;
  notes: string[];
  dropped: string[];
  notWritten?: string;
}

export type ModelWorkerMethod = keyof ModelWorkerRequests;

/** A result in transferable form: small values in `shell`, long primitive arrays as columns. */
export interface Packed {
  shell: unknown;
  columns: { path: (string | number)[]; column: PackedColumn }[];
}

export type PackedColumn =
  | { kind: 'i32'; data: Int32Array }
  | { kind: 'f64'; data: Float64Array }
  | { kind: 'bool'; data: Uint8Array }
  /** Strings as one UTF-8 buffer; `ends` are UTF-16 offsets into its decoded text. */
  | { kind: 'str'; utf8: Uint8Array; ends: Uint32Array };

export type WorkerRequest = { [M in ModelWorkerMethod]: { id: number; method: M; params: ModelWorkerRequests[M]['params'] } }[ModelWorkerMethod];
export type WorkerResponse = { id: number; result: Packed } | { id: number; error: string };
