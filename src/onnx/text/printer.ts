// Prints a model in the ONNX text syntax (Syntax.md), readable and stable. Large tensors are
// printed as external-data references to where their bytes already are (the .onnx itself or its
// data file), so nothing large is copied; what the syntax cannot carry is reported.
import { typeFromProto, typeToSyntax } from '../model/value-type';
import { ByteRange, toNumber } from '../proto/byte-range';
import type { AttributeProto, FunctionProto, GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto } from '../proto/types';
import { AttributeType, attributeTypeName } from '../proto/types';
import { TooLargeToPrint } from '../errors';
import { Tensor } from '../tensor';
import { quoteId, quoteString } from './quote';

export interface PrintOptions {
  /** The model file's name as external-data locations should name it (relative to the text file). */
  modelLocation?: string;
  /** Instead: large tensors go into this weights file (location relative to the text file). */
  weights?: { location: string; append(bytes: Uint8Array): number };
  /** Tensors with more elements than this are printed as external references (when their bytes are in a file). */
  inlineLimit?: number;
}

export interface PrintResult {
  text: string;
  /** Parts of the model the syntax has no place for, e.g. `node doc_string (3)`. */
  dropped: string[];
}

const INDENT = '   ';
/** More elements than this are never printed inline (the text would not fit in a string). */
const MAX_INLINE_ELEMENTS = 1 << 24;

export function printModel(m: ModelProto, opts: PrintOptions = {}): PrintResult {
  const p = new Printer(opts);
  return { text: p.model(m), dropped: [...p.dropped].map(([k, n]) => `${k} (${n})`) };
}

/**
 * Shortest decimal text that parses back to the same float32 (or float64) value. Infinities
 * and NaN are `+inf`, `-inf` and `+nan`: the sign makes them numbers, not names, to the lexer
 * (python onnx 1.12's parser has no literal for them at all).
 */
