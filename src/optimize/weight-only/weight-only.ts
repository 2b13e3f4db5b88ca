/**
 * Weight-only int8 storage, shared by the static and the dynamic quantizers: float constants
 * that reach only recurrent weight inputs (LSTM/GRU/RNN W and R), through data movement, are
 * stored as int8 behind a DequantizeLinear (find-weights.ts, write-weights.ts). ONNX Runtime's
 * quantize_dynamic turns such LSTMs into com.microsoft DynamicQuantizeLSTM; standard ops keep
 * the model portable, and the file shrinks as much (the weights are what weighs).
 */
import type { ModelEdit } from '../../onnx/edit/model-edit';
import { findWeightOnly, type WeightOnlyFilter } from './find-weights';
import { writeWeightOnly, type WeightOnlyResult, type WeightOnlyWriteOptions } from './write-weights';

export type { WeightOnlyFilter, WeightOnlyResult, WeightOnlyWriteOptions };

/** DequantizeLinear arrived in opset 10. */
export const WEIGHT_ONLY_MIN_OPSET = 10;

/** DequantizeLinear's `axis` (one scale per row) arrived in opset 13. */
export const WEIGHT_ONLY_PER_AXIS_OPSET = 13;

/** Finds and writes the weight-only int8 constants of every graph; the caller sorts the graphs afterwards. */
export function quantizeWeightOnly(edit: ModelEdit, filter: WeightOnlyFilter, options: WeightOnlyWriteOptions): WeightOnlyResult {
  // DequantizeLinear arrived in opset 10; both quantizers raise a model to it first.
  if ((edit.opsetVersion('') ?? 0) < WEIGHT_ONLY_MIN_OPSET) return { weights: 0, nodesAdded: 0, changed: [], consumers: [], floatBytes: 0, warnings: [] };
  const perAxis = options.perAxis && (edit.opsetVersion('') ?? 0) >= WEIGHT_ONLY_PER_AXIS_OPSET;
  return writeWeightOnly(edit, findWeightOnly(edit, filter), { ...options, perAxis });
}

/** Whether any constant would be stored weight-only (the model's opset allows DequantizeLinear and a candidate exists). */
export function hasWeightOnlyWork(edit: ModelEdit, filter: WeightOnlyFilter): boolean {
  return (edit.opsetVersion('') ?? 0) >= WEIGHT_ONLY_MIN_OPSET && findWeightOnly(edit, filter).length > 0;
}
