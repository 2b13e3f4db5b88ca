/**
 * A model that defines a value twice (an initializer and a Constant output of the same name,
 * two nodes writing one output) has no single meaning: ORT takes one definition, a transform
 * that replaces "the" definition changes which. Refused before any transform (checker E202).
 */
import type { ModelEdit } from '../onnx/edit/model-edit';
import { TransformRefusedError } from './errors';

export class DuplicateDefinitionError extends TransformRefusedError {
  override name = 'DuplicateDefinitionError';
}

/** Throws DuplicateDefinitionError naming the first value defined twice in any graph (a graph input that is also an initializer is allowed). */
export function refuseDuplicateDefinitions(edit: ModelEdit): void {
  for (const g of edit.graphs()) {
    const inputs = new Set(g.proto.input.map((v) => v.name ?? ''));
    const seen = new Set<string>();
    const define = (name: string, as: string, node?: string): void => {
      if (!name) return;
      if (seen.has(name)) {
        const where = g.parent ? ` in a subgraph of '${g.owner?.name ?? ''}'` : '';
        throw new DuplicateDefinitionError(`'${name}' is defined more than once${where} (again as ${as}): the model has no single meaning; fix it first (onnx-studio check lists every duplicate)`, node ? [node] : []);
      }
      seen.add(name);
    };
    for (const name of inputs) define(name, 'a graph input');
    const initializers = [...g.proto.initializer.map((t) => t.name ?? ''), ...g.proto.sparse_initializer.map((s) => s.values?.name ?? '')];
    for (const name of initializers) if (!inputs.has(name)) define(name, 'an initializer');
    for (const n of g.nodes) for (const o of n.output) define(o, `an output of ${n.op_type ?? ''} '${n.name ?? ''}'`, n.name ?? undefined);
  }
}
