import { parseArgs, UsageError } from './args';
import { PRUNABLE_OPS } from '../optimize/prune/layers';
import { SCAN_RATIOS } from '../optimize/prune/sensitivity';
import type { PruneMethod } from '../optimize/prune/types';
import { commonTransformOptions, listOption, numberOption, runTransformCommand, threadsOption } from './transform-command';

export const pruneUsage =
  'onnx-studio prune MODEL --method unstructured|2:4|channels [--ratio R] [--scope layer|global] [--target-cosine X] [--include-ops OPS] [--exclude-ops OPS] [--exclude-nodes NAMES] [--calib DIR] [--eval DIR] [--validate] [-o OUT] [--json]   prune weights (unstructured, 2:4) or remove channels';

const OPTIONS = {
  ...commonTransformOptions,
  method: { type: 'string' },
  ratio: { type: 'string' },
  scope: { type: 'string' },
  'target-cosine': { type: 'string' },
  'include-ops': { type: 'string' },
  'exclude-ops': { type: 'string' },
  'exclude-nodes': { type: 'string' },
  calib: { type: 'string' },
} as const;

const METHODS: readonly PruneMethod[] = ['unstructured', '2:4', 'channels'];

/** A list of op types among those pruned: a typo (`conv`) must not silently prune everything or nothing. */
function prunedOpsOption(flag: 'include-ops' | 'exclude-ops', v: string | undefined): string[] {
  const ops = listOption(v);
  const notPruned = ops.filter((op) => !PRUNABLE_OPS.includes(op));
  if (notPruned.length) throw new UsageError(`--${flag} takes op types among ${PRUNABLE_OPS.join(', ')} (the ones pruned), not ${notPruned.map((op) => `'${op}'`).join(', ')}`);
  return ops;
}

/** A share strictly between 0 and 1 (0 prunes nothing, 1 everything). */
function ratioOption(v: string | undefined): number | undefined {
  const r = numberOption(v, 'ratio');
  if (r !== undefined && !(r > 0 && r < 1)) throw new UsageError(`--ratio takes a number strictly between 0 and 1, not '${v}'`);
  return r;
}

export async function runPrune(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { values: v, positionals } = parseArgs(argv, OPTIONS, pruneUsage);
  if (v.method === undefined) throw new UsageError(`--method unstructured|2:4|channels is required\nusage: ${pruneUsage}`);
  if (!(METHODS as readonly string[]).includes(v.method)) throw new UsageError(`--method must be one of ${METHODS.join(', ')}, not '${v.method}'\nusage: ${pruneUsage}`);
  const method = v.method as PruneMethod;
  // `-o "$OUT"` with OUT unset must not fall back to the default name silently.
  if (v.out !== undefined && v.out.trim() === '') throw new UsageError('-o takes a file name, not an empty string');
  let ratio = ratioOption(v.ratio);
  if (method === '2:4') {
    if (ratio !== undefined && ratio !== 0.5) throw new UsageError(`--method 2:4 zeroes 2 of every 4 weights: --ratio is 0.5 or left out, not '${v.ratio}'`);
    ratio = 0.5;
  } else if (ratio === undefined && v['target-cosine'] === undefined) {
    throw new UsageError(`--method ${method} needs --ratio R (the share of ${method === 'channels' ? 'output channels removed per layer' : 'weights zeroed'}, between 0 and 1), or --target-cosine X to choose per-layer ratios`);
  }
  if (v.scope !== undefined && method !== 'unstructured') throw new UsageError(`--scope is for --method unstructured only`);
  if (v.scope !== undefined && v.scope !== 'layer' && v.scope !== 'global') throw new UsageError(`--scope must be one of layer, global, not '${v.scope}'`);
  const targetCosine = numberOption(v['target-cosine'], 'target-cosine', { min: -1, max: 1 });
  // The flow takes (-1, 1]: a target of -1 is met by any model, a usage error rather than exit 2.
  if (targetCosine === -1) throw new UsageError(`--target-cosine takes a number above -1, at most 1, not '${v['target-cosine']}'`);
  const includeOps = prunedOpsOption('include-ops', v['include-ops']);
  const excludeOps = prunedOpsOption('exclude-ops', v['exclude-ops']);
  if (targetCosine !== undefined && v.scope === 'global') throw new UsageError('--target-cosine chooses a ratio per layer: it does not go with --scope global');
  return runTransformCommand(
    {
      kind: 'prune',
      input: positionals[0]!,
      output: v.out,
      validate: !!v.validate || !!v.json,
      evalDir: v.eval,
      calibDir: v.calib,
      threads: threadsOption(v.threads),
      prune: {
        method,
        // With a target the scan chooses per-unit ratios, trying those up to --ratio.
        ratio: ratio ?? SCAN_RATIOS.at(-1)!,
        scope: v.scope as 'layer' | 'global' | undefined,
        ...(includeOps.length ? { includeOps } : {}),
        excludeOps,
        excludeNodes: listOption(v['exclude-nodes']),
        targetCosine,
      },
    },
    !!v.json,
    out,
    err,
  );
}
