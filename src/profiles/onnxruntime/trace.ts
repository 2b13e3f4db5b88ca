// ONNX Runtime's profiling JSON (a Chrome trace: `{cat, name, ts, dur, tid, args}` in µs) read
// into runs of node events. Node events are `<node>_kernel_time`; a control-flow node's event
// (If, Loop, Scan) spans the events of the subgraph it ran, so each event is placed inside the
// innermost control-flow event that contains it and its own time is what its children leave.
import { ProfileFormatError } from '../errors';

export interface OrtNodeEvent {
  /** The node's name in the graph ORT ran (the event name without `_kernel_time`). */
  node: string;
  /** args.op_name: the kernel's op type (`Conv` also for NCHWc convs, `FusedConv`, `ReorderOutput`). */
  op: string;
  ts: number;
  dur: number;
  /** dur less the time of the events run inside it (control-flow nodes); dur for other nodes. */
  selfUs: number;
  /** args.node_index: ORT's own node number (it names an unnamed node `<op>_<index>`). */
  nodeIndex?: number;
  /** The control-flow event this one ran inside (its subgraph's node), if any. */
  parent?: OrtNodeEvent;
  activationBytes?: number;
  outputBytes?: number;
}

/** One `model_run`: the node events that ran inside it, in start order. */
export interface OrtRun {
  ts: number;
  dur: number;
  events: OrtNodeEvent[];
}

export interface OrtTrace {
  runs: OrtRun[];
  /** False when the file has no `model_run` events (all node events were put in one run). */
  hasRunEvents: boolean;
}

interface RawEvent {
  cat?: unknown;
  name?: unknown;
  ts?: unknown;
  dur?: unknown;
  tid?: unknown;
  args?: Record<string, unknown>;
}

const KERNEL_SUFFIX = '_kernel_time';
const CONTROL_FLOW = new Set(['If', 'Loop', 'Scan']);

/** Reads a profile's text; a file that is not ORT profiling JSON throws ProfileFormatError naming `file`. */
export function parseOrtTrace(text: string, file: string): OrtTrace {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ProfileFormatError(`${file}: not valid JSON (${(e as Error).message}); a truncated ONNX Runtime profile?`, file);
  }
  const list = Array.isArray(doc) ? doc : isObject(doc) && Array.isArray(doc.traceEvents) ? doc.traceEvents : undefined;
  if (!list) throw new ProfileFormatError(`${file}: not an ONNX Runtime profile (expected a JSON array of trace events)`, file);
  const raw = list.filter(isObject) as RawEvent[];
  if (!raw.some((e) => e.cat === 'Node' || e.cat === 'Session')) {
    throw new ProfileFormatError(`${file}: not an ONNX Runtime profile (no events of category Node or Session)`, file);
  }
  const nodes: OrtNodeEvent[] = [];
  // A parallel executor runs nodes on several threads: only events of one thread nest.
  const threads = new Map<OrtNodeEvent, unknown>();
  for (const e of raw) {
    if (e.cat !== 'Node' || typeof e.name !== 'string' || !e.name.endsWith(KERNEL_SUFFIX)) continue;
    const ts = finite(e.ts);
    const dur = finite(e.dur);
    if (ts === undefined || dur === undefined || dur < 0) continue;
    const args = isObject(e.args) ? e.args : {};
    const event: OrtNodeEvent = {
      node: e.name.slice(0, -KERNEL_SUFFIX.length),
      op: typeof args.op_name === 'string' ? args.op_name : '',
      ts,
      dur,
      selfUs: dur,
      nodeIndex: finite(args.node_index),
      activationBytes: bytes(args.activation_size),
      outputBytes: bytes(args.output_size),
    };
    nodes.push(event);
    threads.set(event, e.tid);
  }
  if (nodes.length === 0) throw new ProfileFormatError(`${file}: an ONNX Runtime profile without node events (\`*_kernel_time\`): was the model run after the session was created with profiling on?`, file);
  const runEvents = raw
    .filter((e) => e.cat === 'Session' && e.name === 'model_run')
    .map((e) => ({ ts: finite(e.ts), dur: finite(e.dur) }))
    .filter((r): r is { ts: number; dur: number } => r.ts !== undefined && r.dur !== undefined)
    .sort((a, b) => a.ts - b.ts);
  nodes.sort((a, b) => a.ts - b.ts || b.dur - a.dur);
  nest(nodes, threads);
  if (runEvents.length === 0) return { runs: [{ ts: nodes[0]!.ts, dur: 0, events: nodes }], hasRunEvents: false };
  return { runs: splitRuns(nodes, runEvents), hasRunEvents: true };
}

/** Places each event inside the innermost control-flow event of its thread that spans it (one pass, a stack per thread; no recursion). */
function nest(sorted: OrtNodeEvent[], threads: Map<OrtNodeEvent, unknown>): void {
  const stacks = new Map<unknown, OrtNodeEvent[]>();
  for (const e of sorted) {
    const tid = threads.get(e);
    let open = stacks.get(tid);
    if (!open) stacks.set(tid, (open = []));
    // ts and dur are whole µs: a child may end up to 1 µs after its parent.
    while (open.length && e.ts >= open[open.length - 1]!.ts + open[open.length - 1]!.dur) open.pop();
    const parent = open[open.length - 1];
    if (parent) {
      e.parent = parent;
      parent.selfUs = Math.max(0, parent.selfUs - e.dur);
    }
    if (CONTROL_FLOW.has(e.op)) open.push(e);
  }
}

/** Node events by the model_run that contains them; events outside every run (none in ORT's files) are dropped. */
function splitRuns(sorted: OrtNodeEvent[], runs: { ts: number; dur: number }[]): OrtRun[] {
  const out: OrtRun[] = runs.map((r) => ({ ...r, events: [] }));
  let k = 0;
  for (const e of sorted) {
    while (k < out.length && e.ts > out[k]!.ts + out[k]!.dur) k++;
    if (k === out.length) break;
    if (e.ts >= out[k]!.ts) out[k]!.events.push(e);
  }
  return out.filter((r) => r.events.length > 0);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function finite(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

function bytes(v: unknown): number | undefined {
  const n = finite(v);
  return n !== undefined && n >= 0 ? n : undefined;
}
