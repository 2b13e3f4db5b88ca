import { basename, dirname, join } from 'node:path';

/** What each transform adds to the model's name: `model.int8.onnx` beside `model.onnx` (DESIGN.md §2b). */
export const OUTPUT_SUFFIX = { 'quantize-dynamic': 'int8', 'quantize-static': 'int8', fp16: 'fp16', prune: 'pruned' } as const;

export type TransformKind = keyof typeof OUTPUT_SUFFIX;

export function defaultOutput(input: string, kind: TransformKind): string {
  const stem = basename(input).replace(/\.onnx$/i, '');
  return join(dirname(input), `${stem}.${OUTPUT_SUFFIX[kind]}.onnx`);
}

/** The report saved next to a validated output: `model.int8.onnx` → `model.int8.report.json`. */
export const reportPath = (output: string): string => join(dirname(output), `${basename(output).replace(/\.onnx$/i, '')}.report.json`);

/** The pruning recipe written beside a channel-pruned output: `model.pruned.onnx` → `model.pruned.recipe.json`. */
export const recipePath = (output: string): string => join(dirname(output), `${basename(output).replace(/\.onnx$/i, '')}.recipe.json`);
