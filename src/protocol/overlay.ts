// Overlays (DESIGN.md §4): one mechanism for everything painted on nodes. The host computes a
// per-node table keyed by node id (DESIGN.md §2) from the same result the CLI prints as JSON;
// the webview only maps it to colours, badges and a sortable table. Types only.

export interface OverlayEntry {
  /** A measured figure ('metric' overlays), in the overlay's unit. */
  value?: number;
  /** A state name ('status' overlays, e.g. TensorRT 'fused' | 'unsupported'). */
  status?: string;
  /** A short badge drawn on the node (e.g. 'float'). */
  label?: string;
  /** Why the node has this entry, shown beside it in the table (e.g. why it was kept in float). */
  detail?: string;
  /** Nodes of one fused engine layer, which highlight together. */
  group?: string;
}

export interface Overlay {
  /** Stable per kind of overlay ('quantization-error'): setting the same id replaces it. */
  id: string;
  title: string;
  kind: 'metric' | 'status';
  unit?: string;
  /** For 'metric': whether a higher value is better (SNR) or worse (latency); colours follow. */
  higherIsBetter?: boolean;
  nodes: Record<string, OverlayEntry>;
  /** Entries of the source that name no node of the model (e.g. engine layers), as text. */
  unmapped?: string[];
}
