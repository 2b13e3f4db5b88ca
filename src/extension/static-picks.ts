// The quick picks of "Quantize (INT8, static)…": calibration data folder (recent ones for this
// model first, remembered in workspaceState), preset, method, and image preprocessing when the
// folder holds images. Each returns undefined when the user dismisses it (nothing runs then).
import * as vscode from 'vscode';
import { IMAGE_PRESETS, type CalibrationMethod, type ImagePreprocessing, type QuantizePreset, type StaticChoices } from './transform-args';
import { staticDefaults } from './transform-settings';

const RECENT_LIMIT = 5;
const recentKey = (model: vscode.Uri): string => `onnxStudio.calibrationFolders:${model.toString()}`;
const IMAGE_EXTENSIONS = /\.(png|jpe?g)$/i;

/** Calibration folders used for this model, most recent first. */
export function recentCalibrationFolders(state: vscode.Memento, model: vscode.Uri): string[] {
  return state.get<string[]>(recentKey(model), []);
}

export async function rememberCalibrationFolder(state: vscode.Memento, model: vscode.Uri, folder: string): Promise<void> {
  const recent = recentCalibrationFolders(state, model).filter((f) => f !== folder);
  await state.update(recentKey(model), [folder, ...recent].slice(0, RECENT_LIMIT));
}

export type Pick<T> = vscode.QuickPickItem & { value: T };

/** A quick pick of values; undefined when dismissed. */
export async function pick<T>(items: Pick<T>[], placeHolder: string): Promise<T | undefined> {
  return (await vscode.window.showQuickPick(items, { placeHolder, ignoreFocusOut: true, matchOnDetail: true }))?.value;
}

/** First the setting's (or the last) choice, then the rest in their order. */
export const settingFirst = <T>(items: Pick<T>[], value: T): Pick<T>[] => [...items.filter((i) => i.value === value), ...items.filter((i) => i.value !== value)];

export async function pickStaticChoices(state: vscode.Memento, model: vscode.Uri): Promise<StaticChoices | undefined> {
  const calib = await pickFolder(state, model);
  if (calib === undefined) return undefined;
  const defaults = staticDefaults(model);
  const preset = await pick(
    settingFirst<QuantizePreset>(
      [
        { label: 'cpu', detail: 'ONNX Runtime on CPU: uint8 asymmetric activations, int32 bias', value: 'cpu' },
        { label: 'tensorrt', detail: 'TensorRT: int8 symmetric activations (zero points 0), float bias', value: 'tensorrt' },
      ],
      defaults.preset,
    ),
    'Preset',
  );
  if (!preset) return undefined;
  const method = await pick(
    settingFirst<CalibrationMethod | 'preset'>(
      [
        { label: 'preset default', detail: `The method the ${preset} preset states`, value: 'preset' },
        { label: 'minmax', detail: 'Min and max of the calibration activations', value: 'minmax' },
        { label: 'entropy', detail: 'Entropy (KL divergence) over histograms', value: 'entropy' },
        { label: 'percentile', detail: 'A high percentile of each histogram', value: 'percentile' },
      ],
      defaults.method,
    ),
    'Calibration method',
  );
  if (!method) return undefined;
  const choices: StaticChoices = { preset, ...(method !== 'preset' ? { method } : {}), ...(calib ? { calib } : {}) };
  if (calib && (await holdsImages(calib))) {
    const images = await pickImagePreprocessing(defaults.images);
    if (!images) return undefined;
    choices.images = images;
  }
  return choices;
}

const CALIBRATION_TEXTS = { placeHolder: 'Calibration data folder', none: 'No calibration data', noneDetail: 'Synthesized inputs: the ranges (and the report) will say little about real inputs', noneFirst: false };

/** A folder path, '' for no data (synthesized inputs), undefined when dismissed; `texts` for other uses than calibration (profiling). */
export async function pickFolder(state: vscode.Memento, model: vscode.Uri, texts = CALIBRATION_TEXTS): Promise<string | undefined> {
  const none: Pick<string> = { label: texts.none, detail: texts.noneDetail, value: '' };
  const items: Pick<string | 'browse'>[] = [
    ...(texts.noneFirst ? [none] : []),
    ...recentCalibrationFolders(state, model).map((f) => ({ label: vscode.workspace.asRelativePath(f), detail: f, description: 'recent for this model', value: f })),
    { label: 'Browse…', detail: 'A folder of .npy or .pb files, of images, or one subfolder per sample', value: 'browse' },
    ...(texts.noneFirst ? [] : [none]),
  ];
  const chosen = await pick(items, texts.placeHolder);
  if (chosen !== 'browse') return chosen;
  const folder = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, defaultUri: vscode.Uri.joinPath(model, '..') });
  return folder?.[0]?.fsPath;
}

async function holdsImages(folder: string): Promise<boolean> {
  try {
    return (await vscode.workspace.fs.readDirectory(vscode.Uri.file(folder))).some(([name, type]) => type === vscode.FileType.File && IMAGE_EXTENSIONS.test(name));
  } catch {
    return false; // the CLI names what is wrong with the folder
  }
}

async function pickImagePreprocessing(fromSettings: ImagePreprocessing): Promise<ImagePreprocessing | undefined> {
  const describe = (p: Omit<ImagePreprocessing, 'size'>): string =>
    `${p.bgr ? 'BGR' : 'RGB'}, ×${+p.scale.toPrecision(4)}, mean ${p.mean || 'none'}, std ${p.std || 'none'}, ${p.layout.toUpperCase()}`;
  return pick(
    [
      { label: 'From settings', detail: `${describe(fromSettings)}${fromSettings.size ? `, ${fromSettings.size}` : ''} (onnxStudio.quantize.image.*)`, value: fromSettings },
      ...IMAGE_PRESETS.map((p) => ({ label: p.label, detail: p.detail, value: { ...p.values, size: fromSettings.size } })),
    ],
    'Image preprocessing (size: the model input’s, unless onnxStudio.quantize.image.size says)',
  );
}
