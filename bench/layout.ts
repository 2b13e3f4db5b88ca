// Layout rows of `npm run bench`: our layered layout (the whole graph, and the first view with
// groups collapsed) beside @dagrejs/dagre — the layout Netron uses — on the same graphs.
import { spawnSync } from 'node:child_process';
import { graphPayload } from '../src/extension/graph-payload';
import { inferModel } from '../src/onnx/infer/infer';
import { openModel } from '../src/onnx/open';
import { NodeKind, type GraphPayload } from '../src/protocol/graph-payload';
import { layeredLayout } from '../webview/layout/layered';
import { groupPaths } from '../webview/layout/sections';
import { allGroups, initialExpanded, visibleGraph } from '../webview/layout/visible-graph';

const DAGRE_LIMIT_S = 120;

function load(path: string): { payload: GraphPayload; ms: number } {
  const start = performance.now();
  const model = openModel(path);
  const payload = withoutWeights(graphPayload(model.graph, inferModel(model)));
  model.close();
  return { payload, ms: performance.now() - start };
}

/** Initializers and Constant nodes, which the view hides by default: left out of every layout here. */
const isWeight = (p: GraphPayload, i: number): boolean => p.nodes.kind[i] === NodeKind.Initializer || p.nodes.kind[i] === NodeKind.Constant;

/** The graph without its weights, as the editor first shows it. */
function withoutWeights(p: GraphPayload): GraphPayload {
  const keep = p.nodes.id.map((_, i) => !isWeight(p, i));
  const index = new Int32Array(keep.length).fill(-1);
  let k = 0;
  keep.forEach((x, i) => x && (index[i] = k++));
  const pick = <T>(xs: T[]): T[] => xs.filter((_, i) => keep[i]);
  const edges = p.edges.from.map((_, e) => e).filter((e) => keep[p.edges.from[e]!] && keep[p.edges.to[e]!]);
  return {
    ...p,
    nodes: { id: pick(p.nodes.id), name: pick(p.nodes.name), kind: pick(p.nodes.kind), op: pick(p.nodes.op), namespace: pick(p.nodes.namespace), category: pick(p.nodes.category), subgraphs: pick(p.nodes.subgraphs) },
    edges: { from: edges.map((e) => index[p.edges.from[e]!]!), to: edges.map((e) => index[p.edges.to[e]!]!), value: edges.map((e) => p.edges.value[e]!) },
  };
}

function layoutMs(p: GraphPayload, expanded: 'all' | 'initial'): { ms: number; items: number } {
  const start = performance.now();
  const paths = groupPaths(p);
  const vg = visibleGraph(p, paths, expanded === 'all' ? allGroups(paths) : initialExpanded(paths));
  const items = vg.node.length;
  layeredLayout({ count: items, from: vg.from, to: vg.to, width: new Float64Array(items).fill(120), height: new Float64Array(items).fill(36) });
  return { ms: performance.now() - start, items };
}

/** Child-process side: dagre on the whole graph, printing {ms} (or dying: stack overflow, time limit). */
export function dagreWorker(path: string): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const dagre = require('@dagrejs/dagre') as typeof import('@dagrejs/dagre');
  const { payload } = load(path);
  const start = performance.now();
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 24, ranksep: 40 });
  g.setDefaultEdgeLabel(() => ({}));
  payload.nodes.id.forEach((_, i) => g.setNode(String(i), { width: 120, height: 36 }));
  payload.edges.from.forEach((a, e) => g.setEdge(String(a), String(payload.edges.to[e])));
  dagre.layout(g);
  process.stdout.write(JSON.stringify({ ms: performance.now() - start }));
}

function dagreMs(path: string, script: string): number | string {
  const r = spawnSync(process.execPath, ['--stack-size=984', script, '--dagre', path], { encoding: 'utf8', timeout: DAGRE_LIMIT_S * 1000, maxBuffer: 1 << 20 });
  if (r.error && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT') return `>${DAGRE_LIMIT_S} s`;
  if (r.status !== 0) return /Maximum call stack/.test(r.stderr) ? 'stack overflow' : `failed (${r.status ?? r.signal})`;
  return (JSON.parse(r.stdout) as { ms: number }).ms;
}

export function layoutRows(models: [string, string][], script: string): string[][] {
  const rows = [['graph', 'nodes', 'open+payload ms', 'ours: whole graph ms', 'ours: first view (items) ms', 'dagre: whole graph ms', 'ours/dagre']];
  for (const [label, path] of models) {
    const { payload, ms } = load(path);
    const full = layoutMs(payload, 'all');
    const first = layoutMs(payload, 'initial');
    const dagre = dagreMs(path, script);
    const ratio = typeof dagre === 'number' ? `1/${Math.round(dagre / full.ms)}` : 'n/a';
    rows.push([label, String(payload.nodes.id.length), ms.toFixed(0), full.ms.toFixed(0), `${first.ms.toFixed(0)} (${first.items})`, typeof dagre === 'number' ? dagre.toFixed(0) : dagre, ratio]);
  }
  return rows;
}
