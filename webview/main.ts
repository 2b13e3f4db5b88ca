// The graph editor webview: receives one graph level at a time, lays it out in a worker, draws
// it on a canvas, and shows properties on demand. No Node modules here (DESIGN.md §1).
import { NodeKind, type GraphPayload } from '../src/protocol/graph-payload';
import { PROTOCOL_VERSION, type ViewState } from '../src/protocol/messages';
import { CanvasView } from './canvas-view';
import { HostChannel } from './channel';
import { exportPng, exportSvg } from './export';
import workerSource from 'virtual:layout-worker';
import { LayoutClient, type LayoutWorker } from './layout-client';
import { groupPaths } from './layout/sections';
import { allGroups, initialExpanded, visibleGraph, type VisibleGraph } from './layout/visible-graph';
import { OverlayPanel, type NodeIndex } from './overlay-panel';
import { overlayFacts, Overlays } from './overlays';
import { el, Panel } from './panel';
import { PanelLayout } from './panel-layout';
import { layoutInput, sceneItems, weightNodes, type Scene } from './scene';
import { Search, searchTexts } from './search';

const channel = new HostChannel();
const workerUrl = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
const layouts = new LayoutClient(() => new Worker(workerUrl) as LayoutWorker);
const panel = new Panel(document.getElementById('properties')!);
const status = document.getElementById('status')!;
const crumbs = document.getElementById('breadcrumbs')!;
const canvas = document.getElementById('graph') as HTMLCanvasElement;

let payload: GraphPayload | undefined;
let paths: string[] = [];
let visible: VisibleGraph | undefined;
let expanded = new Set<string>();
let state: ViewState = channel.state ?? { graphId: '', selected: null, transform: null, showInitializers: false };

const view = new CanvasView(canvas, {
  select: (i) => select(i),
  open: (i) => open(i),
  transform: (t) => saveState({ transform: { x: t.x, y: t.y, k: t.k } }),
});
const panelLayout = new PanelLayout(document.querySelector('main')!, document.getElementById('splitter')!, document.getElementById('toggle-panel') as HTMLButtonElement, state.panel, (panel) => saveState({ panel }));
const overlays = new Overlays();
const overlayPanel = new OverlayPanel(document.getElementById('overlay')!, overlays, {
  reveal: (nodeId, graphId) => reveal(nodeId, graphId),
  changed: () => repaintOverlay(),
  highlight: (nodeIds) => highlightNodes(nodeIds),
});
/** Every node of the model by id (asked of the host once per model, when an overlay needs it). */
let nodeIndex: Promise<NodeIndex> | null = null;
const search = new Search(document.getElementById('search') as HTMLInputElement, document.getElementById('search-count')!, {
  highlight: (set) => {
    view.highlighted = set;
    view.requestDraw();
  },
  reveal: (i) => {
    view.reveal(i);
    select(i);
  },
});

function saveState(patch: Partial<ViewState>): void {
  state = { ...state, ...patch };
  channel.state = state;
}

/** Lays out what is visible of the current level and paints it; keeps the view where it was if asked. */
async function render(keepTransform: boolean): Promise<void> {
  const p = payload!;
  const received = performance.now();
  visible = visibleGraph(p, paths, expanded);
  const { items, edges } = sceneItems(p, visible, state.showInitializers);
  const { shown, laidEdges, input } = layoutInput(items, edges, state.showInitializers);
  status.textContent = `Laying out ${shown.length.toLocaleString('en-US')} items…`;
  const r = await layouts.layout(input).catch((e: Error) => {
    status.textContent = e.message;
    return null;
  });
  if (!r) return; // superseded, or failed (said in the status line)
  for (const it of items) it.x = it.y = NaN;
  shown.forEach((i, k) => {
    items[i]!.x = r.x[k]!;
    items[i]!.y = r.y[k]!;
  });
  const scene: Scene = { items, edges: laidEdges, width: r.bounds.width, height: r.bounds.height };
  view.setScene(scene, keepTransform ? state.transform : null);
  view.paint = overlays.paint(p, visible.itemOf, items.length);
  const itemOf = visible.itemOf;
  search.index(() => searchTexts(p, items, itemOf));
  view.selected = state.selected ? items.findIndex((it) => it.node >= 0 && p.nodes.id[it.node] === state.selected) : -1;
  requestAnimationFrame(() => {
    const opNodes = p.nodes.kind.filter((k) => k === NodeKind.Op || k === NodeKind.Constant).length;
    const firstPaintMs = performance.now() - received;
    status.textContent = `${opNodes.toLocaleString('en-US')} nodes · ${shown.length.toLocaleString('en-US')} drawn · layout ${r.ms.toFixed(0)} ms`;
    document.body.dataset.rendered = String(Number(document.body.dataset.rendered ?? 0) + 1);
    channel.notify('view/rendered', { graphId: p.graphId, opNodes, items: shown.length, layoutMs: r.ms, firstPaintMs });
  });
}

