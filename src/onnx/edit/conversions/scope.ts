import type { AttributeProto, NodeProto } from '../../proto/types';

/**
 * What a conversion sees of the node it converts and of the graph around it. Conversions
 * change the node in place (it is already a copy of the input model's node) and ask the
 * scope for new constants, names and neighbouring nodes.
 */
export interface ConversionScope {
  /** The node (a fresh copy): conversions assign new arrays to its repeated fields. */
  readonly node: NodeProto;
  /** The node's name, or its first output when it has none: new names are made from it. */
  readonly label: string;
  /** The operator the node had before this upgrade changed anything (Upsample for a Resize made from one). */
  readonly originalOpType: string;
  /** Throws OpsetUpgradeError naming the node. */
  refuse(why: string): never;
  /** Removes and returns an attribute; refuses one that refers to a function attribute. */
  takeAttribute(name: string): AttributeProto | undefined;
  /** Adds or replaces an attribute. */
  setAttribute(a: AttributeProto): void;
  /** An int64 constant named `<label>_<suffix>` (an initializer, or a Constant node in a function body). */
  int64Constant(suffix: string, values: readonly (number | bigint)[], dims?: readonly number[]): string;
  /** A floating-point constant of `dataType` (float, float16 or double). */
  floatConstant(suffix: string, values: readonly number[], dataType: number, dims?: readonly number[]): string;
  /** A model-wide unique name from a base. */
  uniqueName(base: string): string;
  /** Inserts a node before / after the converted one. */
  insertBefore(n: NodeProto): void;
  insertAfter(n: NodeProto): void;
  /** What shape inference over the input model knows of input i: element type and rank. */
  elemType(input: number): number | undefined;
  rank(input: number): number | undefined;
  /** The values of input i when it is a constant (an initializer or a Constant node's tensor) of numbers. */
  constantValues(input: number): number[] | undefined;
  /** Whether anything (a node of any graph, a graph output) reads the value. */
  isRead(name: string): boolean;
  /** Removes an output the node no longer has, and its value_info declaration. */
  dropOutput(name: string): void;
  /** Dim `axis` of input i when inference knows it. */
  dim(input: number, axis: number): number | undefined;
  /** Records what was done, for the report. */
  note(change: string): void;
}

/** A conversion of one node to the semantics of opset `version` (it may change op_type). */
export type Conversion = (scope: ConversionScope, version: number) => void;
