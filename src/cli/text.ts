import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { printModel } from '../onnx/text/printer';
import { parseArgs, UsageError } from './args';
import { loadModel } from './load';
import { writeAtomic } from './write-atomic';

export const textUsage = 'onnx-studio text MODEL [-o FILE.onnxtxt]   print a model as ONNX text (large tensors refer to the model\'s own bytes)';

export function runText(argv: string[], out: (s: string) => void, err: (s: string) => void = () => {}): number {
  const args = parseArgs(argv, { options: ['-o'] });
  if (args.positionals.length !== 1) throw new UsageError(`usage: ${textUsage}`);
  const modelPath = resolve(args.positionals[0]!);
  const target = args.options.get('-o');
  const model = loadModel(modelPath);
  try {
    // References must stay inside the text file's folder (external-data rules): only a text
    // written beside the model can point at the model's bytes.
    const textDir = target ? dirname(resolve(target)) : process.cwd();
    const location = relative(textDir, modelPath);
    const beside = !location.startsWith('..') && !isAbsolute(location);
    const { text, dropped } = printModel(model.proto, beside ? { modelLocation: location } : { inlineLimit: Infinity });
    if (!beside) err(`onnx-studio text: the text is not beside ${modelPath}, so all tensor values are printed inline`);
    if (dropped.length) err(`onnx-studio text: the text syntax cannot carry, and so leaves out: ${dropped.join(', ')}`);
    if (target) writeAtomic(target, modelPath, (sink) => sink.write(new TextEncoder().encode(text)));
    else out(text.trimEnd());
    return 0;
  } finally {
    model.close();
  }
}
