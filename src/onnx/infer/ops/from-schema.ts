import { dataTypeByName } from '../../dtypes';
import type { ValueType } from '../../model/value-type';
import type { OpContext } from '../context';

/** `tensor(float)` → its element type id. */
export function elemOfSchemaType(t: string): number | undefined {
  const m = /^tensor\((\w+)\)$/.exec(t);
  return m ? dataTypeByName(m[1]!)?.id : undefined;
}

/**
 * Fallback for operators without a shape function: element types only, from the schema's
 * type variables (an output shares T with a typed input) or literal output types. Shapes stay
 * unknown.
 */
export function inferFromSchema(c: OpContext): void {
  const s = c.schema!;
  const bound = new Map<string, ValueType>();
  for (let i = 0; i < c.inputCount; i++) {
    const formal = s.inputs[Math.min(i, s.inputs.length - 1)];
    const t = c.type(i);
    if (formal && t && !formal.heterogeneous) bound.set(formal.type, t);
  }
  for (let i = 0; i < c.outputCount; i++) {
    const formal = s.outputs[Math.min(i, s.outputs.length - 1)];
    if (!formal || formal.heterogeneous) continue;
    const t = bound.get(formal.type);
    const allowed = s.typeConstraints[formal.type] ?? [formal.type];
    const only = allowed.length === 1 ? elemOfSchemaType(allowed[0]!) : undefined;
    if (t && t.kind === 'tensor') c.tensor(i, t.elemType, null);
    else if (t) c.out(i, t);
    else if (only !== undefined) c.tensor(i, only, null);
  }
}
