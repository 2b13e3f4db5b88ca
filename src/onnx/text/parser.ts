// The one parser of the ONNX text syntax (Syntax.md), for the CLI and the language server:
// text → ModelProto, with a source range on every diagnostic and recovery at node boundaries,
// so one mistake does not hide the rest.
import { dataType, dataTypeByName, type DataTypeInfo } from '../dtypes';
import type { Int64 } from '../proto/byte-range';
import type { AttributeProto, FunctionProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, StringStringEntryProto, TensorProto, TypeProto, ValueInfoProto } from '../proto/types';
import { AttributeType } from '../proto/types';
import { encodeValues } from './values';
import { tokenize, type Token } from './lexer';

export interface TextDiagnostic {
  message: string;
  start: number;
  end: number;
}

/** Where things are in the text, for the language server. */
export interface SourceMap {
  /** Each node: its op token, its whole extent, and its graph's depth (0 = main graph). */
  nodes: { node: NodeProto; opStart: number; opEnd: number; start: number; end: number }[];
  /** Each mention of a value name: defined here (graph input, initializer, node output) or read. */
  values: { name: string; start: number; end: number; definition: boolean; scope: number }[];
  /** Graphs and functions with their extents (scope ids index this list). */
  scopes: { name: string; kind: 'graph' | 'function'; start: number; end: number; parent: number }[];
}

export interface ParseResult {
  model: ModelProto;
  diagnostics: TextDiagnostic[];
  map: SourceMap;
}

class ParseError extends Error {
  constructor(
    message: string,
    readonly token: Token,
  ) {
    super(message);
  }
}

const ATTR_TYPES: Record<string, number> = { float: 1, int: 2, string: 3, tensor: 4, graph: 5, floats: 6, ints: 7, strings: 8, tensors: 9, graphs: 10 };

export function parseModel(src: string): ParseResult {
  const p = new Parser(src);
  const model = p.model();
  return { model, diagnostics: p.diagnostics, map: p.map };
}

class Parser {
  private readonly toks: Token[];
  private i = 0;
  readonly diagnostics: TextDiagnostic[] = [];
  readonly map: SourceMap = { nodes: [], values: [], scopes: [] };
  private scope = -1;

  /** A quotable id that names a value, recorded in the source map. */
  private valueName(definition: boolean): string {
    const t = this.t;
    const name = this.quotableId();
    this.map.values.push({ name, start: t.start, end: t.end, definition, scope: this.scope });
    return name;
  }

  /** Parses `body` as a new scope (a graph or function) recorded in the source map. */
  private inScope(name: string, kind: 'graph' | 'function', start: number, body: () => void): void {
    const parent = this.scope;
    this.map.scopes.push({ name, kind, start, end: start, parent });
    this.scope = this.map.scopes.length - 1;
    try {
      body();
    } finally {
      this.map.scopes[this.scope]!.end = this.toks[this.i - 1]?.end ?? this.src.length;
      this.scope = parent;
    }
  }

  constructor(private readonly src: string) {
    this.toks = tokenize(src);
    for (const t of this.toks) if (t.kind === 'error') this.diagnostics.push({ message: t.text, start: t.start, end: t.end });
    this.toks = this.toks.filter((t) => t.kind !== 'error');
  }

  private get t(): Token {
    return this.toks[this.i]!;
  }
  private peek(k = 1): Token {
    return this.toks[Math.min(this.i + k, this.toks.length - 1)]!;
  }
  private atEnd(): boolean {
    return this.t.kind === 'eof';
  }
  private is(text: string): boolean {
    return this.t.kind === 'punct' && this.t.text === text;
  }
  private next(): Token {
    const t = this.t;
    if (t.kind !== 'eof') this.i++;
    return t;
  }
  private expect(text: string): Token {
    if (!this.is(text)) throw new ParseError(`expected '${text}', found ${describe(this.t)}`, this.t);
    return this.next();
  }
  private accept(text: string): boolean {
    if (!this.is(text)) return false;
    this.next();
    return true;
  }
  /** `item (',' item)*` up to (and through) `close`; an empty list is allowed. */
  private until<T>(close: string, item: () => T): T[] {
    const out: T[] = [];
    while (!this.is(close)) {
      out.push(item());
      if (!this.accept(',')) break;
    }
    this.expect(close);
    return out;
  }

