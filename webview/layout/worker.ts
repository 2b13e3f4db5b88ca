// The layout worker: runs the layered layout off the UI thread (DESIGN.md §4).
import { layeredLayout, type LayoutInput } from './layered';

export interface LayoutRequest {
  id: number;
  input: LayoutInput;
}

export interface LayoutReply {
  id: number;
  x: Float64Array;
  y: Float64Array;
  bounds: { width: number; height: number };
  ms: number;
}

const scope = self as unknown as { onmessage: ((e: MessageEvent<LayoutRequest>) => void) | null; postMessage(m: LayoutReply, transfer: Transferable[]): void };
scope.onmessage = (e) => {
  const start = performance.now();
  const r = layeredLayout(e.data.input);
  scope.postMessage({ id: e.data.id, x: r.x, y: r.y, bounds: r.bounds, ms: performance.now() - start }, [r.x.buffer, r.y.buffer]);
};
