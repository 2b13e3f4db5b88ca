// Places each kernel in the NVTX range that launched it: the kernel's CUDA API call (same
// correlation id) ran on a CPU thread between that range's push and pop. TensorRT pushes one
// range per layer inside one per inference, so the innermost range around the call is the
// layer. The kernel's GPU time is charged to it, whenever the GPU actually ran it.

export interface RangeEvent {
  id: number;
  start: number;
  end: number;
  thread: string;
}

export interface KernelLaunch {
  /** The launching API call on the CPU; thread null: no call found (the kernel is outside every range). */
  callStart: number;
  callEnd: number;
  thread: string | null;
  gpuNs: number;
  kernel: string;
}

export interface Attribution {
  /** Range id → the kernels charged to it (kernel name → ns). */
  charged: Map<number, Map<string, number>>;
  /** Kernels in no range (kernel name → ns), and how many ran. */
  outside: Map<string, number>;
  outsideLaunches: number;
  /** Ranges with another range inside them (TensorRT's per-inference range, an application's own). */
  containers: Set<number>;
}

/** Sorts both lists in place; O((ranges + launches) log) per thread. */
export function attribute(ranges: RangeEvent[], launches: KernelLaunch[]): Attribution {
  const result: Attribution = { charged: new Map(), outside: new Map(), outsideLaunches: 0, containers: new Set() };
  const rangesByThread = groupBy(ranges, (r) => r.thread);
  const launchesByThread = groupBy(launches, (l) => l.thread ?? '');
  for (const [thread, list] of launchesByThread) {
    const threadRanges = thread === '' ? [] : (rangesByThread.get(thread) ?? []);
    rangesByThread.delete(thread);
    sweep(threadRanges, list, result);
  }
  // Threads that launched nothing still say which ranges hold others.
  for (const list of rangesByThread.values()) sweep(list, [], result);
  return result;
}

function sweep(ranges: RangeEvent[], launches: KernelLaunch[], result: Attribution): void {
  ranges.sort((a, b) => a.start - b.start || b.end - a.end);
  launches.sort((a, b) => a.callStart - b.callStart);
  const stack: RangeEvent[] = [];
  let next = 0;
  const open = (upTo: number): void => {
    while (next < ranges.length && ranges[next]!.start <= upTo) {
      const r = ranges[next++]!;
      while (stack.length > 0 && stack[stack.length - 1]!.end < r.start) stack.pop();
      const top = stack[stack.length - 1];
      if (top && top.end >= r.end) result.containers.add(top.id);
      stack.push(r);
    }
  };
  for (const l of launches) {
    open(l.callStart);
    while (stack.length > 0 && stack[stack.length - 1]!.end < l.callEnd) stack.pop();
    const top = stack[stack.length - 1];
    if (top) {
      let m = result.charged.get(top.id);
      if (!m) result.charged.set(top.id, (m = new Map()));
      m.set(l.kernel, (m.get(l.kernel) ?? 0) + l.gpuNs);
    } else {
      result.outside.set(l.kernel, (result.outside.get(l.kernel) ?? 0) + l.gpuNs);
      result.outsideLaunches++;
    }
  }
  open(Number.POSITIVE_INFINITY);
}

function groupBy<T>(items: readonly T[], keyOf: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const t of items) {
    const k = keyOf(t);
    const list = out.get(k);
    if (list) list.push(t);
    else out.set(k, [t]);
  }
  return out;
}