  /** `open item (',' item)* close`. */
  private list<T>(open: string, close: string, item: () => T): T[] {
    this.expect(open);
    return this.until(close, item);
  }

  private id(): string {
    if (this.t.kind !== 'id') throw new ParseError(`expected a name, found ${describe(this.t)}`, this.t);
    return this.next().text;
  }
  private quotableId(): string {
    if (this.t.kind === 'string') return this.next().text;
    return this.id();
  }
  private fail(e: unknown): void {
    if (!(e instanceof ParseError)) throw e;
    this.diagnostics.push({ message: e.message, start: e.token.start, end: Math.max(e.token.end, e.token.start + 1) });
  }

  model(): ModelProto {
    const m: ModelProto = { opset_import: [], metadata_props: [], training_info: [], functions: [], configuration: [] };
    try {
      if (this.is('<')) this.otherData(m as unknown as Record<string, unknown>, 'model');
      m.graph = this.graph();
      while (this.t.kind !== 'eof') m.functions.push(this.func());
    } catch (e) {
      this.fail(e);
    }
    return m;
  }

  /** `< key: value, … >` of a model or function header. */
  private otherData(target: Record<string, unknown>, what: 'model' | 'function'): void {
    this.expect('<');
    while (!this.is('>') && this.t.kind !== 'eof') {
      const keyTok = this.t;
      const key = this.id();
      this.expect(':');
      if (key === 'opset_import') target.opset_import = this.opsetList();
      else if (key === 'metadata_props') target.metadata_props = this.strStrList();
      else if (['ir_version', 'model_version'].includes(key) && what === 'model') target[key] = this.intValue();
      else if (['producer_name', 'producer_version', 'domain', 'doc_string', 'overload'].includes(key)) target[key] = this.stringValue();
      else throw new ParseError(`unknown ${what} property '${key}'`, keyTok);
      if (!this.accept(',')) break;
    }
    this.expect('>');
  }

  private opsetList(): OperatorSetIdProto[] {
    return this.list('[', ']', () => {
      const domain = this.stringValue();
      this.expect(':');
      return { domain, version: this.intValue() };
    });
  }

  private strStrList(): StringStringEntryProto[] {
    return this.list('[', ']', () => {
      const key = this.stringValue();
      this.expect(':');
      return { key, value: this.stringValue() };
    });
  }

  private stringValue(): string {
    if (this.t.kind !== 'string') throw new ParseError(`expected a string, found ${describe(this.t)}`, this.t);
    return this.next().text;
  }

  private intValue(): Int64 {
    if (this.t.kind !== 'int') throw new ParseError(`expected an integer, found ${describe(this.t)}`, this.t);
    return toInt64(this.next().text);
  }

  graph(): GraphProto {
    const g: GraphProto = { node: [], initializer: [], input: [], output: [], value_info: [], quantization_annotation: [], sparse_initializer: [], metadata_props: [] };
    const start = this.t.start;
    g.name = this.quotableId();
    this.inScope(g.name, 'graph', start, () => this.graphBody(g));
    return g;
  }

  private graphBody(g: GraphProto): void {
    this.expect('(');
    while (!this.is(')')) {
      const vi = this.valueInfo(true);
      g.input.push(vi);
      if (this.accept('=')) g.initializer.push(this.tensorValue(vi));
      if (!this.accept(',')) break;
    }
    this.expect(')');
    this.expect('=>');
    g.output = this.list('(', ')', () => this.valueInfo(false));
    if (this.accept('<')) {
      g.initializer.push(
        ...this.until('>', () => {
          const vi = this.valueInfo(true);
          this.expect('=');
          return this.tensorValue(vi);
        }),
      );
    }
    g.node = this.nodeList();
  }

