import type { Model, Node, Value } from '../../onnx/model/graph';
import { Tensor } from '../../onnx/tensor';

/** A weight of the model: an initializer or a Constant node's tensor, with who reads it. */
export interface Parameter {
  name: string;
  /** The stored tensor; absent for Constants written as value_float(s)/value_int(s). */
  tensor?: Tensor;
  elements: number;
  /** The Constant node that holds it, for Constant parameters. */
  constant?: Node;
  /** The nodes that read it: in its own graph and in nested subgraphs that read it from the outer scope. */
  consumers: readonly Node[];
}

/** Every initializer (dense and sparse) and Constant tensor of every graph, without reading values. */
export function modelParameters(model: Model): Parameter[] {
  const out: Parameter[] = [];
  const outerReaders = outerScopeReaders(model);
  const readersOf = (v: Value | undefined): readonly Node[] => (v ? [...v.consumers, ...(outerReaders.get(v) ?? [])] : []);
  for (const g of model.graphs()) {
    const consumersOf = (name: string): readonly Node[] => readersOf(g.values.get(name));
    for (const t of g.initializers) out.push({ name: t.name, tensor: t, elements: t.elementCount, consumers: consumersOf(t.name) });
    for (const s of g.sparseInitializers) out.push({ name: s.values.name, elements: s.dims.reduce((a, b) => a * b, 1), consumers: consumersOf(s.values.name) });
    for (const n of g.nodes) {
      if (n.opType !== 'Constant' || n.domain !== '') continue;
      const out0: Value | undefined = n.outputValue(0);
      const consumers = readersOf(out0);
      const value = n.attribute('value');
      const tensor = value?.tensor();
      const listed = n.attributes.find((a) => a.name === 'value_floats' || a.name === 'value_ints');
      const elements = tensor ? tensor.elementCount : listed ? listed.proto.floats.length + listed.proto.ints.length : n.attributes.length ? 1 : 0;
      out.push({ name: n.outputs[0] ?? n.name, tensor, elements, constant: n, consumers });
    }
  }
  return out;
}

/** Value defined in some graph → the nodes of nested subgraphs that read it by name from the outer scope. */
function outerScopeReaders(model: Model): Map<Value, Node[]> {
  const out = new Map<Value, Node[]>();
  for (const g of model.graphs()) {
    if (!g.parent) continue;
    for (const v of g.values.values()) {
      if (!v.consumers.length) continue;
      const def = g.definitionOf(v);
      if (def && def !== v) out.set(def, [...(out.get(def) ?? []), ...v.consumers]);
    }
  }
  return out;
}
