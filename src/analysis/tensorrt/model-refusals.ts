import { checkModel } from '../../onnx/check/checker';
import type { Diagnostic, RuleName } from '../../onnx/check/diagnostics';
import type { Model } from '../../onnx/model/graph';
import type { InferenceResult } from '../../onnx/infer/infer';

/**
 * Checker findings about the model as a whole that stop TensorRT's ONNX parser before any node:
 * no graph, a value read but never defined or defined twice, a cycle (it sorts the graph
 * first), tensor bytes that do not match the declared shape, external data missing or refused
 * (it loads every weight). Per-node findings (unknown ops, arity, attributes, types, inference)
 * are left to the per-node verdicts, and an unsorted graph is not one: the parser sorts it.
 */
const REFUSED: ReadonlySet<RuleName> = new Set<RuleName>(['invalid-model', 'undefined-value', 'duplicate-definition', 'cycle', 'tensor-data', 'external-data']);

/** The checker's errors (src/onnx/check) that make TensorRT refuse the model; empty when it can load it. Reads no weight values. */
export function modelRefusals(model: Model, inference: InferenceResult): Diagnostic[] {
  return checkModel(model, inference).filter((d) => d.severity === 'error' && REFUSED.has(d.rule));
}