  /** `{ node* }` with recovery: a node that fails is reported and skipped to the next line. */
  private nodeList(): NodeProto[] {
    this.expect('{');
    const nodes: NodeProto[] = [];
    while (!this.is('}') && this.t.kind !== 'eof') {
      const start = this.i;
      try {
        nodes.push(this.node());
      } catch (e) {
        this.fail(e);
        if (this.i === start) this.next();
        while (!this.atEnd() && !this.is('}') && !this.startsLine(this.t)) this.next();
      }
    }
    this.expect('}');
    return nodes;
  }

  private startsLine(t: Token): boolean {
    const prev = this.toks[this.toks.indexOf(t) - 1];
    return !prev || this.src.slice(prev.end, t.start).includes('\n');
  }

  private node(): NodeProto {
    const n: NodeProto = { input: [], output: [], attribute: [], metadata_props: [], device_configurations: [] };
    const start = this.t.start;
    if (this.accept('[')) {
      n.name = this.quotableId();
      this.expect(']');
    }
    while (!this.is('=')) {
      n.output.push(this.valueName(true));
      if (!this.accept(',')) break;
    }
    this.expect('=');
    const opTok = this.t;
    const qualified = this.id();
    const dot = qualified.lastIndexOf('.');
    n.op_type = dot >= 0 ? qualified.slice(dot + 1) : qualified;
    if (dot >= 0) n.domain = qualified.slice(0, dot);
    if (this.is('<')) n.attribute = this.attributes();
    n.input = this.list('(', ')', () => (this.t.kind === 'string' && this.t.text === '' ? this.next().text : this.valueName(false)));
    if (this.is('<') && n.attribute.length === 0) n.attribute = this.attributes();
    this.map.nodes.push({ node: n, opStart: opTok.start, opEnd: opTok.end, start, end: this.toks[this.i - 1]!.end });
    return n;
  }

  private attributes(): AttributeProto[] {
    return this.list('<', '>', () => this.attribute());
  }

  private attribute(): AttributeProto {
    const a: AttributeProto = { name: this.id(), floats: [], ints: [], strings: [], tensors: [], graphs: [], type_protos: [], sparse_tensors: [] };
    let declared: number | undefined;
    if (this.accept(':')) {
      const tok = this.t;
      declared = ATTR_TYPES[this.id()];
      if (declared === undefined) throw new ParseError(`unknown attribute type '${tok.text}'`, tok);
    }
    this.expect('=');
    if (this.accept('@')) {
      a.ref_attr_name = this.id();
      a.type = declared ?? AttributeType.UNDEFINED;
      return a;
    }
    if (this.accept('[')) {
      const items = this.until(']', () => this.attrValue());
      const kinds = new Set(items.map((v) => v.kind));
      const type = declared ?? (kinds.has('tensor') ? AttributeType.TENSORS : kinds.has('graph') ? AttributeType.GRAPHS : kinds.has('string') ? AttributeType.STRINGS : kinds.has('float') ? AttributeType.FLOATS : kinds.has('int') ? AttributeType.INTS : undefined);
      if (type === undefined) throw new ParseError(`the type of an empty list must be given, e.g. '${a.name}: ints = []'`, this.toks[this.i - 1]!);
      a.type = type;
      if (type === AttributeType.FLOATS) a.floats = items.map((v) => Math.fround(Number(v.value)));
      else if (type === AttributeType.INTS) a.ints = items.map((v) => toInt64(String(v.value)));
      else if (type === AttributeType.STRINGS) a.strings = items.map((v) => new TextEncoder().encode(String(v.value)));
      else if (type === AttributeType.TENSORS) a.tensors = items.map((v) => v.value as TensorProto);
      else if (type === AttributeType.GRAPHS) a.graphs = items.map((v) => v.value as GraphProto);
      return a;
    }
    const v = this.attrValue();
    const type = declared ?? { int: AttributeType.INT, float: AttributeType.FLOAT, string: AttributeType.STRING, tensor: AttributeType.TENSOR, graph: AttributeType.GRAPH }[v.kind];
    a.type = type;
    if (type === AttributeType.INT) a.i = toInt64(String(v.value));
    else if (type === AttributeType.FLOAT) a.f = Math.fround(Number(v.value));
    else if (type === AttributeType.STRING) a.s = new TextEncoder().encode(String(v.value));
    else if (type === AttributeType.TENSOR) a.t = v.value as TensorProto;
    else if (type === AttributeType.GRAPH) a.g = v.value as GraphProto;
    return a;
  }

