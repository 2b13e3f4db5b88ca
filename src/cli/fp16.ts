import { parseArgs, UsageError } from './args';
import { commonTransformOptions, listOption, runTransformCommand, threadsOption } from './transform-command';

export const fp16Usage = 'onnx-studio fp16 MODEL [--keep-io-types|--no-keep-io-types] [--block-ops OPS] [--block-nodes NAMES] [--eval DIR] [--validate] [-o OUT] [--json]   float32 weights and values to float16';

const OPTIONS = {
  ...commonTransformOptions,
  'keep-io-types': { type: 'boolean' },
  'no-keep-io-types': { type: 'boolean' },
  'block-ops': { type: 'string' },
  'block-nodes': { type: 'string' },
} as const;

export async function runFp16(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { values: v, positionals } = parseArgs(argv, OPTIONS, fp16Usage);
  if (v['keep-io-types'] && v['no-keep-io-types']) throw new UsageError('--keep-io-types and --no-keep-io-types exclude each other');
  return runTransformCommand(
    {
      kind: 'fp16',
      input: positionals[0]!,
      output: v.out,
      validate: !!v.validate || !!v.json,
      evalDir: v.eval,
      threads: threadsOption(v.threads),
      fp16: { keepIoTypes: !v['no-keep-io-types'], blockOps: listOption(v['block-ops']), blockNodes: listOption(v['block-nodes']) },
    },
    !!v.json,
    out,
    err,
  );
}
