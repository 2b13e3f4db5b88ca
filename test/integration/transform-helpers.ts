// What the transform tests (quantize, fp16, prune) share: the extension's test API, its own CLI
// run as a user would, a model copied into a folder of its own, and the files a run left.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { GraphEditorProvider } from '../../src/extension/graph-editor';
import type { ReportViews } from '../../src/extension/report-view';
import type { TransformCommands } from '../../src/extension/transform-commands';
import type { TransformReport } from '../../src/optimize/report';
import type { RenderedReport } from '../../src/protocol/report-view';

export const EXTENSION_ID = 'onnx-studio.onnx-studio';
export const CLS = 'ch_ppocr_mobile_v2.0_cls_infer.onnx';
/** A corpus model in the workspace folder (run.ts opens .cache/corpus). */
export const corpus = (name: string): string => join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, name);

export interface Api {
  provider: GraphEditorProvider;
  reports: ReportViews;
  transforms: TransformCommands;
}

export async function api(): Promise<Api> {
  const ext = vscode.extensions.getExtension<Api | undefined>(EXTENSION_ID);
  const exported = await ext?.activate();
  if (!exported) throw new Error(`${EXTENSION_ID} is not installed or not in test mode`);
  return exported;
}

/** The CLI of the extension under test (the installed one in the --vsix run), run as a user would. */
export function cli(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const script = join(vscode.extensions.getExtension(EXTENSION_ID)!.extensionPath, 'dist', 'cli.js');
  const r = spawnSync(process.execPath, [script, ...args], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, maxBuffer: 64 << 20 });
  return { code: r.status, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}

/** The CLI's one-line messages on stderr (what the extension shows for a refusal). */
export const cliMessageLines = (stderr: string): string => stderr.trim().split('\n').filter((l) => l.startsWith('onnx-studio')).join('\n');

/** The model in a folder of its own (the CLI writes MODEL.int8.onnx beside it). */
export function copyInto(dir: string, sub: string, name: string, from = corpus(CLS)): string {
  mkdirSync(join(dir, sub), { recursive: true });
  const path = join(dir, sub, name);
  copyFileSync(from, path);
  return path;
}

/** The tab showing `path` in the graph editor, with its group. */
export function graphTab(path: string): { tab: vscode.Tab; group: vscode.TabGroup } | undefined {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) if (tab.input instanceof vscode.TabInputCustom && tab.input.viewType === 'onnxStudio.graph' && tab.input.uri.fsPath === path) return { tab, group };
  }
  return undefined;
}

/** Files a transform left in `dir` besides `keep`: outputs and temp files. */
export const leftovers = (dir: string, keep: string[]): string[] => readdirSync(dir).filter((f) => !keep.includes(f));

/** Every figure the page shows, by key, against the JSON report: exact values. */
export function assertShows(rendered: RenderedReport, report: TransformReport, what: { latency: boolean }): void {
  const want: Record<string, unknown> = { sizeBefore: report.sizeBefore, sizeAfter: report.sizeAfter, nodesAdded: report.nodesAdded, nodesChanged: report.nodesChanged };
  report.outputs.forEach((o, i) => {
    for (const k of ['cosine', 'meanCosine', 'snrDb', 'meanSnrDb', 'maxAbsError'] as const) want[`outputs.${i}.${k}`] = o[k];
    if (o.top1Agreement !== undefined) want[`outputs.${i}.top1Agreement`] = o.top1Agreement;
  });
  if (what.latency && report.latencyMs) for (const when of ['before', 'after'] as const) for (const k of ['median', 'p90'] as const) want[`latencyMs.${when}.${k}`] = report.latencyMs[when][k];
  for (const [key, value] of Object.entries(want)) {
    const cell = rendered.cells[key];
    assert.ok(cell, `the view shows ${key}`);
    // JSON round trip: the CLI's Infinity (SNR of identical outputs) is null in its JSON.
    assert.deepEqual(JSON.parse(cell.value), JSON.parse(JSON.stringify(value)), key);
  }
  report.outputs.forEach((o, i) => assert.equal(rendered.cells[`outputs.${i}.name`]?.text, o.name));
  assert.equal(rendered.cells.output?.text, report.output);
  assert.equal(Object.keys(rendered.cells).filter((k) => k.startsWith('keptFloat.')).length, report.keptFloat.length);
}
