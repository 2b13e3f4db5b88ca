// The quick picks of "Prune…": method (the last one first); the share pruned (not for 2:4); an
// optional target cosine (the sensitivity scan) with its calibration folder. Returns undefined
// when one is dismissed (nothing runs). The CLI validates every run the editor starts (--json).
import * as vscode from 'vscode';
import { needsRatio, parseRatio, parseTargetCosine, PRUNE_METHODS, ratioItems, TARGET_COSINES, type PruneChoices, type PruneMethod } from './prune-args';
import { pick, pickFolder, settingFirst, type Pick } from './static-picks';
import { pruneSettings } from './transform-settings';

const LAST_KEY = 'onnxStudio.pruneMethod';
const OTHER = 'other';
const SCAN_DATA_TEXTS = { placeHolder: 'Calibration data for the sensitivity scan', none: 'No calibration data', noneDetail: 'Synthesized inputs: the scan’s cosines say little about real inputs', noneFirst: false };

/** The reason a typed value is refused, for an input box's validateInput. */
const refusal = (parsed: number | string): string | undefined => (typeof parsed === 'string' ? parsed : undefined);

export async function pickPruneChoices(state: vscode.Memento, model: vscode.Uri): Promise<PruneChoices | undefined> {
  const method = await pick(settingFirst<PruneMethod>(PRUNE_METHODS.map((m) => ({ label: m.method, detail: m.detail, value: m.method })), state.get<PruneMethod>(LAST_KEY, 'channels')), 'Pruning method');
  if (!method) return undefined;
  const choices: PruneChoices = { method };
  if (needsRatio(method)) {
    const ratio = await pickRatio(method, model);
    if (ratio === undefined) return undefined;
    choices.ratio = ratio;
  }
  const target = await pickTargetCosine();
  if (target === undefined) return undefined;
  if (target !== null) {
    choices.targetCosine = target;
    const calib = await pickFolder(state, model, SCAN_DATA_TEXTS);
    if (calib === undefined) return undefined;
    if (calib) choices.calib = calib;
  }
  await state.update(LAST_KEY, method);
  return choices;
}

async function pickRatio(method: PruneMethod, model: vscode.Uri): Promise<number | undefined> {
  const what = method === 'channels' ? 'Share of output channels removed per layer' : 'Share of weights zeroed';
  const items: Pick<number | typeof OTHER>[] = [...ratioItems(method, pruneSettings(model)), { label: 'Other…', detail: 'Type a share between 0 and 1', value: OTHER }];
  const ratio = await pick(items, what);
  if (ratio !== OTHER) return ratio;
  const typed = await vscode.window.showInputBox({ prompt: what, placeHolder: '0.35 or 35 %', ignoreFocusOut: true, validateInput: (t) => refusal(parseRatio(t)) });
  return typed === undefined ? undefined : (parseRatio(typed) as number);
}

/** null: no target (a uniform ratio); undefined: dismissed. */
async function pickTargetCosine(): Promise<number | null | undefined> {
  const items: Pick<number | null | typeof OTHER>[] = [
    { label: 'No target', detail: 'Prune every layer at the chosen share', value: null },
    ...TARGET_COSINES.map((c) => ({ label: String(c), detail: `Scan each layer at shares up to the one chosen; per-layer shares that keep the output cosine ≥ ${c} (slower)`, value: c })),
    { label: 'Other…', detail: 'Type a target cosine', value: OTHER },
  ];
  const target = await pick(items, 'Target output cosine (sensitivity scan)');
  if (target !== OTHER) return target;
  const typed = await vscode.window.showInputBox({ prompt: 'Target output cosine', placeHolder: '0.95', ignoreFocusOut: true, validateInput: (t) => refusal(parseTargetCosine(t)) });
  return typed === undefined ? undefined : (parseTargetCosine(typed) as number);
}
