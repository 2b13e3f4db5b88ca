import type { GraphEdit } from '../../../onnx/edit/graph-edit';
import type { NodeProto } from '../../../onnx/proto/types';
import { Tensor } from '../../../onnx/tensor';
import { constantNumbers, intAttr, intsAttr, isDefaultDomain } from './node-facts';

/** Shapes are short: a Cast chain longer than this is not followed. */
const MAX_STEPS = 64;

const is = (n: NodeProto | undefined, op: string): boolean => !!n && n.op_type === op && isDefaultDomain(n);

/** The positions `[start, end)` of a length-`rank` vector a Slice or Shape range takes, or undefined when not constant. */
function range(start: number | undefined, end: number | undefined, rank: number): [number, number] | undefined {
  if (start === undefined || end === undefined) return undefined;
  const clamp = (v: number): number => Math.min(rank, Math.max(0, v < 0 ? v + rank : v));
  return [clamp(start), clamp(end)];
}

/** The positions a Slice of a shape vector takes (one axis, step 1), or undefined. */
function sliceTakes(g: GraphEdit, slice: NodeProto, rank: number): [number, number] | undefined {
  const fromInputs = slice.input.length > 1;
  const starts = fromInputs ? constantNumbers(g, slice.input[1]) : intsAttr(slice, 'starts');
  const ends = fromInputs ? constantNumbers(g, slice.input[2]) : intsAttr(slice, 'ends');
  const axes = fromInputs ? (slice.input[3] ? constantNumbers(g, slice.input[3]) : [0]) : (intsAttr(slice, 'axes') ?? [0]);
  const steps = fromInputs && slice.input[4] ? constantNumbers(g, slice.input[4]) : [1];
  if (starts?.length !== 1 || ends?.length !== 1 || axes?.length !== 1 || axes[0] !== 0 || steps?.[0] !== 1) return undefined;
  return range(starts[0], ends[0], rank);
}

const excludesAxis = (r: [number, number] | undefined, axis: number): boolean => !!r && (r[0] > axis || r[1] <= axis);

/**
 * Whether the Shape of a channel value passes on no channel count: its own range skips the
 * channel axis, or every reader (through Casts) slices or gathers other dims only (Paddle's batch size).
 */
export function shapeSkipsChannels(g: GraphEdit, shape: NodeProto, rank: number, channelAxis: number): boolean {
  const own = shape.attribute.some((a) => a.name === 'start' || a.name === 'end') ? range(intAttr(shape, 'start', 0), intAttr(shape, 'end', rank), rank) : [0, rank] as [number, number];
  if (excludesAxis(own, channelAxis)) return true;
  const work = [shape.output[0]!];
  for (let steps = 0; work.length && steps < MAX_STEPS; steps++) {
    const name = work.pop()!;
    if (g.isGraphOutput(name)) return false;
    for (const reader of g.consumersOf(name)) {
      if (is(reader, 'Cast')) work.push(reader.output[0]!);
      else if (is(reader, 'Slice') && reader.input[0] === name) {
        if (!excludesAxis(sliceTakes(g, reader, rank), channelAxis)) return false;
      } else if (is(reader, 'Gather') && reader.input[0] === name && intAttr(reader, 'axis', 0) === 0) {
        const at = constantNumbers(g, reader.input[1]);
        if (!at || at.some((i) => (i < 0 ? i + rank : i) === channelAxis)) return false;
      } else return false;
    }
  }
  return !work.length;
}

/** Follows Cast nodes back from `name`; the last name and the node that reads it. */
function throughCasts(g: GraphEdit, name: string, reader: NodeProto): { name: string; reader: NodeProto } {
  for (let p = g.producer(name), steps = 0; p && is(p, 'Cast') && steps < MAX_STEPS; p = g.producer(name), steps++) {
    reader = p;
    name = p.input[0]!;
  }
  return { name, reader };
}

/** A computed Reshape shape that states the features: Concat(batch, Cast*(constant k)). */
export interface ComputedFlatShape {
  /** The node reading the constant k (a Cast or the Concat), and at which input. */
  reader: NodeProto;
  input: number;
  value: number;
  dtype: number;
}

/**
 * Paddle's flatten: the shape is Concat(axis 0) of a batch piece (a constant, or a Slice or
 * Gather of a Shape, through Casts) and a one-value constant k (−1 or C·H·W), through Casts.
 */
export function computedFlatShape(g: GraphEdit, name: string): ComputedFlatShape | undefined {
  const concat = g.producer(name);
  if (!concat || !is(concat, 'Concat') || concat.input.length !== 2 || intAttr(concat, 'axis', 0) !== 0) return undefined;
  const batch = throughCasts(g, concat.input[0]!, concat).name;
  const batchNode = g.producer(batch);
  const batchOk = constantNumbers(g, batch)?.length === 1 || (!!batchNode && (is(batchNode, 'Slice') || is(batchNode, 'Gather')) && is(g.producer(throughCasts(g, batchNode.input[0]!, batchNode).name), 'Shape'));
  const k = throughCasts(g, concat.input[1]!, concat);
  const w = g.weight(k.name);
  const value = constantNumbers(g, k.name);
  if (!batchOk || !w || value?.length !== 1) return undefined;
  const input = k.reader.input.indexOf(k.name);
  return { reader: k.reader, input, value: value[0]!, dtype: new Tensor(w.tensor).dtype };
}
