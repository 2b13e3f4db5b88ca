// The host ⇄ webview protocol (DESIGN.md §3): one envelope, methods typed by maps, so call
// sites never pass raw strings. Types only: both the extension host and the webview import it.
import type { GraphPayload, ModelInfo, NodeDetails, TensorStats } from './graph-payload';

export const PROTOCOL_VERSION = 1;

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
}

/** Notifications the webview sends to the host. */
export interface WebviewNotifications {
  'webview/ready': { protocol: number };
  'node/selected': { nodeId: string | null; graphId: string };
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
