import type { ModelFiles } from '../io/model-files';
import { toNumber } from '../proto/byte-range';
import type { AttributeProto, FunctionProto, GraphProto, ModelProto, NodeProto } from '../proto/types';
import { AttributeType } from '../proto/types';
import { Tensor } from '../tensor';
import { typeFromProto, type ValueType } from './value-type';

/** A named value of one graph: who produces it, who reads it, its declared type. */
export interface Value {
  /** Dense number of the value in its model (0 … Model.valueCount-1): analyses keep per-value facts in arrays. */
  readonly index: number;
  readonly name: string;
  /** The type stated in the file (graph input/output or value_info); null when none. */
  type: ValueType | null;
  producer?: Node;
  readonly consumers: Node[];
  initializer?: Tensor;
  /** A sparse initializer: its values, its indices and the dense shape (it reads as a dense tensor). */
  sparseInitializer?: SparseInitializer;
  isGraphInput: boolean;
  isGraphOutput: boolean;
}

export interface SparseInitializer {
  values: Tensor;
  indices: Tensor;
  dims: number[];
}

/** Shared empty list: most nodes have no attributes or subgraphs, and large graphs have millions of nodes. */
const NONE: readonly never[] = Object.freeze([]);

/** An attribute and its value, with tensors wrapped lazily. */
export class Attribute {
  constructor(
    readonly proto: AttributeProto,
    private readonly files?: ModelFiles,
  ) {}
  get name(): string {
    return this.proto.name ?? '';
  }
  /** AttributeProto.type, inferred from the populated field when a (very old) writer left it out. */
  get type(): number {
    const p = this.proto;
    if (p.type) return p.type;
    if (p.f !== undefined) return AttributeType.FLOAT;
    if (p.i !== undefined) return AttributeType.INT;
    if (p.s !== undefined) return AttributeType.STRING;
    if (p.t) return AttributeType.TENSOR;
    if (p.g) return AttributeType.GRAPH;
    if (p.floats.length) return AttributeType.FLOATS;
    if (p.ints.length) return AttributeType.INTS;
    if (p.strings.length) return AttributeType.STRINGS;
    if (p.tensors.length) return AttributeType.TENSORS;
    if (p.graphs.length) return AttributeType.GRAPHS;
    return AttributeType.UNDEFINED;
  }
  get isRef(): boolean {
    return this.proto.ref_attr_name !== undefined && this.proto.ref_attr_name !== '';
  }
  int(): number {
    return toNumber(this.proto.i ?? 0);
  }
  ints(): number[] {
    return this.proto.ints.map(toNumber);
  }
  float(): number {
    return this.proto.f ?? 0;
  }
  string(): string {
    return new TextDecoder().decode(this.proto.s ?? new Uint8Array());
  }
  strings(): string[] {
    const dec = new TextDecoder();
    return this.proto.strings.map((s) => dec.decode(s));
  }
  tensor(): Tensor | undefined {
    return this.proto.t ? new Tensor(this.proto.t, this.files) : undefined;
  }
  tensors(): Tensor[] {
    return this.proto.tensors.map((t) => new Tensor(t, this.files));
  }
}

export class Node {
  /** Where this node's input and output values start in its graph's flat value lists (set by the builder). */
  inputBase = 0;
  outputBase = 0;
  /** Set by Graph.assignIds; read through `id`. */
  assignedId: string | undefined;
  readonly attributes: readonly Attribute[];
  subgraphs: readonly Graph[] = NONE;
  constructor(
    readonly proto: NodeProto,
    readonly graph: Graph,
    readonly index: number,
    files?: ModelFiles,
  ) {
    this.attributes = proto.attribute.length ? proto.attribute.map((a) => new Attribute(a, files)) : NONE;
  }
  get name(): string {
    return this.proto.name ?? '';
  }
  /** Stable id (DESIGN.md §2): computed for the whole graph on first use, since most reads never need it. */
  get id(): string {
    if (this.assignedId === undefined) this.graph.assignIds();
    return this.assignedId!;
  }
  get opType(): string {
    return this.proto.op_type ?? '';
  }
  /** '' for the default domain (`ai.onnx` is the same domain). */
  get domain(): string {
    const d = this.proto.domain ?? '';
    return d === 'ai.onnx' ? '' : d;
  }
  get inputs(): string[] {
    return this.proto.input;
  }
  get outputs(): string[] {
    return this.proto.output;
  }
  attribute(name: string): Attribute | undefined {
    return this.attributes.find((a) => a.name === name);
  }
  /** The value read as input i (undefined for an empty optional input). */
  inputValue(i: number): Value | undefined {
    return i < this.proto.input.length ? this.graph.nodeInputValues[this.inputBase + i] : undefined;
  }
  /** The value written as output i (undefined for an empty optional output). */
  outputValue(i: number): Value | undefined {
    return i < this.proto.output.length ? this.graph.nodeOutputValues[this.outputBase + i] : undefined;
  }
}

