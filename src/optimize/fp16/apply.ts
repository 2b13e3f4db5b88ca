import type { Node } from '../../onnx/model/graph';
import { toNumber } from '../../onnx/proto/byte-range';
import type { AttributeProto, GraphProto, NodeProto, TensorProto } from '../../onnx/proto/types';
import { Tensor } from '../../onnx/tensor';
import { constantValue } from './constant-values';
import { computedFloat16Tensor } from './float16-tensor';
import { DTYPE_ATTRIBUTE, FLOAT, FLOAT16, type Prec } from './node-policy';
import { setFloatType, type FloatDef, type Plan } from './plan';
import { intAttr, newNode, tensorAttr } from '../../onnx/edit/proto-factory';
import type { ModelEdit } from '../../onnx/edit/model-edit';
import type { GraphEdit } from '../../onnx/edit/graph-edit';
import { castNode, smallFloat16Tensor } from './protos';
import { addCounts, emptyCounts, type Float16Counts, type Float16Range } from './to-float16';

export interface ApplyResult {
  castsInserted: number;
  initializersConverted: number;
  constantsConverted: number;
  /** Constants read both as float16 and float32: kept, with a float16 copy added. */
  constantsCopied: number;
  valuesConverted: number;
  counts: Float16Counts;
  nodesAdded: number;
  changed: Set<Node>;
}

