import type { ModelFiles } from '../io/model-files';
import { toNumber } from '../proto/byte-range';
import type { AttributeProto, FunctionProto, GraphProto, ModelProto, NodeProto } from '../proto/types';
import { AttributeType } from '../proto/types';
import { Tensor } from '../tensor';
import { typeFromProto, type ValueType } from './value-type';

/** A named value of one graph: who produces it, who reads it, its declared type. */
export interface Value {
  readonly name: string;
  /** The type stated in the file (graph input/output or value_info); null when none. */
  type: ValueType | null;
  producer?: Node;
  readonly consumers: Node[];
  initializer?: Tensor;
  isGraphInput: boolean;
  isGraphOutput: boolean;
}

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
  /** Filled in by the builder: stable id, attributes, nested graphs. */
  id = '';
  readonly attributes: Attribute[];
  readonly subgraphs: Graph[] = [];
  constructor(
    readonly proto: NodeProto,
    readonly graph: Graph,
    readonly index: number,
    files?: ModelFiles,
  ) {
    this.attributes = proto.attribute.map((a) => new Attribute(a, files));
  }
  get name(): string {
    return this.proto.name ?? '';
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
  constructor(
    readonly proto: GraphProto,
    /** The path prefix of node ids in this graph ('' for the main graph). */
    readonly id: string,
    readonly owner?: GraphOwner,
  ) {}
  get name(): string {
    return this.proto.name ?? '';
  }
  get parent(): Graph | undefined {
    return this.owner?.node.graph;
  }
  /** The value named `name` here, or in an enclosing graph (subgraphs see outer values). */
  resolve(name: string): Value | undefined {
    for (let g: Graph | undefined = this; g; g = g.parent) {
      const v = g.values.get(name);
      if (v && (v.producer || v.isGraphInput || v.initializer)) return v;
    }
    return undefined;
  }
  value(name: string): Value {
    let v = this.values.get(name);
    if (!v) {
      v = { name, type: null, consumers: [], isGraphInput: false, isGraphOutput: false };
      this.values.set(name, v);
    }
    return v;
  }
}

export class Model {
  constructor(
    readonly proto: ModelProto,
    readonly graph: Graph,
    /** Graphs of training_info (initialization, algorithm), kept but not part of the model's graph. */
    readonly trainingGraphs: Graph[],
    readonly files: ModelFiles | undefined,
    private readonly byId: Map<string, Node>,
  ) {}
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
    return this.byId.get(id);
  }
  close(): void {
    this.files?.close();
  }
}

export function opsetMap(imports: { domain?: string; version?: number | bigint }[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const o of imports) {
    const d = o.domain ?? '';
    m.set(d === 'ai.onnx' ? '' : d, toNumber(o.version ?? 0));
  }
  return m;
}

export { typeFromProto };
