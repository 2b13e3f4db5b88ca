// The one parser of the ONNX text syntax (Syntax.md), for the CLI and the language server:
// text → ModelProto, with a source range on every diagnostic and recovery at node boundaries,
// so one mistake does not hide the rest.
import { dataTypeByName, rawByteLength, type DataTypeInfo } from '../dtypes';
import type { Int64 } from '../proto/byte-range';
import { MAX_NESTING } from '../proto/decode';
import type { AttributeProto, FunctionProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, StringStringEntryProto, TensorProto, TypeProto, ValueInfoProto } from '../proto/types';
import { AttributeType, attributeTypeByName, attributeTypeName } from '../proto/types';
import { Tensor } from '../tensor';
import { encodeValues, literalError, parseFloatLiteral } from './values';
import { tokenize, type Token } from './lexer';
import { attributeValues, dataTypeFromId, describe, inferAttributeType, literalKind, toInt64, type AttrValue } from './attr-values';

/** Diagnostics reported before the parser gives up on a text ("too many errors"). */
export const MAX_DIAGNOSTICS = 100;

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

/** Thrown once MAX_DIAGNOSTICS are reported: parsing stops, so garbage costs linear time. */
class TooManyErrors extends Error {}

/** Diagnostics sorted by position: at most MAX_DIAGNOSTICS, then a last "too many errors". */
export function parseModel(src: string): ParseResult {
  const p = new Parser(src);
  const model = p.model();
  const found = p.diagnostics.slice(0, MAX_DIAGNOSTICS).sort((a, b) => a.start - b.start);
  return { model, diagnostics: [...found, ...p.diagnostics.slice(MAX_DIAGNOSTICS)], map: p.map };
}

