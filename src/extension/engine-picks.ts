// The quick picks of "Build TensorRT Engine…": precision (what the installed trtexec takes),
// min/opt/max shapes for symbolic input dims, workspace pool, timing cache, DLA core, profiling
// exports. The last choices for a model are remembered in workspaceState and proposed first.
// Each step returns undefined when dismissed (nothing runs then).
import * as vscode from 'vscode';
import type { BuildProbeJson } from '../cli/build';
import { checkPoolSpec, checkShapeSpec } from '../toolchains/trtexec-flags';
import type { EngineBuildChoices, ShapeRanges } from './engine-build-args';

const choicesKey = (model: vscode.Uri): string => `onnxStudio.engineBuild:${model.toString()}`;

/** On TensorRT 11 (strongly typed only) the precision comes from the model: convert it first. */
export type PrecisionPick = EngineBuildChoices['precision'] | 'convert-fp16' | 'quantize-int8';

/**
 * What is remembered per model: the pick itself, so a model last converted first is proposed the
 * conversion again (remembering `typed` would build the unconverted model next time).
 */
export type RememberedEngineChoices = Omit<EngineBuildChoices, 'precision'> & { precision: PrecisionPick };

export function rememberedEngineChoices(state: vscode.Memento, model: vscode.Uri): RememberedEngineChoices | undefined {
  return state.get<RememberedEngineChoices>(choicesKey(model));
}

export async function rememberEngineChoices(state: vscode.Memento, model: vscode.Uri, choices: RememberedEngineChoices): Promise<void> {
  await state.update(choicesKey(model), choices);
}

type Item<T> = vscode.QuickPickItem & { value: T };

const PRECISIONS: Record<EngineBuildChoices['precision'], string> = {
  fp32: 'No precision flag: FP32 kernels (TF32 where the GPU has it, trtexec’s default)',
  fp16: 'FP16 where faster (--fp16)',
  int8: 'INT8 where faster (--int8): calibration from the model’s Q/DQ nodes',
  best: 'Every precision TensorRT has (--best)',
  typed: 'Strongly typed: each tensor in the model’s own type (--stronglyTyped)',
};

/** The precisions this trtexec takes, the remembered one first; on TensorRT 11 the conversions too. */
export async function pickPrecision(probe: BuildProbeJson, remembered?: RememberedEngineChoices): Promise<PrecisionPick | undefined> {
  const items: Item<PrecisionPick>[] = probe.precisions.map((p) => ({
    label: p,
    detail: probe.stronglyTypedOnly && p === 'typed' ? 'The precision the model’s tensors have (TensorRT 11 builds strongly typed networks only)' : PRECISIONS[p],
    value: p,
  }));
  if (probe.stronglyTypedOnly) {
    items.push(
      { label: 'Convert to FP16 first', detail: 'Runs "Convert to FP16", then builds the FP16 model strongly typed', value: 'convert-fp16' },
      { label: 'Quantize INT8 (static, tensorrt preset) first', detail: 'Runs "Quantize (INT8, static)" with the tensorrt preset, then builds the Q/DQ model', value: 'quantize-int8' },
    );
  }
  for (const item of items) if (item.value === remembered?.precision) item.description = 'last used for this model';
  const ordered = [...items.filter((i) => i.value === remembered?.precision), ...items.filter((i) => i.value !== remembered?.precision)];
  const version = probe.tensorrtVersion ? `TensorRT ${probe.tensorrtVersion}` : 'trtexec';
  return (await vscode.window.showQuickPick(ordered, { placeHolder: `Precision (${version})`, ignoreFocusOut: true, matchOnDetail: true }))?.value;
}