function showBreadcrumbs(p: GraphPayload): void {
  crumbs.replaceChildren();
  p.breadcrumbs.forEach((b, i) => {
    if (i > 0) crumbs.append(el('span', ' › '));
    const a = el('button', b.label);
    a.className = 'crumb';
    a.disabled = b.graphId === p.graphId;
    a.addEventListener('click', () => void loadGraph(b.graphId));
    crumbs.append(a);
  });
}

async function loadGraph(graphId: string, p?: GraphPayload, keep = false): Promise<void> {
  payload = p ?? (await channel.request('graph/get', { graphId }));
  paths = groupPaths(payload);
  expanded = initialExpanded(paths);
  if (!keep) saveState({ graphId, selected: null, transform: null });
  showBreadcrumbs(payload);
  search.reset();
  if (!keep) panel.clear();
  await render(keep);
  // A restored view (tab shown again, file reloaded) shows its selected node's properties again.
  if (keep && view.selected >= 0) await select(view.selected);
}

async function select(i: number): Promise<void> {
  view.selected = i;
  view.requestDraw();
  const it = view.items[i];
  const nodeId = it && it.node >= 0 ? payload!.nodes.id[it.node]! : null;
  saveState({ selected: nodeId });
  if (!it) return;
  if (it.kind === 'group') {
    panel.showNote(`${it.group}: ${it.sublabel} — double-click (or Enter) to expand`);
  } else if (it.kind === NodeKind.Op || it.kind === NodeKind.Constant) {
    try {
      const d = await channel.request('node/details', { nodeId: nodeId! });
      panel.showNode(d, (name) => void showTensor(name), (text) => void channel.request('clipboard/write', { text }));
      const o = overlays.active;
      const entry = o?.nodes[nodeId!];
      if (o && entry) panel.showFacts(o.title, overlayFacts(entry, o.unit));
      if (entry?.group !== undefined) highlightNodes(overlays.groupOf(nodeId!));
    } catch (e) {
      panel.showError((e as Error).message);
    }
  } else {
    panel.clear();
    await showTensor(payload!.nodes.name[it.node]!);
  }
}

async function showTensor(name: string): Promise<void> {
  try {
    const graphId = payload!.graphId;
    panel.showTensor(await channel.request('tensor/read', { graphId, name }), () => void channel.request('tensor/save', { graphId, name }));
  } catch (e) {
    panel.showError((e as Error).message);
  }
}

function open(i: number): void {
  const it = view.items[i]!;
  if (it.kind === 'group') {
    expanded.add(it.group);
    void render(true);
  } else if (it.hasSubgraphs) {
    void loadGraph(payload!.nodes.subgraphs[it.node]!.split('\n')[0]!);
  }
}

/** Folds the innermost expanded group around an item back into one box. */
function collapseAround(item: number): void {
  const it = view.items[item]!;
  const path = it.node >= 0 ? paths[it.node]! : it.group.split('/').slice(0, -1).join('/');
  const parts = path.split('/').filter(Boolean);
  for (let i = parts.length; i >= 1; i--) {
    const prefix = parts.slice(0, i).join('/');
    if (!expanded.has(prefix)) continue;
    for (const g of [...expanded]) if (g === prefix || g.startsWith(prefix + '/')) expanded.delete(g);
    void render(true);
    return;
  }
}

function neighbour(i: number, direction: 'down' | 'up' | 'left' | 'right'): number {
  const items = view.items;
  const it = items[i]!;
  if (direction === 'left' || direction === 'right') {
    const row = items.map((x, k) => k).filter((k) => items[k]!.y === it.y).sort((a, b) => items[a]!.x - items[b]!.x);
    const at = row.indexOf(i);
    return row[direction === 'left' ? at - 1 : at + 1] ?? i;
  }
  const vg = visible!;
  const next = direction === 'down' ? vg.from.findIndex((a) => a === i) : vg.to.findIndex((b) => b === i);
  return next < 0 ? i : direction === 'down' ? vg.to[next]! : vg.from[next]!;
}