/** Rewrites the model's protos as the plan says. Weights become computed float16 tensors (converted while written). */
export function applyPlan(plan: Plan, edit: ModelEdit, range: Float16Range): ApplyResult {
  const files = plan.model.files;
  const opset = edit.opsetVersion('') ?? 1;
  const r: ApplyResult = { castsInserted: 0, initializersConverted: 0, constantsConverted: 0, constantsCopied: 0, valuesConverted: 0, counts: emptyCounts(), nodesAdded: 0, changed: new Set() };
  const edits = new Map<GraphProto, GraphEdit>(edit.graphs().map((g) => [g.proto, g]));
  const editOf = (g: GraphProto): GraphEdit => edits.get(g)!;
  const pending = new Map<GraphEdit, NodeProto[]>();
  /** Queues a node for the graph that defines `d` (added in one batch and sorted into place at the end). */
  const place = (d: FloatDef, n: NodeProto): void => {
    const g = editOf(d.graph.proto);
    const list = pending.get(g);
    if (list) list.push(n);
    else pending.set(g, [n]);
    r.nodesAdded++;
  };
  const namePrec = new Map<string, Prec>();
  /** Main-graph Constant nodes whose float16 value became an initializer, removed in one pass per graph. */
  const removed = new Map<GraphEdit, NodeProto[]>();
  /** A main-graph Constant from IR 4 on (before it an initializer is also a graph input), not itself a graph output. */
  const becomesInitializer = (d: FloatDef): boolean =>
    d.kind === 'constant' && !d.graph.parent && edit.irVersion >= 4 && !editOf(d.graph.proto).isGraphOutput(d.value.name);

  const smallHalf = (name: string, dims: number[], values: Float32Array): TensorProto => {
    const { tensor, counts } = smallFloat16Tensor(name, dims, values, range);
    addCounts(r.counts, counts);
    r.valuesConverted += values.length;
    return tensor;
  };
  /** The float16 version of a constant's value (computed while written for tensors), counted from the plan's read. */
  const constantHalf = (d: FloatDef, name: string): TensorProto => {
    addCounts(r.counts, d.counts!);
    if (d.kind === 'initializer') {
      r.valuesConverted += d.value.initializer!.elementCount;
      return computedFloat16Tensor(d.value.initializer!, name, range);
    }
    const v = constantValue(d.node!, files);
    if ('tensor' in v) {
      r.valuesConverted += v.tensor.elementCount;
      return computedFloat16Tensor(v.tensor, name, range);
    }
    r.valuesConverted += v.values.length;
    return smallFloat16Tensor(name, v.dims, v.values, range).tensor;
  };

  for (const d of plan.defs.values()) {
    const v = d.value.name;
    const version = new Map<Prec, string>();
    if (d.kind === 'initializer' || d.kind === 'constant') {
      if (d.prec === 'copy') {
        const copy = edit.uniqueName(`${v}__fp16`);
        version.set(32, v).set(16, copy);
        if (d.kind === 'initializer') editOf(d.graph.proto).addInitializer(constantHalf(d, copy));
        else place(d, newNode({ op: 'Constant', name: copy, inputs: [], outputs: [copy], attributes: [tensorAttr('value', constantHalf(d, ''))] }));
        r.constantsCopied++;
      } else {
        version.set(d.prec, v);
        if (d.prec === 16) convertConstantInPlace(d);
      }
      if (d.prec !== 32 && d.kind === 'initializer') r.initializersConverted++;
      else if (d.prec !== 32) r.constantsConverted++;
      for (const [prec, name] of version) namePrec.set(name, prec);
    } else {
      const prec = d.prec as Prec;
      const fixed = d.uses.find((u) => u.fixedName);
      let nameType: Prec = fixed?.want ?? prec;
      if (nameType !== prec && d.kind !== 'node') {
        // A graph input or sparse initializer that is also a main-graph output keeps its own type.
        for (const u of d.uses) if (u.fixedName) u.want = prec;
        nameType = prec;
      }
      if (nameType !== prec) {
        const renamed = edit.uniqueName(`${v}__fp${prec}`);
        // Every read follows the rename; each is pointed at its version below.
        editOf(d.graph.proto).renameValue(v, renamed);
        place(d, castNode(renamed, v, nameType, opset));
        r.castsInserted++;
        version.set(prec, renamed).set(nameType, v);
      } else {
        version.set(prec, v);
      }
      for (const u of d.uses) {
        if (version.has(u.want)) continue;
        const cast = edit.uniqueName(`${v}__fp${u.want}`);
        place(d, castNode(version.get(prec)!, cast, u.want, opset));
        r.castsInserted++;
        version.set(u.want, cast);
      }
      for (const [p, name] of version) namePrec.set(name, p);
      if (d.kind === 'node' && prec === 16) fixOutputTypeAttributes(d.node!);
    }
    for (const u of d.uses) {
      const name = version.get(u.want)!;
      if (u.node && name !== v) r.changed.add(u.node);
      if ('output' in u.ref) {
        u.ref.output.name = name;
        setFloatType(u.ref.output.type, u.want);
      } else {
        editOf(u.ref.graph).setInput(u.ref.node, u.ref.index, name);
      }
    }
  }

  for (const g of plan.graphs) {
    for (const vi of [...g.proto.input, ...g.proto.value_info]) {
      const prec = namePrec.get(vi.name ?? '');
      if (prec) setFloatType(vi.type, prec);
    }
    for (const node of g.nodes) {
      if (plan.kept.has(node)) continue;
      const touches = node.inputs.some((n) => namePrec.get(n) === 16) || node.outputs.some((n) => namePrec.get(n) === 16);
      if (touches) r.changed.add(node);
    }
  }
  for (const [g, nodes] of removed) g.removeNodes(new Set(nodes));
  for (const [g, nodes] of pending) {
    g.addNodes(nodes);
    g.sortTopologically();
  }
  return r;

  function convertConstantInPlace(d: FloatDef): void {
    if (d.kind === 'initializer') {
      editOf(d.graph.proto).replaceInitializer(d.value.name, constantHalf(d, d.value.name));
      return;
    }
    const node = d.node!;
    if (becomesInitializer(d)) {
      // As the static quantizer writes a main graph's Constant weight (and as ORT loads it): the
      // node would spend its name, op type and attribute wrapper again on every weight.
      const graph = editOf(d.graph.proto);
      removed.set(graph, [...(removed.get(graph) ?? []), node.proto]);
      graph.addInitializer(constantHalf(d, d.value.name));
      r.changed.add(node);
      return;
    }
    const half = constantHalf(d, '');
    node.proto.attribute = node.proto.attribute.map((a) => (a.name === 'value' || a.name === 'value_float' || a.name === 'value_floats' ? tensorAttr('value', half) : a));
    r.changed.add(node);
  }

  /** A converted node whose float16 output type is set by an attribute gets that attribute changed. */
  function fixOutputTypeAttributes(node: Node): void {
    if (node.domain !== '') return;
    if (node.opType === 'ConstantOfShape') {
      const a = node.proto.attribute.find((x) => x.name === 'value');
      const values = a?.t ? (new Tensor(a.t, files).read(1).values as Float32Array) : Float32Array.of(0);
      const value = tensorAttr('value', smallHalf(a?.t?.name ?? '', [1], Float32Array.from(values)));
      node.proto.attribute = [...node.proto.attribute.filter((x) => x.name !== 'value'), value];
      r.changed.add(node);
      return;
    }
    const rule = DTYPE_ATTRIBUTE[node.opType];
    if (!rule) return;
    const a: AttributeProto | undefined = node.proto.attribute.find((x) => x.name === rule.name);
    const isFloat = a ? toNumber(a.i ?? 0) === FLOAT : rule.absentIsFloat;
    if (!isFloat) return;
    node.proto.attribute = [...node.proto.attribute.filter((x) => x.name !== rule.name), intAttr(rule.name, FLOAT16)];
    r.changed.add(node);
  }
}
