// The host ⇄ webview protocol (DESIGN.md §3): one envelope, methods typed by maps, so call
// sites never pass raw strings. Types only: both the extension host and the webview import it.
import type { GraphPayload, ModelInfo, NodeDetails, TensorStats } from './graph-payload';
import type { Overlay } from './overlay';

export const PROTOCOL_VERSION = 2;

export type Envelope =
  | { kind: 'notify'; method: string; params: unknown }
  | { kind: 'request'; id: number; method: string; params: unknown }
  | { kind: 'response'; id: number; result?: unknown; error?: string };

/** Notifications the host sends to the webview. */
export interface HostNotifications {
  'model/loaded': { protocol: number; model: ModelInfo; graph: GraphPayload; warnings: string[]; state?: ViewState };
  'model/error': { file: string; message: string; hint?: string; readBytes: number };
  /** Show and select a node, entering its graph, expanding its groups and showing weights as needed. */
  'view/reveal': { nodeId: string; graphId: string };
  /** Adds an overlay, or replaces the one with its id; the view shows it. */
  'overlay/set': Overlay;
  /** Removes one overlay, or (no id) all of them. */
  'overlay/clear': { id?: string };
}

/** Notifications the webview sends to the host. */
export interface WebviewNotifications {
  'webview/ready': { protocol: number };
  'view/state': ViewState;
  /** After each layout: what is drawn, for the host's tests and status. */
  'view/rendered': RenderInfo;
}

export interface RenderInfo {
  graphId: string;
  /** Nodes of the ONNX graph level (op nodes only), as the webview received them. */
  opNodes: number;
  /** Items drawn (nodes, pseudo-nodes, collapsed groups). */
  items: number;
  layoutMs: number;
  /** From receiving the graph to the first painted frame. */
  firstPaintMs: number;
}

/** Requests the webview makes of the host, with their results. */
export interface WebviewRequests {
  'graph/get': { params: { graphId: string }; result: GraphPayload };
  'node/details': { params: { nodeId: string }; result: NodeDetails };
  'tensor/read': { params: { graphId: string; name: string }; result: TensorStats };
  'export/save': { params: { format: 'svg' | 'png'; data: string }; result: { saved: string | null } };
  'tensor/save': { params: { graphId: string; name: string }; result: { saved: string | null } };
  'clipboard/write': { params: { text: string }; result: null };
  /** Every node of the model, subgraphs included, by id: what an overlay's table shows and reveals. */
  'nodes/list': { params: Record<string, never>; result: { id: string[]; op: string[]; graphId: string[] } };
}

/** What survives hiding the tab (webview setState) and reloads of the same file. */
export interface ViewState {
  graphId: string;
  selected: string | null;
  transform: { x: number; y: number; k: number } | null;
  showInitializers: boolean;
  /** The properties panel's width (null: the default) and whether it is hidden. */
  panel?: { width: number | null; hidden: boolean };
}
