import { parseArgs, UsageError } from './args';
import { imageOptionsFromFlags } from '../runtime/input-files';
import { STATIC_PRESETS } from '../optimize/static/presets';
import { CALIBRATION_METHODS } from '../optimize/static/ranges';
import { commonTransformOptions, listOption, numberOption, runTransformCommand, threadsOption, usage } from './transform-command';

export const quantizeUsage =
  'onnx-studio quantize MODEL --mode dynamic|static [--calib DIR] [--eval DIR] [--method minmax|entropy|percentile] [--preset tensorrt|cpu] [--per-channel|--per-tensor] [--reduce-range] [--include-ops OPS] [--exclude-ops OPS] [--exclude-nodes NAMES] [--target-cosine X] [--target-top1 X] [--image-size H,W] [--layout nchw|nhwc] [--mean a,b,c] [--std a,b,c] [--bgr] [--scale X] [--no-preprocess] [--trt-cache FILE] [--bias-correction|--no-bias-correction] [--validate] [-o OUT] [--json]   INT8 quantization';

const OPTIONS = {
  ...commonTransformOptions,
  mode: { type: 'string' },
  calib: { type: 'string' },
  method: { type: 'string' },
  preset: { type: 'string' },
  'per-channel': { type: 'boolean' },
  'per-tensor': { type: 'boolean' },
  'reduce-range': { type: 'boolean' },
  'include-ops': { type: 'string' },
  'exclude-ops': { type: 'string' },
  'exclude-nodes': { type: 'string' },
  'target-cosine': { type: 'string' },
  'target-top1': { type: 'string' },
  'image-size': { type: 'string' },
  layout: { type: 'string' },
  mean: { type: 'string' },
  std: { type: 'string' },
  bgr: { type: 'boolean' },
  scale: { type: 'string' },
  'no-preprocess': { type: 'boolean' },
  'trt-cache': { type: 'string' },
  'bias-correction': { type: 'boolean' },
  'no-bias-correction': { type: 'boolean' },
} as const;

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${what} must be one of ${allowed.join(', ')}, not '${value}'\nusage: ${quantizeUsage}`);
  return value as T;
}

export async function runQuantize(argv: string[], out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const { values: v, positionals } = parseArgs(argv, OPTIONS, quantizeUsage);
  const mode = oneOf(v.mode, ['dynamic', 'static'] as const, 'mode');
  if (!mode) throw new UsageError(`--mode dynamic|static is required\nusage: ${quantizeUsage}`);
  if (v['per-channel'] && v['per-tensor']) throw new UsageError('--per-channel and --per-tensor exclude each other');
  if (v['bias-correction'] && v['no-bias-correction']) throw new UsageError('--bias-correction and --no-bias-correction exclude each other');
  const staticOnly = ['calib', 'method', 'preset', 'target-cosine', 'target-top1', 'image-size', 'layout', 'mean', 'std', 'bgr', 'scale', 'trt-cache', 'bias-correction', 'no-bias-correction'] as const;
  if (mode === 'dynamic') for (const k of staticOnly) if (v[k] !== undefined) throw new UsageError(`--${k} is for --mode static`);
  return runTransformCommand(
    {
      kind: mode === 'dynamic' ? 'quantize-dynamic' : 'quantize-static',
      input: positionals[0]!,
      output: v.out,
      validate: !!v.validate || !!v.json,
      evalDir: v.eval,
      calibDir: v.calib,
      threads: threadsOption(v.threads),
      quantize: {
        method: oneOf(v.method, CALIBRATION_METHODS, 'method'),
        preset: oneOf(v.preset, STATIC_PRESETS, 'preset'),
        perChannel: v['per-channel'] ? true : v['per-tensor'] ? false : undefined,
        reduceRange: !!v['reduce-range'],
        includeOps: v['include-ops'] === undefined ? undefined : listOption(v['include-ops']),
        excludeOps: listOption(v['exclude-ops']),
        excludeNodes: listOption(v['exclude-nodes']),
        preprocess: !v['no-preprocess'],
        targetCosine: numberOption(v['target-cosine'], 'target-cosine', { min: -1, max: 1 }),
        targetTop1: numberOption(v['target-top1'], 'target-top1', { min: 0, max: 1 }),
        trtCache: v['trt-cache'],
        biasCorrection: v['bias-correction'] ? true : v['no-bias-correction'] ? false : undefined,
      },
      images: usage(() => imageOptionsFromFlags({ imageSize: v['image-size'], layout: v.layout, mean: v.mean, std: v.std, scale: v.scale, bgr: v.bgr })),
    },
    !!v.json,
    out,
    err,
  );
}
