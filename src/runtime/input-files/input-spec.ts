import type { Model } from '../../onnx/model/graph';

/** A graph input as input files must match it: TensorProto dtype and dims (number fixed, string/null symbolic). */
export interface InputSpec {
  name: string;
  dtype: number;
  /** null when the model does not state the rank. */
  dims: (number | string | null)[] | null;
}

/** A request for input files that cannot be served without more options (exit 64: bad usage), e.g. an image size for symbolic H,W. */
export class InputOptionsError extends Error {
  override name = 'InputOptionsError';
}

/** The inputs a caller feeds: graph inputs of the main graph that no initializer gives a default to. */
export function modelInputSpecs(model: Model): InputSpec[] {
  return model.graph.inputs
    .filter((v) => !v.initializer && !v.sparseInitializer)
    .map((v) => {
      const t = v.type?.kind === 'tensor' ? v.type : undefined;
      return { name: v.name, dtype: t?.elemType ?? 0, dims: t?.shape ? [...t.shape] : null };
    });
}
