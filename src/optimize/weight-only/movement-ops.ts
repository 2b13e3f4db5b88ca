/**
 * What weight-only storage may pass through: operators that only move, select or repeat
 * float values (a dequantized weight sliced into gate blocks, reordered by Concat, given a
 * direction axis by Unsqueeze is still the same numbers), and the weight inputs of operators
 * that run in float whatever we do (recurrent cells: no QDQ, no integer form here).
 */

/** Data-movement ops (default domain) and the inputs through which they pass values on; other inputs (shapes, indices, axes) are not data. */
const MOVEMENT_DATA_INPUTS: Readonly<Record<string, 'all' | number>> = {
  Identity: 0,
  Reshape: 0,
  Squeeze: 0,
  Unsqueeze: 0,
  Flatten: 0,
  Transpose: 0,
  Slice: 0,
  Gather: 0,
  GatherElements: 0,
  GatherND: 0,
  Split: 0,
  Expand: 0,
  Tile: 0,
  Concat: 'all',
};

/** Recurrent ops and their weight inputs W (1) and R (2); B (3) is added to the gates and stays float. */
export const RECURRENT_WEIGHT_INPUTS: Readonly<Record<string, readonly number[]>> = { LSTM: [1, 2], GRU: [1, 2], RNN: [1, 2] };

/** Whether input `index` of an op of type `op` (default domain) is data it moves unchanged. */
export function movesData(op: string, index: number): boolean {
  const data = MOVEMENT_DATA_INPUTS[op];
  return data === 'all' || data === index;
}

export function isRecurrentWeight(op: string, index: number): boolean {
  return RECURRENT_WEIGHT_INPUTS[op]?.includes(index) ?? false;
}