  private attrValue(): AttrValue {
    const t = this.t;
    if ((t.kind === 'id' || t.kind === 'string') && this.peek().text === '(') return { kind: 'graph', value: this.graph() };
    if (t.kind === 'int') return { kind: 'int', value: this.next().text };
    if (t.kind === 'float') return { kind: 'float', value: parseFloatText(this.next().text) };
    if (t.kind === 'string') return { kind: 'string', value: this.next().text };
    if (t.kind === 'id' && dataTypeByName(t.text) && this.peek().kind === 'punct' && ['[', '{', '='].includes(this.peek().text)) return { kind: 'tensor', value: this.tensorConstant() };
    throw new ParseError(`expected an attribute value, found ${describe(t)}`, t);
  }

  /** `float[2,3] name {…}` (the name and `=` optional). */
  private tensorConstant(): TensorProto {
    const type = this.type();
    const vi: ValueInfoProto = { type, metadata_props: [] };
    if (this.t.kind === 'id' || this.t.kind === 'string') vi.name = this.quotableId();
    this.accept('=');
    const t = this.tensorValue(vi);
    if (!vi.name) delete t.name;
    return t;
  }

  /** `{values}` or `[external data]` for a tensor of the given value-info's type. */
  private tensorValue(vi: ValueInfoProto): TensorProto {
    const tt = vi.type?.tensor_type;
    const at = this.t;
    if (!tt) throw new ParseError('a tensor value needs a tensor type', at);
    const info = dataTypeFromId(tt.elem_type ?? 0);
    const dims = (tt.shape?.dim ?? []).map((d) => {
      if (d.dim_value === undefined) throw new ParseError('a tensor value needs a shape of numbers', at);
      return d.dim_value;
    });
    const t: TensorProto = { name: vi.name, dims, data_type: tt.elem_type, float_data: [], int32_data: [], string_data: [], int64_data: [], double_data: [], uint64_data: [], external_data: [], metadata_props: [] };
    if (this.is('[')) {
      t.external_data = this.strStrList();
      t.data_location = 1;
      return t;
    }
    this.expect('{');
    const values: string[] = [];
    while (!this.is('}')) {
      const v = this.next();
      if (!['int', 'float', 'string'].includes(v.kind)) throw new ParseError(`expected a value, found ${describe(v)}`, v);
      values.push(v.kind === 'string' ? v.text : v.text);
      if (!this.accept(',')) break;
    }
    this.expect('}');
    const count = dims.reduce<number>((a, d) => a * Number(d), 1) * (info.name.startsWith('complex') ? 2 : 1);
    if (values.length !== count) throw new ParseError(`${values.length} values for a tensor of ${count} elements`, at);
    try {
      Object.assign(t, encodeValues(info, values));
    } catch (e) {
      throw new ParseError((e as Error).message, at);
    }
    return t;
  }

  /** `type name`, or a bare name (subgraph inputs may leave their types to the enclosing op). */
  private valueInfo(definition: boolean): ValueInfoProto {
    const after = this.peek().text;
    if ((this.t.kind === 'id' || this.t.kind === 'string') && this.peek().kind === 'punct' && [',', ')', '='].includes(after)) return { name: this.valueName(definition), metadata_props: [] };
    const type = this.type();
    return { type, name: this.valueName(definition), metadata_props: [] };
  }

