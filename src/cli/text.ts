import { basename, dirname, isAbsolute, relative, resolve } from 'node:path';
import { ModelFileError, OnnxFormatError } from '../onnx/errors';
import { printModel, TooLargeToPrint, type PrintResult } from '../onnx/text/printer';
import { parseArgs, UsageError } from './args';
import { CliError, EXIT_UNREADABLE, loadModel } from './load';
import { writeAtomic } from './write-atomic';

export const textUsage = 'onnx-studio text MODEL [-o FILE.onnxtxt] [--weights]   print a model as ONNX text (large tensors refer to the model\'s bytes, or go to FILE.onnxtxt.data)';

export function runText(argv: string[], out: (s: string) => void, err: (s: string) => void = () => {}): number {
  const args = parseArgs(argv, { options: ['-o'], flags: ['--weights'] });
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
    // A text away from the model (or asked for) gets its own weights file: references may not leave their folder.
    const ownWeights = !!target && (args.flags.has('--weights') || !beside);
    const chunks: Uint8Array[] = [];
    let size = 0;
    const weights = ownWeights && target ? { location: `${basename(target)}.data`, append: (b: Uint8Array) => ((size += b.length), chunks.push(b), size - b.length) } : undefined;
    const { text, dropped } = printOrExplain(() => printModel(model.proto, weights ? { weights } : beside ? { modelLocation: location } : { inlineLimit: Infinity }), modelPath);
    if (!beside && !target) err(`onnx-studio text: printing away from ${modelPath}, so all tensor values are inline`);
    if (dropped.length) err(`onnx-studio text: the text syntax cannot carry, and so leaves out: ${dropped.join(', ')}`);
    if (weights && size && target) writeAtomic(`${resolve(target)}.data`, modelPath, (sink) => chunks.forEach((c) => sink.write(c)));
    if (target) writeAtomic(target, modelPath, (sink) => sink.write(new TextEncoder().encode(text)));
    else out(text.trimEnd());
    return 0;
  } finally {
    model.close();
  }
}

/** A tensor that cannot be printed (payload not matching dtype and dims, unknown dtype, refused external data, too large to inline) makes the file unusable: exit 2. */
function printOrExplain(print: () => PrintResult, modelPath: string): PrintResult {
  try {
    return print();
  } catch (e) {
    if (e instanceof OnnxFormatError || e instanceof ModelFileError || e instanceof TooLargeToPrint) throw new CliError(`${modelPath}: ${e.message}`, EXIT_UNREADABLE);
    throw e;
  }
}
