import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DiskModelFiles } from '../onnx/io/model-files';
import { encodeModel } from '../onnx/open';
import { positionAt } from '../onnx/text/lexer';
import { parseModel } from '../onnx/text/parser';
import { inlineExternalData } from '../onnx/text/weights';
import { parseArgs, UsageError } from './args';
import { CliError, EXIT_UNREADABLE } from './load';
import { writeAtomic } from './write-atomic';

export const compileUsage = 'onnx-studio compile FILE.onnxtxt -o MODEL.onnx [--keep-external]   ONNX text back to a binary model';

export function runCompile(argv: string[], out: (s: string) => void): number {
  const args = parseArgs(argv, { options: ['-o'], flags: ['--keep-external'] });
  const target = args.options.get('-o');
  if (args.positionals.length !== 1 || !target) throw new UsageError(`usage: ${compileUsage}`);
  const textPath = resolve(args.positionals[0]!);
  let src: string;
  try {
    src = readFileSync(textPath, 'utf8');
  } catch (e) {
    throw new CliError(`${textPath}: ${(e as Error).message}`, EXIT_UNREADABLE);
  }
  const { model, diagnostics } = parseModel(src);
  if (diagnostics.length) {
    for (const d of diagnostics) {
      const p = positionAt(src, d.start);
      out(`${textPath}:${p.line + 1}:${p.character + 1}: error: ${d.message}`);
    }
    return 1;
  }
  let inlined = 0;
  if (!args.flags.has('--keep-external')) {
    // References are relative to the text file's folder; read them back into the model.
    const files = new DiskModelFiles(textPath);
    try {
      inlined = inlineExternalData(model, files);
    } catch (e) {
      throw new CliError(`${textPath}: ${(e as Error).message}`, 1);
    } finally {
      files.close();
    }
  }
  writeAtomic(target, textPath, (sink) => encodeModel(model, sink));
  out(`${target}: written${inlined ? ` (${inlined} tensors read back from their external data)` : ''}`);
  return 0;
}