class Parser {
  private readonly toks: Token[];
  private i = 0;
  readonly diagnostics: TextDiagnostic[] = [];
  readonly map: SourceMap = { nodes: [], values: [], scopes: [] };
  private scope = -1;
  /** Protobuf nesting depth of the message being parsed (ModelProto: 0), bounded as the reader bounds it. */
  private depth = 0;

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
    try {
      for (const t of this.toks) if (t.kind === 'error') this.report(t.text, t.start, t.end);
    } catch (e) {
      if (!(e instanceof TooManyErrors)) throw e;
    }
    this.toks = this.toks.filter((t) => t.kind !== 'error');
  }

  /** Parses `body` `levels` messages deeper; refuses what the binary reader would refuse (MAX_NESTING). */
  private nested<T>(levels: number, at: Token, body: () => T): T {
    this.reach(levels, at);
    this.depth += levels;
    try {
      return body();
    } finally {
      this.depth -= levels;
    }
  }

  private reach(levels: number, at: Token): void {
    if (this.depth + levels > MAX_NESTING) throw new ParseError(`nested too deep: an ONNX file holds at most ${MAX_NESTING} levels of messages`, at);
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
    this.report(e.message, e.token.start, Math.max(e.token.end, e.token.start + 1));
  }

  private report(message: string, start: number, end: number): void {
    if (this.diagnostics.length >= MAX_DIAGNOSTICS) {
      this.diagnostics.push({ message: `too many errors (${MAX_DIAGNOSTICS}); the rest of the text is not checked`, start, end });
      throw new TooManyErrors();
    }
    this.diagnostics.push({ message, start, end });
  }

  model(): ModelProto {
    const m: ModelProto = { opset_import: [], metadata_props: [], training_info: [], functions: [], configuration: [] };
    if (this.diagnostics.length > MAX_DIAGNOSTICS) return m;
    try {
      if (this.is('<')) this.otherData(m as unknown as Record<string, unknown>, 'model');
      m.graph = this.graph();
      while (this.t.kind !== 'eof') m.functions.push(this.func());
    } catch (e) {
      try {
        this.fail(e);
      } catch (stop) {
        if (!(stop instanceof TooManyErrors)) throw stop;
      }
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
    return this.strStrTokens().map(([key, value]) => ({ key: key.text, value: value.text }));
  }

  /** `[ "key": "value", … ]` as the tokens of each key and value. */
  private strStrTokens(): [Token, Token][] {
    return this.list('[', ']', () => {
      const key = this.t;
      this.stringValue();
      this.expect(':');
      const value = this.t;
      this.stringValue();
      return [key, value];
    });
  }

  private stringValue(): string {
    if (this.t.kind !== 'string') throw new ParseError(`expected a string, found ${describe(this.t)}`, this.t);
    return this.next().text;
  }

  /** An int64 literal. */
  private intValue(): Int64 {
    return toInt64(this.literal('int64'));
  }

  /**
   * The text of a literal that must be a value of element type `type`. A literal of the wrong
   * kind or out of range is reported and parsing goes on (with a stand-in), so each is listed.
   */
  private literal(type: string): string {
    const t = this.t;
    const kind = literalKind(t);
    if (!kind) throw new ParseError(`expected a value, found ${describe(t)}`, t);
    const why = literalError(type, kind, t.text);
    this.next();
    if (!why) return t.text;
    this.fail(new ParseError(why, t));
    return type === 'string' ? '' : '0';
  }

  graph(): GraphProto {
    const g: GraphProto = { node: [], initializer: [], input: [], output: [], value_info: [], quantization_annotation: [], sparse_initializer: [], metadata_props: [] };
    const start = this.t.start;
    return this.nested(1, this.t, () => {
      g.name = this.quotableId();
      this.inScope(g.name, 'graph', start, () => this.graphBody(g));
      return g;
    });
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
      const listed = this.until('>', () => {
        // Only the tensor is stored: its type is not a ValueInfoProto of the graph.
        const vi = this.valueInfo(true, false);
        this.expect('=');
        return this.tensorValue(vi);
      });
      for (const t of listed) g.initializer.push(t);
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
        nodes.push(this.nested(1, this.t, () => this.node()));
      } catch (e) {
        this.fail(e);
        if (this.i === start) this.next();
        while (!this.atEnd() && !this.is('}') && !this.startsLine(this.i)) this.next();
      }
    }
    this.expect('}');
    return nodes;
  }

  /** Whether token `i` is the first of its line. */
  private startsLine(i: number): boolean {
    const prev = this.toks[i - 1];
    if (!prev) return true;
    // Only the gap between the two tokens: scanning further would make recovery quadratic on one long line.
    for (let k = prev.end; k < this.toks[i]!.start; k++) if (this.src.charCodeAt(k) === 10) return true;
    return false;
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
    return this.nested(1, this.t, () => this.attributeBody());
  }

  private attributeBody(): AttributeProto {
    const a: AttributeProto = { name: this.id(), floats: [], ints: [], strings: [], tensors: [], graphs: [], type_protos: [], sparse_tensors: [] };
    let declared: number | undefined;
    if (this.accept(':')) {
      const tok = this.t;
      declared = attributeTypeByName(this.id());
      if (declared === undefined) throw new ParseError(`unknown attribute type '${tok.text}'`, tok);
    }
    this.expect('=');
    if (this.accept('@')) {
      a.ref_attr_name = this.id();
      a.type = declared ?? AttributeType.UNDEFINED;
      return a;
    }
    const at = this.t;
    const isList = this.accept('[');
    const items = isList ? this.until(']', () => this.attrValue()) : [this.attrValue()];
    const type = declared ?? inferAttributeType(items, isList);
    if (type === undefined) throw new ParseError(`the type of an empty list must be given, e.g. '${a.name}: ints = []'`, this.toks[this.i - 1]!);
    const takes = attributeValues(type);
    if (!takes) throw new ParseError(`'${attributeTypeName(type)}' attributes have no literal in the text syntax`, at);
    if (takes.list !== isList) throw new ParseError(isList ? `a '${attributeTypeName(type)}' attribute takes one value, not a list` : `a '${attributeTypeName(type)}' attribute takes a list '[…]'`, at);
    for (const v of items) {
      if (v.kind === takes.kind || (v.kind === 'int' && takes.kind === 'float')) continue;
      throw new ParseError(`expected ${takes.kind === 'int' ? 'an integer' : `a ${takes.kind}`} for the '${attributeTypeName(type)}' attribute '${a.name}', found ${describe(v.token)}`, v.token);
    }
    a.type = type;
    const floats = (): number[] => items.map((v) => Math.fround(parseFloatLiteral(v.value as string)));
    const ints = (): Int64[] => items.map((v) => toInt64(v.value as string));
    const values = <T>(): T[] => items.map((v) => v.value as T);
    if (type === AttributeType.FLOAT) a.f = floats()[0];
    else if (type === AttributeType.INT) a.i = ints()[0];
    else if (type === AttributeType.STRING) a.s = new TextEncoder().encode(items[0]!.value as string);
    else if (type === AttributeType.TENSOR) a.t = values<TensorProto>()[0];
    else if (type === AttributeType.GRAPH) a.g = values<GraphProto>()[0];
    else if (type === AttributeType.FLOATS) a.floats = floats();
    else if (type === AttributeType.INTS) a.ints = ints();
    else if (type === AttributeType.STRINGS) a.strings = items.map((v) => new TextEncoder().encode(v.value as string));
    else if (type === AttributeType.TENSORS) a.tensors = values<TensorProto>();
    else if (type === AttributeType.GRAPHS) a.graphs = values<GraphProto>();
    return a;
  }

  /** One attribute value; literals are range-checked as float32 or int64. */
  private attrValue(): AttrValue {
    const t = this.t;
    if ((t.kind === 'id' || t.kind === 'string') && this.peek().text === '(') return { kind: 'graph', token: t, value: this.graph() };
    if (t.kind === 'int') return { kind: 'int', token: t, value: this.literal('int64') };
    if (literalKind(t) === 'float') return { kind: 'float', token: t, value: this.literal('float') };
    if (t.kind === 'string') return { kind: 'string', token: t, value: this.next().text };
    if (t.kind === 'id' && dataTypeByName(t.text) && this.peek().kind === 'punct' && ['[', '{', '='].includes(this.peek().text)) return { kind: 'tensor', token: t, value: this.tensorConstant() };
    throw new ParseError(`expected an attribute value, found ${describe(t)}`, t);
  }

  /** `float[2,3] name {…}` (the name and `=` optional). */
  private tensorConstant(): TensorProto {
    // Only the tensor is stored, not this type: it does not nest.
    const type = this.type(false);
    const vi: ValueInfoProto = { type, metadata_props: [] };
    if (this.t.kind === 'id' || this.t.kind === 'string') vi.name = this.quotableId();
    this.accept('=');
    const t = this.tensorValue(vi);
    if (!vi.name) delete t.name;
    return t;
  }

  /** `{values}` or `[external data]` for a tensor of the given value-info's type. */
  private tensorValue(vi: ValueInfoProto): TensorProto {
    return this.nested(1, this.t, () => this.tensorBody(vi));
  }

  private tensorBody(vi: ValueInfoProto): TensorProto {
    const tt = vi.type?.tensor_type;
    const at = this.t;
    if (!tt) throw new ParseError('a tensor value needs a tensor type', at);
    const info = dataTypeFromId(tt.elem_type ?? 0);
    const dims = (tt.shape?.dim ?? []).map((d) => {
      if (d.dim_value === undefined) throw new ParseError('a tensor value needs a shape of numbers', at);
      if (d.dim_value < 0) throw new ParseError('a tensor value cannot have a negative dimension', at);
      return d.dim_value;
    });
    const t: TensorProto = { name: vi.name, dims, data_type: tt.elem_type, float_data: [], int32_data: [], string_data: [], int64_data: [], double_data: [], uint64_data: [], external_data: [], metadata_props: [] };
    const count = dims.reduce<number>((a, d) => a * Number(d), 1);
    if (this.is('[')) {
      this.nested(1, at, () => this.externalData(t, info, count));
      return t;
    }
    this.expect('{');
    const values: string[] = [];
    while (!this.is('}')) {
      values.push(this.literal(info.name));
      if (!this.accept(',')) break;
    }
    this.expect('}');
    const scalars = count * (info.name.startsWith('complex') ? 2 : 1);
    if (values.length !== scalars) throw new ParseError(`${values.length} values for a tensor of ${scalars} elements`, at);
    try {
      Object.assign(t, encodeValues(info, values));
    } catch (e) {
      throw new ParseError((e as Error).message, at);
    }
    return t;
  }

  /** `["location": "w.bin", "offset": "0", "length": "24"]`: keys once each, a length that fits the type. */
  private externalData(t: TensorProto, info: DataTypeInfo, count: number): void {
    const at = this.t;
    const seen = new Set<string>();
    for (const [key, value] of this.strStrTokens()) {
      if (seen.has(key.text)) throw new ParseError(`external data key '${key.text}' is given twice`, key);
      seen.add(key.text);
      t.external_data.push({ key: key.text, value: value.text });
    }
    t.data_location = 1;
    let ref;
    try {
      ref = new Tensor(t).externalRef();
    } catch (e) {
      throw new ParseError((e as Error).message, at);
    }
    if (!info.bits) throw new ParseError(`${info.name} tensors cannot be stored as external data`, at);
    const bytes = rawByteLength(info, count);
    if (ref.length !== undefined && ref.length !== bytes) throw new ParseError(`external data length ${ref.length} does not match the ${bytes} bytes of ${info.name}[${t.dims.join(',')}]`, at);
  }

  /** `type name`, or a bare name (subgraph inputs may leave their types to the enclosing op). */
  private valueInfo(definition: boolean, stored = true): ValueInfoProto {
    return this.nested(stored ? 1 : 0, this.t, () => {
      const after = this.peek().text;
      if ((this.t.kind === 'id' || this.t.kind === 'string') && this.peek().kind === 'punct' && [',', ')', '='].includes(after)) return { name: this.valueName(definition), metadata_props: [] };
      const type = this.type(stored);
      return { type, name: this.valueName(definition), metadata_props: [] };
    });
  }

  /** A type; `stored`: it becomes a TypeProto one level below the current message (and counts towards MAX_NESTING). */
  type(stored = true): TypeProto {
    return this.nested(stored ? 1 : 0, this.t, () => this.typeBody(stored));
  }

  private typeBody(stored: boolean): TypeProto {
    const tok = this.t;
    const name = this.id();
    // Sequence, Optional and Map are one message between a TypeProto and its element TypeProto.
    const inner = (levels: number): TypeProto =>
      this.nested(levels, tok, () => {
        this.expect('(');
        const t = this.type(stored);
        this.expect(')');
        return t;
      });
    if (name === 'seq') return { sequence_type: { elem_type: inner(1) } };
    if (name === 'optional') return { optional_type: { elem_type: inner(1) } };
    if (name === 'sparse_tensor') {
      // The inner TypeProto's level is the SparseTensor message's.
      const t = inner(0).tensor_type;
      if (!t) throw new ParseError('sparse_tensor( ) takes a tensor type', tok);
      return { sparse_tensor_type: t };
    }
    if (name === 'map') {
      this.expect('(');
      const keyTok = this.t;
      const key = dataTypeByName(this.id());
      if (!key) throw new ParseError(`unknown type '${keyTok.text}'`, keyTok);
      this.expect(',');
      const value = this.nested(stored ? 1 : 0, tok, () => this.type(stored));
      this.expect(')');
      return { map_type: { key_type: key.id, value_type: value } };
    }
    if (name === 'opaque') {
      if (stored) this.reach(1, tok);
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
    if (stored) this.reach(1, tok);
    if (this.accept('[')) {
      // TypeProto.Tensor → TensorShapeProto → Dimension
      if (stored) this.reach(this.is(']') ? 2 : 3, tok);
      const dim: { dim_value?: Int64; dim_param?: string }[] = [];
      while (!this.is(']')) {
        const d = this.t;
        if (d.kind === 'int') dim.push({ dim_value: toInt64(this.literal('int64')) });
        else if (d.kind === 'id' || d.kind === 'string') dim.push({ dim_param: this.next().text });
        else if (d.kind === 'punct' && d.text === '?') {
          this.next();
          dim.push({});
        }
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
    return this.nested(1, this.t, () => {
      if (this.is('<')) this.otherData(f as unknown as Record<string, unknown>, 'function');
      f.name = this.quotableId();
      this.inScope(f.name, 'function', start, () => this.funcBody(f));
      return f;
    });
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
