import type { NodeProto } from '../../../onnx/proto/types';

/**
 * The channel axis of a value, as a list of segments of channel spaces. A space is the output
 * channels of one Conv (its filters define them) or the output features of one Gemm/MatMul
 * (its weight's columns or rows); Concat joins segments, Split cuts them.
 */
export interface Segment {
  space: number;
  start: number;
  length: number;
}

export interface Layout {
  segments: Segment[];
  /** Rank of the value; 0 when unknown (a MatMul over an input whose rank nothing declares). */
  rank: number;
  /**
   * The channel axis: 1 for Conv outputs (NCHW), the last axis for Gemm/MatMul features
   * (rank − 1, or −1 while the rank is unknown).
   */
  axis: number;
  /**
   * Set once the value was flattened to [N, C·inner] (Flatten/Reshape): each channel stands
   * for `inner` consecutive features; 0 while the Reshape did not say and no reader did yet.
   */
  flat?: { inner: number };
}

export const channelCount = (l: Layout): number => l.segments.reduce((a, s) => a + s.length, 0);

/** Whether the channels are the value's last axis (Gemm/MatMul features, [N, C] Conv values). */
export const channelsLast = (l: Layout): boolean => l.axis === -1 || (l.rank > 0 && l.axis === l.rank - 1);

/** Whether the (possibly negative) axis attribute `axis` names the channel axis of `l`. */
export function isChannelAxis(l: Layout, axis: number): boolean {
  if (l.rank === 0) return axis === -1 && l.axis === -1;
  return (axis + l.rank) % l.rank === l.axis;
}

/** One output channel space: a Conv's filters, or a Gemm's or MatMul's output features. */
export interface Space {
  id: number;
  channels: number;
  /** The Conv, Gemm or MatMul that produces the channels. */
  layer: NodeProto;
  /** The axis of the layer's weight (input 1) that holds one slice per channel. */
  weightAxis: number;
}

/**
 * Spaces that must keep one kept-index set (residual Add, squeeze-excitation Mul, …): a
 * union-find with path halving (no recursion), each root carrying why its group is left.
 */
export class SpaceGroups {
  private parent: number[] = [];
  private reasons = new Map<number, string[]>();

  add(): number {
    this.parent.push(this.parent.length);
    return this.parent.length - 1;
  }

  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      p[x] = p[p[x]!]!;
      x = p[x]!;
    }
    return x;
  }

  union(a: number, b: number): number {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra === rb) return ra;
    const [root, child] = ra < rb ? [ra, rb] : [rb, ra];
    this.parent[child] = root;
    const moved = this.reasons.get(child);
    if (moved) {
      this.reasons.set(root, [...(this.reasons.get(root) ?? []), ...moved]);
      this.reasons.delete(child);
    }
    return root;
  }

  /** Leaves the group of `space` alone, with why (the first few reasons are kept). */
  refuse(space: number, reason: string): void {
    const root = this.find(space);
    const list = this.reasons.get(root) ?? [];
    if (!list.includes(reason) && list.length < 8) list.push(reason);
    this.reasons.set(root, list);
  }

  reasonsOf(space: number): string[] {
    return this.reasons.get(this.find(space)) ?? [];
  }

  get size(): number {
    return this.parent.length;
  }
}
