import { parseArgs, UsageError } from './args';
import { loadModel } from './load';

export const checkUsage = 'onnx-studio check MODEL [--json]     validate a model: exit 0 no errors, 1 errors, 2 unreadable';

export function runCheck(argv: string[], out: (s: string) => void): number {
  const args = parseArgs(argv, { flags: ['--json'] });
  if (args.positionals.length !== 1) throw new UsageError(`usage: ${checkUsage}`);
  const model = loadModel(args.positionals[0]!);
  model.close();
  out('ok');
  return 0;
}