/** The placeholders name each step (the integration test waits for them). */
export const ENGINE_STEP = {
  min: 'Minimum shapes (--minShapes)',
  opt: 'Optimization shapes (--optShapes)',
  max: 'Maximum shapes (--maxShapes)',
  workspace: 'Workspace pool size, e.g. 1024M (--memPoolSize=workspace:…); empty: trtexec’s default',
  timingCache: 'Timing cache file (--timingCacheFile), read and updated; empty: none',
  dla: 'DLA core number (--useDLACore); empty: the GPU only',
  profile: 'Export layer info and profile for the profile view?',
  sparsity: 'The model holds 2:4-sparse weights: let TensorRT use sparse tensor cores?',
};

async function ask(placeHolder: string, value: string, validate: (v: string) => string | undefined): Promise<string | undefined> {
  const answer = await vscode.window.showInputBox({ placeHolder, prompt: placeHolder, value, ignoreFocusOut: true, validateInput: (v) => (v.trim() ? validate(v.trim()) : undefined) });
  return answer?.trim();
}

/** min, opt and max specs, each checked as trtexec reads them; required (a dynamic model needs all three). */
export async function pickShapes(proposed: ShapeRanges): Promise<ShapeRanges | undefined> {
  const shapes: Partial<ShapeRanges> = {};
  for (const which of ['min', 'opt', 'max'] as const) {
    const answer = await ask(ENGINE_STEP[which], proposed[which], checkShapeSpec);
    if (!answer) return undefined;
    shapes[which] = answer;
  }
  return shapes as ShapeRanges;
}

/** For a model with 2:4-sparse layers: let TensorRT use sparse tensor cores (the remembered answer first). */
export async function pickSparsity(layers: number, remembered?: RememberedEngineChoices): Promise<'enable' | 'disable' | undefined> {
  const items: Item<'enable' | 'disable'>[] = [
    { label: 'Enable sparse tactics (--sparsity=enable)', detail: `${layers} layer(s) hold 2:4-sparse weights: TensorRT may run them on sparse tensor cores (Ampere or later)`, value: 'enable' },
    { label: 'Build dense (--sparsity=disable)', detail: 'TensorRT’s default: the zeros are multiplied like any weight', value: 'disable' },
  ];
  const ordered = remembered?.sparsity === 'disable' ? [...items].reverse() : items;
  return (await vscode.window.showQuickPick(ordered, { placeHolder: ENGINE_STEP.sparsity, ignoreFocusOut: true }))?.value;
}

/** Workspace, timing cache, DLA core, profiling: '' answers mean "not set". */
export async function pickBuildOptions(probe: BuildProbeJson, remembered?: RememberedEngineChoices): Promise<Omit<EngineBuildChoices, 'precision' | 'shapes'> | undefined> {
  const workspace = await ask(ENGINE_STEP.workspace, remembered?.workspace ?? '', (v) => checkPoolSpec(`workspace:${v}`, probe.memoryPools));
  if (workspace === undefined) return undefined;
  const timingCache = await ask(ENGINE_STEP.timingCache, remembered?.timingCache ?? '', () => undefined);
  if (timingCache === undefined) return undefined;
  let dla = '';
  if (probe.dla) {
    const answer = await ask(ENGINE_STEP.dla, remembered?.dlaCore === undefined ? '' : String(remembered.dlaCore), (v) => (/^\d+$/.test(v) ? undefined : `'${v}' is not a core number (0, 1, …)`));
    if (answer === undefined) return undefined;
    dla = answer;
  }
  const items: Item<boolean>[] = [
    { label: 'Build only', detail: 'The engine and its build log', value: false },
    { label: 'Build and export the profile', detail: '--exportLayerInfo, --exportProfile, --exportTimes with --profilingVerbosity=detailed', value: true },
  ];
  const profile = (await vscode.window.showQuickPick(remembered?.profile ? [...items].reverse() : items, { placeHolder: ENGINE_STEP.profile, ignoreFocusOut: true }))?.value;
  if (profile === undefined) return undefined;
  return { profile, ...(workspace ? { workspace } : {}), ...(timingCache ? { timingCache } : {}), ...(dla ? { dlaCore: Number(dla) } : {}) };
}