  type(): TypeProto {
    const tok = this.t;
    const name = this.id();
    const inner = (): TypeProto => {
      this.expect('(');
      const t = this.type();
      this.expect(')');
      return t;
    };
    if (name === 'seq') return { sequence_type: { elem_type: inner() } };
    if (name === 'optional') return { optional_type: { elem_type: inner() } };
    if (name === 'sparse_tensor') {
      const t = inner().tensor_type!;
      return { sparse_tensor_type: t };
    }
    if (name === 'map') {
      this.expect('(');
      const key = dataTypeFromId(dataTypeByName(this.id())?.id ?? 0).id;
      this.expect(',');
      const value = this.type();
      this.expect(')');
      return { map_type: { key_type: key, value_type: value } };
    }
    if (name === 'opaque') {
      this.expect('(');
      const parts: string[] = [];
      while (!this.is(')')) {
        parts.push(this.id());
        if (!this.accept(',')) break;
      }
      this.expect(')');
      return { opaque_type: parts.length === 2 ? { domain: parts[0], name: parts[1] } : { name: parts[0] } };
    }
    const info = dataTypeByName(name);
    if (!info) throw new ParseError(`unknown type '${name}'`, tok);
    const t: TypeProto = { tensor_type: { elem_type: info.id } };
    if (this.accept('[')) {
      const dim: { dim_value?: Int64; dim_param?: string }[] = [];
      while (!this.is(']')) {
        const d = this.next();
        if (d.kind === 'int') dim.push({ dim_value: toInt64(d.text) });
        else if (d.kind === 'id' || d.kind === 'string') dim.push({ dim_param: d.text });
        else if (d.kind === 'punct' && d.text === '?') dim.push({});
        else throw new ParseError(`expected a dimension, found ${describe(d)}`, d);
        if (!this.accept(',')) break;
      }
      this.expect(']');
      t.tensor_type!.shape = { dim };
    }
    return t;
  }

  private func(): FunctionProto {
    const f: FunctionProto = { input: [], output: [], attribute: [], node: [], opset_import: [], attribute_proto: [], value_info: [], metadata_props: [] };
    const start = this.t.start;
    if (this.is('<')) this.otherData(f as unknown as Record<string, unknown>, 'function');
    f.name = this.quotableId();
    this.inScope(f.name, 'function', start, () => this.funcBody(f));
    return f;
  }

  private funcBody(f: FunctionProto): void {
    if (this.accept('<')) {
      // fun-attr-list: attribute names, or attributes with their default values
      while (!this.is('>')) {
        if (this.peek().kind === 'punct' && (this.peek().text === '=' || this.peek().text === ':')) f.attribute_proto.push(this.attribute());
        else f.attribute.push(this.id());
        if (!this.accept(',')) break;
      }
      this.expect('>');
    }
    if (this.t.kind === 'string') f.overload = this.next().text;
    const names = (definition: boolean): string[] =>
      this.list('(', ')', () => {
        // id-or-value-info: an optional type before the name
        if (this.t.kind === 'id' && (this.peek().kind === 'id' || this.peek().kind === 'string' || this.peek().text === '[' || this.peek().text === '(')) this.type();
        return this.valueName(definition);
      });
    f.input = names(true);
    this.expect('=>');
    f.output = names(false);
    // fun-value-infos: types of the function's intermediate values
    if (this.accept('<')) f.value_info = this.until('>', () => this.valueInfo(false));
    f.node = this.nodeList();
  }
}

type AttrValue = { kind: 'int' | 'float' | 'string'; value: string | number } | { kind: 'tensor'; value: TensorProto } | { kind: 'graph'; value: GraphProto };

function describe(t: Token): string {
  return t.kind === 'eof' ? 'the end of the text' : `'${t.text}'`;
}

function parseFloatText(s: string): number {
  const m = s.replace(/^\+/, '');
  if (/^-?inf$/.test(m)) return m.startsWith('-') ? -Infinity : Infinity;
  if (/^-?nan$/.test(m)) return NaN;
  return Number(m);
}

function toInt64(s: string): Int64 {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : BigInt(s);
}

function dataTypeFromId(id: number): DataTypeInfo {
  const info = dataType(id);
  if (!info) throw new Error(`unknown data type ${id}`);
  return info;
}
