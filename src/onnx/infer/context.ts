import type { Graph, Node } from '../model/graph';
import type { Dim, Shape, ValueType } from '../model/value-type';
import type { OpSchema } from '../schema/types';
import type { Tensor } from '../tensor';

/**
 * A small tensor whose value inference knows (shape arithmetic, Constant nodes, small
 * initializers). Elements may be symbolic dims (from Shape) or null when unknown.
 */
export interface ConstValue {
  elemType: number;
  dims: number[];
  data: Dim[];
}

/** What inference knows about one value. */
export interface Inferred {
  type: ValueType | null;
  value?: ConstValue;
}

/** Tensors up to this many elements take part in constant folding. */
export const FOLD_LIMIT = 4096;
/** Float tensors fold only when tiny (Resize scales): larger ones are weights, not shape arithmetic. */
export const FOLD_LIMIT_FLOAT = 16;
/** Elements all folded values of one model may hold together (some 10-30 MB). */
export const FOLD_BUDGET = 1 << 20;
/**
 * Highest rank inference derives; past it the rank is unknown. No real model comes near
 * (numpy allows 64 dims, PyTorch 25, TensorRT 8), and it bounds what each node's shape
 * costs: otherwise one declared rank-4096 input makes every node downstream hold 4096 dims.
 */
export const RANK_LIMIT = 64;

/** What an operator's inference function sees and writes. */
export interface OpContext {
  readonly node: Node;
  /** The opset version of the node's domain. */
  readonly opset: number;
  readonly schema: OpSchema | undefined;
  readonly inputCount: number;
  readonly outputCount: number;
  /** Whether input i is given (optional inputs may be '' or missing). */
  has(i: number): boolean;
  type(i: number): ValueType | null;
  /** Element type of tensor input i; undefined when unknown or not a tensor. */
  elem(i: number): number | undefined;
  shape(i: number): Shape;
  rank(i: number): number | undefined;
  value(i: number): ConstValue | undefined;
  /** Known integer values of input i (all elements numbers), else undefined. */
  ints(i: number): number[] | undefined;
  attrInt(name: string, fallback: number): number;
  attrInt(name: string): number | undefined;
  attrInts(name: string): number[] | undefined;
  attrFloat(name: string, fallback: number): number;
  attrString(name: string, fallback: string): string;
  hasAttr(name: string): boolean;
  /**
   * Makes a folded value, its elements from `make`; undefined (nothing allocated) when it would
   * pass FOLD_LIMIT elements or the model's FOLD_BUDGET. Every folded value is made here.
   */
  fold(elemType: number, dims: readonly Dim[], make: (i: number) => Dim): ConstValue | undefined;
  /** The folded value of a stored tensor (a Constant's), when small enough. */
  foldTensor(t: Tensor): ConstValue | undefined;
  /** Sets output i. */
  out(i: number, type: ValueType | null, value?: ConstValue): void;
  tensor(i: number, elemType: number | undefined, shape: Shape, value?: ConstValue): void;
  /** Infers a subgraph with the given input types; returns its output types. */
  subgraph(g: Graph, inputs: (ValueType | null)[]): (ValueType | null)[];
  graphAttr(name: string): Graph | undefined;
}

export type InferFn = (c: OpContext) => void;


export const tensorType = (elemType: number | undefined, shape: Shape): ValueType | null =>
  elemType === undefined ? null : { kind: 'tensor', elemType, shape };
