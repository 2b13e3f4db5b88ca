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
  /** Colours over values spread linearly or logarithmically (the view offers the switch); default linear. */
  scale?: 'linear' | 'log';
  /** For 'metric': a value that is neither good nor bad (a ratio's 1): colours diverge from it. */
  centre?: number;
  /** Figures above the table (source, total, mapped share); `value` is the figure unrounded, for readers and tests. */
  summary?: { label: string; text: string; value?: number }[];
  table?: OverlayTable;
  chart?: OverlayChart;
}

/**
 * A table of the overlay's own rows (a profile's layers, a comparison's biggest changes), shown
 * instead of the per-node table. Each row names the ONNX nodes it covers: a click reveals the
 * first and highlights them all. Cells follow `columns`; numbers sort as numbers.
 */
export interface OverlayTable {
  /** The first column's title (the row's name: a layer, a kernel, a node id). */
  nameTitle: string;
  columns: { title: string; /** Digits shown for numbers (default 2); 'percent' shows a fraction as %. */ format?: number | 'percent' }[];
  rows: OverlayTableRow[];
  /** The column (index into `columns`) sorted by at first, descending. */
  sortBy?: number;
}

export interface OverlayTableRow {
  name: string;
  /** Ids of the nodes of the model this row covers; empty: it maps to no node (shown as unmapped). */
  nodes: string[];
  cells: (number | string | null)[];
  /** Time spent for another layer (reformat, Reorder, Memcpy): marked in the table. */
  overhead?: boolean;
  /** A tooltip: why, or the names too long for the cells. */
  detail?: string;
}

/** Bars of one figure by category (a profile's time by op type), unmapped time a bar of its own. */
export interface OverlayChart {
  title: string;
  unit?: string;
  bars: { label: string; value: number; /** Drawn apart (unmapped, overhead). */ muted?: boolean }[];
}
