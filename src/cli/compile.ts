import { resolve } from 'node:path';
import { compileText, readTextSource } from '../onnx/text/compile';
import { parseArgs, UsageError } from './args';
import { withFile } from './load';

export const compileUsage = 'onnx-studio compile FILE.onnxtxt -o MODEL.onnx [--keep-external]   ONNX text back to a binary model (weights read in, or references kept)';

export function runCompile(argv: string[], out: (s: string) => void, err: (s: string) => void = () => {}): number {
  const args = parseArgs(argv, { out: { type: 'string', short: 'o' }, 'keep-external': { type: 'boolean' } }, compileUsage);
  const target = args.values.out;
  if (!target) throw new UsageError(`usage: ${compileUsage}`);
  const textPath = resolve(args.positionals[0]!);
  const text = withFile(textPath, () => readTextSource(textPath));
  const result = withFile(textPath, () => compileText({ text, textPath, target, references: args.values['keep-external'] ? 'keep' : 'inline' }));
  if (!result.ok) {
    for (const e of result.errors) out(`${textPath}:${e.line}:${e.column}: error: ${e.message}`);
    return 1;
  }
  for (const note of result.notes) err(`onnx-studio compile: ${note}`);
  err(`${target}: written`);
  return 0;
}
