import { resolve } from 'node:path';
import { printModelText, writeModelText } from '../onnx/text/text-output';
import { parseArgs, UsageError } from './args';
import { loadModel, withFile } from './load';

export const textUsage =
  "onnx-studio text MODEL [-o FILE.onnxtxt] [--weights]   print a model as ONNX text (large tensors refer to the model's bytes, or go to FILE.onnxtxt.data)";

export function runText(argv: string[], out: (s: string) => void, err: (s: string) => void = () => {}): number {
  const args = parseArgs(argv, { out: { type: 'string', short: 'o' }, weights: { type: 'boolean' } }, textUsage);
  const modelPath = resolve(args.positionals[0]!);
  const target = args.values.out;
  if (args.values.weights && !target) throw new UsageError(`--weights needs -o FILE.onnxtxt (the weights file goes beside it)\nusage: ${textUsage}`);
  const model = loadModel(modelPath);
  try {
    const printed = withFile(modelPath, () => printModelText(model, modelPath, target ? { textPath: target, ownWeights: args.values.weights } : { cwd: process.cwd() }));
    for (const note of printed.notes) err(`onnx-studio text: ${note}`);
    if (printed.dropped.length) err(`onnx-studio text: the text syntax cannot carry, and so leaves out: ${printed.dropped.join(', ')}`);
    if (!target) {
      out(printed.text.trimEnd());
      return 0;
    }
    withFile(target, () => writeModelText(printed, target));
    err(`${target}: written${printed.weights ? ` (and ${printed.weights.path})` : ''}`);
    return 0;
  } finally {
    model.close();
  }
}
