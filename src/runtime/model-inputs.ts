import { toNumber } from '../onnx/proto/byte-range';
import type { ModelProto } from '../onnx/proto/types';

/** A graph input a caller must feed: its dtype and its dims (number, symbolic name, or null for neither). */
export interface InputSpec {
  name: string;
  /** TensorProto.DataType; 0 when the input is not a tensor or states no type. */
  dtype: number;
  /** null when the rank is unknown. */
  dims: (number | string | null)[] | null;
}

/** The main graph's inputs that are not initializers (IR < 4 lists initializers as inputs too). */
export function modelInputs(model: ModelProto): InputSpec[] {
  const g = model.graph;
  if (!g) return [];
  const initialized = new Set(g.initializer.map((t) => t.name));
  return g.input
    .filter((v) => !initialized.has(v.name))
    .map((v) => {
      const t = v.type?.tensor_type;
      const dims = t?.shape ? t.shape.dim.map((d) => (d.dim_value !== undefined ? toNumber(d.dim_value) : d.dim_param ? d.dim_param : null)) : null;
      return { name: v.name ?? '', dtype: t?.elem_type ?? 0, dims };
    });
}