function floatText(v: number, single = true): string {
  if (Number.isNaN(v)) return '+nan';
  if (!Number.isFinite(v)) return v > 0 ? '+inf' : '-inf';
  if (Object.is(v, -0)) return '-0.0';
  let s = String(v);
  if (single) {
    for (let digits = 1; digits <= 9; digits++) {
      const t = v.toPrecision(digits);
      if (Math.fround(Number(t)) === v) {
        s = String(Number(t));
        break;
      }
    }
  }
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

class Printer {
  readonly dropped = new Map<string, number>();
  constructor(private readonly opts: PrintOptions) {}

  private drop(what: string, n = 1): void {
    if (n > 0) this.dropped.set(what, (this.dropped.get(what) ?? 0) + n);
  }

  model(m: ModelProto): string {
    const header: string[] = [];
    if (m.ir_version !== undefined) header.push(`ir_version: ${m.ir_version}`);
    header.push(`opset_import: [${m.opset_import.map((o) => `${quoteString(o.domain ?? '')} : ${o.version ?? 0}`).join(', ')}]`);
    if (m.producer_name !== undefined) header.push(`producer_name: ${quoteString(m.producer_name)}`);
    if (m.producer_version !== undefined) header.push(`producer_version: ${quoteString(m.producer_version)}`);
    if (m.domain !== undefined) header.push(`domain: ${quoteString(m.domain)}`);
    if (m.model_version !== undefined) header.push(`model_version: ${m.model_version}`);
    if (m.doc_string !== undefined) header.push(`doc_string: ${quoteString(m.doc_string)}`);
    if (m.metadata_props.length) header.push(`metadata_props: [${m.metadata_props.map((e) => `${quoteString(e.key ?? '')}: ${quoteString(e.value ?? '')}`).join(', ')}]`);
    this.drop('training_info', m.training_info.length);
    this.drop('device configuration', m.configuration.length);
    const parts = [`<\n${header.map((h) => INDENT + h).join(',\n')}\n>`, this.graph(m.graph ?? emptyGraph(), '')];
    for (const f of m.functions) parts.push(this.func(f));
    return parts.join('\n') + '\n';
  }

  graph(g: GraphProto, indent: string): string {
    const inits = new Map(g.initializer.map((t) => [t.name ?? '', t]));
    const inputs = g.input.map((vi) => {
      const t = inits.get(vi.name ?? '');
      if (t) inits.delete(vi.name ?? '');
      return t ? `${this.valueInfo(vi)} = ${this.tensorData(t)}` : this.valueInfo(vi);
    });
    this.drop('graph doc_string', g.doc_string ? 1 : 0);
    this.drop('value_info', g.value_info.length);
    this.drop('sparse initializers', g.sparse_initializer.length);
    this.drop('quantization annotations', g.quantization_annotation.length);
    this.drop('graph metadata_props', g.metadata_props.length);
    const head = `${quoteId(g.name ?? '')} (${inputs.join(', ')}) => (${g.output.map((vi) => this.valueInfo(vi)).join(', ')})`;
    const initList = inits.size ? `\n${indent}<${[...inits.values()].map((t) => `${this.tensorType(t)} ${quoteId(t.name ?? '')} = ${this.tensorData(t)}`).join(`,\n${indent} `)}>` : '';
    const body = g.node.map((n) => `${indent}${INDENT}${this.node(n, indent + INDENT)}`).join('\n');
    return `${head}${initList}\n${indent}{\n${body}${body ? '\n' : ''}${indent}}`;
  }

  private func(f: FunctionProto): string {
    const header = [`domain: ${quoteString(f.domain ?? '')}`, `opset_import: [${f.opset_import.map((o) => `${quoteString(o.domain ?? '')} : ${o.version ?? 0}`).join(', ')}]`];
    if (f.doc_string !== undefined) this.drop('function doc_string');
    const attrList = [...f.attribute.map(quoteId), ...f.attribute_proto.map((a) => this.attribute(a, INDENT)).filter(Boolean)];
    const attrs = attrList.length ? ` <${attrList.join(', ')}>` : '';
    const valueInfos = f.value_info.length ? `\n<${f.value_info.map((vi) => this.valueInfo(vi)).join(', ')}>` : '';
    const body = f.node.map((n) => `${INDENT}${this.node(n, INDENT)}`).join('\n');
    return `<\n${header.map((h) => INDENT + h).join(',\n')}\n>\n${quoteId(f.name ?? '')}${attrs} (${f.input.map(quoteId).join(', ')}) => (${f.output.map(quoteId).join(', ')})${valueInfos}\n{\n${body}${body ? '\n' : ''}}`;
  }

  node(n: NodeProto, indent: string): string {
    this.drop('node doc_string', n.doc_string ? 1 : 0);
    this.drop('node metadata_props', n.metadata_props.length);
    const label = n.name ? `[${quoteId(n.name)}] ` : '';
    const outs = n.output.map(quoteId).join(', ');
    const op = n.domain ? `${n.domain}.${n.op_type ?? ''}` : (n.op_type ?? '');
    const printed = n.attribute.map((a) => this.attribute(a, indent)).filter(Boolean);
    const attrs = printed.length ? ` <${printed.join(', ')}>` : '';
    return `${label}${outs}${outs ? ' ' : ''}= ${op}${attrs} (${n.input.map(quoteId).join(', ')})`;
  }

  private attribute(a: AttributeProto, indent: string): string {
    const name = quoteId(a.name ?? '');
    if (a.ref_attr_name) return `${name}: ${attributeTypeName(a.type ?? 0)} = @${a.ref_attr_name}`;
    const list = (xs: string[], type: string): string => (xs.length ? `${name} = [${xs.join(', ')}]` : `${name}: ${type} = []`);
    switch (a.type) {
      case AttributeType.FLOAT: return `${name} = ${floatText(a.f ?? 0)}`;
      case AttributeType.INT: return `${name} = ${a.i ?? 0}`;
      case AttributeType.STRING: return `${name} = ${quoteString(new TextDecoder().decode(a.s ?? new Uint8Array()))}`;
      case AttributeType.FLOATS: return list(a.floats.map((f) => floatText(f)), 'floats');
      case AttributeType.INTS: return list(a.ints.map(String), 'ints');
      case AttributeType.STRINGS: return list(a.strings.map((s) => quoteString(new TextDecoder().decode(s))), 'strings');
      case AttributeType.TENSOR: return `${name} = ${this.tensorConstant(a.t!)}`;
      case AttributeType.TENSORS: return list(a.tensors.map((t) => this.tensorConstant(t)), 'tensors');
      case AttributeType.GRAPH: return `${name} = ${this.graph(a.g!, indent + INDENT)}`;
      case AttributeType.GRAPHS: return list(a.graphs.map((g) => this.graph(g, indent + INDENT)), 'graphs');
      default:
        // No literal for type_proto or sparse tensors in the syntax: left out, and reported.
        this.drop(`${attributeTypeName(a.type ?? 0)} attributes`);
        return '';
    }
  }

  private tensorConstant(t: TensorProto): string {
    return `${this.tensorType(t)}${t.name ? ` ${quoteId(t.name)}` : ''} ${this.tensorData(t)}`;
  }

  private tensorType(t: TensorProto): string {
    return typeToSyntax({ kind: 'tensor', elemType: t.data_type ?? 0, shape: t.dims.map(toNumber) });
  }

  /** `{1, 2, 3}` inline, or `["location": …]` pointing at the bytes where they are. */
  tensorData(t: TensorProto): string {
    if (t.data_location === 1) return `[${t.external_data.map((e) => `${quoteString(e.key ?? '')}: ${quoteString(e.value ?? '')}`).join(', ')}]`;
    const tensor = new Tensor(t);
    const info = tensor.validate();
    const ref = (location: string, offset: number, length: number): string =>
      `[${quoteString('location')}: ${quoteString(location)}, ${quoteString('offset')}: ${quoteString(String(offset))}, ${quoteString('length')}: ${quoteString(String(length))}]`;
    if (tensor.elementCount > (this.opts.inlineLimit ?? 64) && info.field !== 'string_data') {
      const weights = this.opts.weights;
      if (weights) {
        let offset: number | undefined;
        let length = 0;
        for (const bytes of tensor.rawChunks()) {
          const at = weights.append(bytes);
          offset ??= at;
          length += bytes.length;
        }
        return ref(weights.location, offset ?? 0, length);
      }
      if (t.raw_data instanceof ByteRange && this.opts.modelLocation) return ref(this.opts.modelLocation, t.raw_data.offset, t.raw_data.length);
    }
    if (tensor.elementCount > MAX_INLINE_ELEMENTS) throw new TooLargeToPrint(`tensor '${tensor.name}' has ${tensor.elementCount} elements, too many to print inline; print it with a weights file or beside its model`);
    const single = info.name !== 'double' && info.name !== 'complex128';
    const text: string[] = [];
    for (const chunk of tensor.chunks()) {
      if (Array.isArray(chunk)) for (const s of chunk) text.push(quoteString(s));
      else if (info.isFloat) for (const v of chunk as Float32Array) text.push(floatText(v, single));
      else for (const v of chunk as Iterable<number | bigint>) text.push(String(v));
    }
    return `{${text.join(', ')}}`;
  }

  private valueInfo(vi: ValueInfoProto): string {
    if (vi.doc_string) this.drop('value doc_string');
    const type = vi.type ? typeToSyntax(typeFromProto(vi.type)) : '';
    return type ? `${type} ${quoteId(vi.name ?? '')}` : quoteId(vi.name ?? '');
  }
}

function emptyGraph(): GraphProto {
  return { node: [], initializer: [], input: [], output: [], value_info: [], quantization_annotation: [], sparse_initializer: [], metadata_props: [] };
}
