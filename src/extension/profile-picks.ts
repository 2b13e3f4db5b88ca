// The quick picks of "Profile with ONNX Runtime": inputs (the quantize command's folder pick),
// optimization level, threads, warm-up and measured runs; and of "Compare Profiles…": the two
// profiles. The last answers are proposed first; each pick returns undefined when dismissed.
import { availableParallelism } from 'node:os';
import * as vscode from 'vscode';
import type { ProfileJson } from '../profiles/layer-profile';
import { DEFAULT_ORT_CHOICES, OPT_LEVELS, type OptLevel, type OrtProfileChoices } from './profile-args';
import { percent, profileLabel } from './profile-overlay';
import { pickFolder } from './static-picks';

const LAST_KEY = 'onnxStudio.profileChoices';
const INPUT_TEXTS = { placeHolder: 'Inputs to profile with', none: 'Synthesized inputs', noneDetail: 'Random inputs of the model’s input shapes (symbolic dims as 1)', noneFirst: true };
const LEVEL_DETAIL: Record<OptLevel, string> = {
  all: 'Every ONNX Runtime rewrite, layout changes (NCHWc) included: the time a deployment sees',
  extended: 'Fusions without layout changes',
  basic: 'Constant folding and redundant node removal only',
  disabled: 'The graph as written: one kernel per node',
};
const RUNS: { label: string; warmup: number; runs: number }[] = [
  { label: '3 warm-up, 20 measured', warmup: 3, runs: 20 },
  { label: '1 warm-up, 5 measured (quick)', warmup: 1, runs: 5 },
  { label: '10 warm-up, 100 measured', warmup: 10, runs: 100 },
];

type Item<T> = vscode.QuickPickItem & { value: T };

async function pick<T>(items: Item<T>[], placeHolder: string, last: T): Promise<T | undefined> {
  const ordered = [...items.filter((i) => i.value === last), ...items.filter((i) => i.value !== last)];
  return (await vscode.window.showQuickPick(ordered, { placeHolder, ignoreFocusOut: true }))?.value;
}

export async function pickOrtProfileChoices(state: vscode.Memento, model: vscode.Uri): Promise<OrtProfileChoices | undefined> {
  const last = state.get<OrtProfileChoices>(LAST_KEY, DEFAULT_ORT_CHOICES);
  const inputs = await pickFolder(state, model, INPUT_TEXTS);
  if (inputs === undefined) return undefined;
  const optLevel = await pick(OPT_LEVELS.map((l) => ({ label: l, detail: LEVEL_DETAIL[l], value: l })), 'ONNX Runtime graph optimization level', last.optLevel);
  if (!optLevel) return undefined;
  const cores = availableParallelism();
  const threadItems: Item<number>[] = [
    { label: '1 thread', detail: 'Single-threaded: stable figures that add up per node (the CLI’s default)', value: 1 },
    ...(cores > 1 ? [{ label: `${cores} threads`, detail: 'One per logical core', value: cores }] : []),
    { label: 'ONNX Runtime’s choice', detail: 'Intra-op threads 0: one per physical core', value: 0 },
  ];
  const threads = await pick(threadItems, 'Intra-op threads', last.threads ?? 1);
  if (threads === undefined) return undefined;
  const runs = await pick(RUNS.map((r) => ({ label: r.label, value: r })), 'Warm-up and measured runs (warm-up runs are not counted)', RUNS.find((r) => r.runs === last.runs && r.warmup === last.warmup) ?? RUNS[0]!);
  if (!runs) return undefined;
  const choices: OrtProfileChoices = { optLevel, threads, warmup: runs.warmup, runs: runs.runs, ...(inputs ? { inputs } : {}) };
  await state.update(LAST_KEY, { ...choices, inputs: undefined });
  return choices;
}

/** Indices into `list` (oldest first): the baseline, then the profile compared with it; the latest two proposed. */
export async function pickPair(list: readonly ProfileJson[]): Promise<[number, number] | undefined> {
  const items = list.map((p, i) => ({ label: `${i + 1}. ${profileLabel(p)}`, detail: `${p.totalTimeMs.toFixed(3)} ms per inference, ${percent(p.mappedShare)} mapped`, index: i })).reverse();
  const before = await vscode.window.showQuickPick(items.slice(1).concat(items.slice(0, 1)), { placeHolder: 'Before (the baseline)', ignoreFocusOut: true });
  if (!before) return undefined;
  const after = await vscode.window.showQuickPick(items.filter((i) => i.index !== before.index), { placeHolder: 'After (compared with the baseline)', ignoreFocusOut: true });
  return after ? [before.index, after.index] : undefined;
}