/** Where a subgraph hangs: node, attribute, and index for GRAPHS attributes. */
export interface GraphOwner {
  node: Node;
  attribute: string;
  index?: number;
}

export class Graph {
  readonly nodes: Node[] = [];
  readonly values = new Map<string, Value>();
  readonly inputs: Value[] = [];
  readonly outputs: Value[] = [];
  readonly initializers: Tensor[] = [];
  readonly sparseInitializers: SparseInitializer[] = [];
  /** Every node's input values, node after node (one flat list: a million nodes need not own two million arrays). */
  readonly nodeInputValues: (Value | undefined)[] = [];
  readonly nodeOutputValues: (Value | undefined)[] = [];
  constructor(
    readonly proto: GraphProto,
    /** Numbers values across the whole model. */
    private readonly counter: { next: number },
    readonly owner?: GraphOwner,
    /** Id prefix of a graph that hangs from no node (training graphs). */
    private readonly rootPrefix = '',
  ) {}
  get name(): string {
    return this.proto.name ?? '';
  }
  /** The path prefix of node ids in this graph: '' for the main graph, `If_3/then_branch/` below. */
  get id(): string {
    const o = this.owner;
    if (!o) return this.rootPrefix;
    return `${o.node.id}/${escapeIdPart(o.attribute)}${o.index === undefined ? '' : `[${o.index}]`}/`;
  }
  /** Gives every node its id: its name if unique in the graph, else `OpType_index` (made unique if that collides too). */
  assignIds(): void {
    const prefix = this.id;
    const taken = new Set<string>();
    for (const node of this.nodes) {
      let part = node.name && !taken.has(node.name) ? node.name : `${node.opType}_${node.index}`;
      for (let k = 1; taken.has(part); k++) part = `${node.opType}_${node.index}~${k}`;
      taken.add(part);
      node.assignedId = prefix + escapeIdPart(part);
    }
  }
  get parent(): Graph | undefined {
    return this.owner?.node.graph;
  }
  /** The value named `name` here, or in an enclosing graph (subgraphs see outer values). */
  resolve(name: string): Value | undefined {
    const v = this.values.get(name);
    return v && isDefined(v) ? v : this.parent?.resolve(name);
  }
  /** A value read in this graph, or the outer value it refers to. */
  definitionOf(v: Value): Value | undefined {
    return isDefined(v) ? v : this.parent?.resolve(v.name);
  }
  value(name: string): Value {
    let v = this.values.get(name);
    if (!v) {
      v = { index: this.counter.next++, name, type: null, producer: undefined, consumers: [], initializer: undefined, isGraphInput: false, isGraphOutput: false };
      this.values.set(name, v);
    }
    return v;
  }
}

/** Node names may contain `/` (PyTorch): escape it and `%` so ids split unambiguously. */
function escapeIdPart(s: string): string {
  if (!s.includes('/') && !s.includes('%')) return s;
  return s.replace(/%/g, '%25').replace(/\//g, '%2F');
}

const isDefined = (v: Value): boolean => !!(v.producer || v.isGraphInput || v.initializer || v.sparseInitializer);

export class Model {
  constructor(
    readonly proto: ModelProto,
    readonly graph: Graph,
    /** Graphs of training_info (initialization, algorithm), kept but not part of the model's graph. */
    readonly trainingGraphs: Graph[],
    readonly files: ModelFiles | undefined,
    /** How many values the model's graphs have (Value.index is below this). */
    readonly valueCount: number,
  ) {}
  private byId: Map<string, Node> | undefined;
  get irVersion(): number {
    return toNumber(this.proto.ir_version ?? 0);
  }
  /** Domain → version; the default domain is ''. */
  get opsetImports(): Map<string, number> {
    return opsetMap(this.proto.opset_import);
  }
  get functions(): FunctionProto[] {
    return this.proto.functions;
  }
  get metadata(): Record<string, string> {
    return Object.fromEntries(this.proto.metadata_props.map((p) => [p.key ?? '', p.value ?? '']));
  }
  /** Every graph: the main graph and all nested subgraphs, outermost first (function bodies excluded). */
  *graphs(): Iterable<Graph> {
    const queue = [this.graph];
    for (let i = 0; i < queue.length; i++) {
      const g = queue[i]!;
      yield g;
      for (const n of g.nodes) queue.push(...n.subgraphs);
    }
  }
  node(id: string): Node | undefined {
    if (!this.byId) {
      this.byId = new Map();
      for (const g of [...this.graphs(), ...this.trainingGraphs]) for (const n of g.nodes) this.byId.set(n.id, n);
    }
    return this.byId.get(id);
  }
  close(): void {
    this.files?.close();
  }
}

function opsetMap(imports: { domain?: string; version?: number | bigint }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const o of imports) {
    const d = o.domain ?? '';
    m.set(d === 'ai.onnx' ? '' : d, toNumber(o.version ?? 0));
  }
  return m;
}

export { typeFromProto };