document.addEventListener('keydown', (e) => {
  if ((e.ctrlKey || e.metaKey) && e.key === 'f') {
    e.preventDefault();
    search.focus();
    return;
  }
  if (document.activeElement instanceof HTMLInputElement) return;
  const keys: Record<string, 'down' | 'up' | 'left' | 'right'> = { ArrowDown: 'down', ArrowUp: 'up', ArrowLeft: 'left', ArrowRight: 'right' };
  if (keys[e.key] && view.selected >= 0) {
    e.preventDefault();
    const next = neighbour(view.selected, keys[e.key]!);
    view.reveal(next);
    void select(next);
  } else if (e.key === 'Enter' && view.selected >= 0) open(view.selected);
  else if (e.key === 'Escape') void select(-1);
  else if (e.key === '-' && view.selected >= 0) collapseAround(view.selected);
  else if (e.key === 'p' && !e.ctrlKey && !e.metaKey && !e.altKey) panelLayout.toggleHidden();
  else if (e.key === 'Backspace' && payload && payload.breadcrumbs.length > 1) void loadGraph(payload.breadcrumbs[payload.breadcrumbs.length - 2]!.graphId);
});

document.getElementById('fit')!.addEventListener('click', () => view.fit());
document.getElementById('expand-all')!.addEventListener('click', () => {
  expanded = allGroups(paths);
  void render(false);
});
document.getElementById('collapse-all')!.addEventListener('click', () => {
  expanded = new Set();
  void render(false);
});
const initToggle = document.getElementById('initializers') as HTMLInputElement;
initToggle.addEventListener('change', () => {
  saveState({ showInitializers: initToggle.checked });
  void render(true);
});
document.getElementById('export-svg')!.addEventListener('click', () => void channel.request('export/save', { format: 'svg', data: exportSvg(view.items, view.edges) }));
document.getElementById('export-png')!.addEventListener('click', () => void channel.request('export/save', { format: 'png', data: exportPng(view.items, view.edges) }));


channel.on('model/loaded', (m) => {
  document.body.classList.remove('failed');
  nodeIndex = null; // the file may have changed
  if (overlays.active) void showOverlay();
  panel.showModel(m.model);
  for (const w of m.warnings) panel.showError(w);
  if (m.state) state = { ...state, ...m.state };
  initToggle.checked = state.showInitializers;
  const keep = m.graph.graphId === state.graphId;
  void loadGraph(m.graph.graphId, m.graph, keep);
});

channel.on('model/error', (m) => {
  document.body.classList.add('failed');
  const box = document.getElementById('error')!;
  box.replaceChildren(el('h2', 'This file could not be opened as an ONNX model'), el('p', m.message));
  if (m.hint) box.append(el('p', m.hint));
  box.append(el('p', `${m.file} · ${m.readBytes.toLocaleString('en-US')} bytes read`));
  status.textContent = 'Not opened';
});

channel.on('overlay/set', (o) => {
  overlays.set(o);
  void showOverlay();
});
channel.on('overlay/clear', ({ id }) => {
  overlays.clear(id);
  void showOverlay();
});

/** The table (once the model's nodes are known) and the colours of the overlay shown. */
async function showOverlay(): Promise<void> {
  repaintOverlay();
  overlayPanel.show(null);
  if (!overlays.active) return;
  nodeIndex ??= channel.request('nodes/list', {}).then((l) => new Map(l.id.map((id, i) => [id, { op: l.op[i]!, graphId: l.graphId[i]! }])));
  overlayPanel.show(await nodeIndex.catch(() => null));
}

function repaintOverlay(): void {
  view.paint = payload && visible ? overlays.paint(payload, visible.itemOf, view.items.length) : null;
  view.requestDraw();
}

/** Highlights the drawn items of these nodes (a fused layer's nodes), as search highlights its matches. */
function highlightNodes(nodeIds: string[]): void {
  if (!payload || !visible) return;
  const wanted = new Set(nodeIds);
  const items = new Set<number>();
  payload.nodes.id.forEach((id, node) => {
    const item = visible!.itemOf[node];
    if (wanted.has(id) && item !== undefined && item >= 0) items.add(item);
  });
  view.highlighted = items;
  view.requestDraw();
}

channel.on('view/reveal', ({ nodeId, graphId }) => void reveal(nodeId, graphId));

/** Shows a node wherever it is: in another graph level, inside collapsed groups, or hidden with the weights. */
async function reveal(nodeId: string, graphId: string): Promise<void> {
  if (!payload || payload.graphId !== graphId) await loadGraph(graphId);
  const p = payload!;
  const node = p.nodes.id.indexOf(nodeId);
  if (node < 0) return;
  let changed = false;
  if (!state.showInitializers && weightNodes(p)[node]) {
    saveState({ showInitializers: true });
    initToggle.checked = true;
    changed = true;
  }
  const parts = paths[node]!.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    if (!expanded.has(prefix)) {
      expanded.add(prefix);
      changed = true;
    }
  }
  if (changed) await render(true);
  const item = visible!.itemOf[node]!;
  view.reveal(item);
  await select(item);
}

(window as unknown as { onnxStudio: object }).onnxStudio = { view, stats: view.stats };
channel.notify('webview/ready', { protocol: PROTOCOL_VERSION });
