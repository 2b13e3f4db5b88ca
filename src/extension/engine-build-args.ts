// "Build TensorRT Engine…": the choices of its quick picks and the CLI argv they make, and the
// min/opt/max shapes proposed for a model's symbolic input dims. No VS Code here (unit-tested).
import type { ValueSummary } from '../analysis/summary';
import type { EnginePrecision } from '../toolchains/trtexec-build';

export interface ShapeRanges {
  /** trtexec shape specs (`input:1x3x224x224,mask:1x128`), as --minShapes/--optShapes/--maxShapes take them. */
  min: string;
  opt: string;
  max: string;
}

export interface EngineBuildChoices {
  precision: EnginePrecision;
  /** Absent for a model whose inputs are all static. */
  shapes?: ShapeRanges;
  /** The workspace pool size (`1024M`), `--memPoolSize=workspace:SIZE`; absent: trtexec's default. */
  workspace?: string;
  /** `--timingCacheFile`: read when present, written after the build. */
  timingCache?: string;
  /** `--useDLACore=N` (with GPU fallback for the layers DLA cannot run). */
  dlaCore?: number;
  /** Export layer info, profile and times for the profile view (the CLI's --profile). */
  profile: boolean;
  /** `--sparsity=…` (offered for a model with 2:4-sparse weights); absent: the CLI's choice (enable for such a model). */
  sparsity?: 'enable' | 'disable';
}

/** `onnx-studio build …` argv (without the program) for the choices; `trtexec` from the setting, when set. */
export function engineBuildArgv(model: string, choices: EngineBuildChoices, trtexec?: string): string[] {
  const argv = ['build', model, '--json', '--precision', choices.precision];
  if (choices.profile) argv.push('--profile');
  if (trtexec) argv.push('--trtexec', trtexec);
  const options: string[] = [];
  if (choices.shapes) options.push(`--minShapes=${choices.shapes.min}`, `--optShapes=${choices.shapes.opt}`, `--maxShapes=${choices.shapes.max}`);
  if (choices.workspace) options.push(`--memPoolSize=workspace:${choices.workspace}`);
  if (choices.timingCache) options.push(`--timingCacheFile=${choices.timingCache}`);
  if (choices.dlaCore !== undefined) options.push(`--useDLACore=${choices.dlaCore}`, '--allowGPUFallback');
  if (choices.sparsity) options.push(`--sparsity=${choices.sparsity}`);
  return options.length ? [...argv, '--', ...options] : argv;
}

/** `onnx-studio build --probe --json` argv. */
export function engineProbeArgv(trtexec?: string): string[] {
  return ['build', '--probe', '--json', ...(trtexec ? ['--trtexec', trtexec] : [])];
}

/**
 * Proposed ranges for the inputs with a symbolic or unknown dim; undefined when every input is
 * static (trtexec then needs no shapes). A batch axis (0) gets 1/1/8, the spatial axes of an
 * NCHW image input (1 or 3 channels) 32/224/1024, any other axis 1/64/512: a start to edit.
 * Inputs of unknown rank cannot be proposed and are left out.
 */
export function proposeShapeRanges(inputs: readonly Pick<ValueSummary, 'name' | 'shape'>[]): ShapeRanges | undefined {
  const dynamic = inputs.filter((i) => i.shape?.some((d) => typeof d !== 'number'));
  if (!dynamic.length) return undefined;
  const spec = (which: 0 | 1 | 2): string =>
    dynamic
      .map((input) => {
        const shape = input.shape!;
        const image = shape.length === 4 && (shape[1] === 1 || shape[1] === 3);
        const dims = shape.map((d, axis) => {
          if (typeof d === 'number') return d;
          const range = axis === 0 ? [1, 1, 8] : image ? [32, 224, 1024] : [1, 64, 512];
          return range[which]!;
        });
        return `${specName(input.name)}:${dims.length ? dims.join('x') : 'scalar'}`;
      })
      .join(',');
  return { min: spec(0), opt: spec(1), max: spec(2) };
}

/** A name with `,` or `:` in it is quoted, as trtexec's shape syntax allows (`'input:0':1x3`). */
function specName(name: string): string {
  return /[,:']/.test(name) ? `'${name}'` : name;
}
