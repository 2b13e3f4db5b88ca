// Browser tests of issue 11 (point 5) in a real VS Code: right-click a real model → Prune… →
// the quick picks → a progress notification → MODEL.pruned.onnx beside the input and the report
// view open, showing what the CLI saved; Cancel on the notification leaves no file; a model
// that must not be pruned (already quantized) gets the CLI's message and nothing is written.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Frame, Page } from 'playwright-core';
import type { TransformReport } from '../../src/optimize/report';
import { acceptPick, closeEditors, explorerCommand, openWorkbench, ROOT, screenshot, until, type Session } from './helpers';

const CLS = 'cls.onnx';
const RESNET = 'resnet18.onnx';
const QUANTIZED = 'quantized.int8.onnx';
const CLI = join(ROOT, 'dist', 'cli.js');

let s: Session;
let workspace: string;

before(async () => {
  // Copies (the pruned model is written beside its input), and an INT8 model made by our CLI.
  workspace = mkdtempSync(join(tmpdir(), 'prune-e2e-'));
  copyFileSync(join(ROOT, '.cache', 'corpus', 'ch_ppocr_mobile_v2.0_cls_infer.onnx'), join(workspace, CLS));
  copyFileSync(join(ROOT, '.cache', 'models', RESNET), join(workspace, RESNET));
  copyFileSync(join(workspace, CLS), join(workspace, 'quantized.onnx'));
  const q = spawnSync(process.execPath, [CLI, 'quantize', join(workspace, 'quantized.onnx'), '--mode', 'dynamic', '--json'], { encoding: 'utf8' });
  assert.equal(q.status, 0, q.stderr);
  rmSync(join(workspace, 'quantized.onnx'));
  s = await openWorkbench(workspace);
});
after(async () => {
  await s?.stop();
  rmSync(workspace, { recursive: true, force: true });
});

/** Right-click → Prune… → the picks: method, share (not for 2:4), no target. */
async function pruneFromExplorer(page: Page, file: string, method: string, share: string | undefined): Promise<void> {
  await explorerCommand(page, file, 'Prune');
  await acceptPick(page, 'Pruning method', method);
  if (share) await acceptPick(page, method === 'channels' ? 'Share of output channels removed per layer' : 'Share of weights zeroed', share);
  await acceptPick(page, 'Target output cosine (sensitivity scan)', 'No target');
}

/** The frame of the report view (the graph editor's webview is another frame). */
async function reportFrame(page: Page): Promise<Frame> {
  return until('the report view', async () => {
    for (const frame of page.frames()) if (await frame.locator('#report h1').count().catch(() => 0)) return frame;
    return undefined;
  }, 120_000);
}

const files = (): string[] => readdirSync(workspace).sort();

/** Error notifications (the progress toast shows the CLI's lines too: only the error icon tells a refusal). */
const errorToasts = (page: Page) => page.locator('.notification-toast:has(.codicon-error)');

test('right-click → Prune… (channels, 30 %): a progress notification, then MODEL.pruned.onnx beside the input and the report view with the CLI’s figures', async () => {
  const before = files();
  await pruneFromExplorer(s.page, CLS, 'channels', '30 %');
  const toast = s.page.locator('.notification-toast', { hasText: 'Pruning (channels, 30 %)' });
  await toast.first().waitFor({ timeout: 30_000 });
  await screenshot(s.page, 'prune-progress');
  const output = join(workspace, 'cls.pruned.onnx');
  const saved = join(workspace, 'cls.pruned.report.json');
  await until('the pruned model and its report', async () => {
    if (await errorToasts(s.page).count()) throw new Error(`an error notification: ${await errorToasts(s.page).first().locator(".notification-list-item-message").innerText()}`);
    return existsSync(output) && existsSync(saved) ? true : undefined;
  }, 300_000);
  const frame = await reportFrame(s.page);
  await frame.locator('[data-key="parametersAfter"]').waitFor({ timeout: 60_000 });
  const report = JSON.parse(readFileSync(saved, 'utf8')) as TransformReport;
  assert.equal(await frame.locator('#report h1').textContent(), 'Pruning');
  for (const key of ['parametersBefore', 'parametersAfter', 'sparsity'] as const) {
    assert.equal(JSON.parse((await frame.locator(`[data-key="${key}"]`).getAttribute('data-value'))!), report[key], key);
  }
  assert.equal(await frame.locator('[data-key^="prune.prunedLayers."][data-key$=".node"]').count(), report.prune!.prunedLayers.length);
  assert.ok(report.parametersAfter! < report.parametersBefore!, 'fewer parameters');
  // The new model opened in the graph editor beside the report.
  await s.page.locator('.tab', { hasText: 'cls.pruned.onnx' }).first().waitFor();
  await screenshot(s.page, 'prune-report');
  assert.deepEqual(files(), [...before, 'cls.pruned.onnx', 'cls.pruned.recipe.json', 'cls.pruned.report.json'].sort());
  await closeEditors(s.page);
});

test('Cancel on the progress notification (unstructured, 50 %, ResNet-18): the run ends and leaves no file', async () => {
  const before = files();
  await pruneFromExplorer(s.page, RESNET, 'unstructured', '50 %');
  const toast = s.page.locator('.notification-toast', { hasText: 'Pruning (unstructured, 50 %)' });
  await toast.first().waitFor({ timeout: 30_000 });
  await toast.first().getByRole('button', { name: 'Cancel' }).click();
  await s.page.locator('.notification-toast', { hasText: 'cancelled; nothing was written' }).first().waitFor({ timeout: 60_000 });
  await screenshot(s.page, 'prune-cancelled');
  assert.deepEqual(files(), before);
});

test('an already-quantized model: the CLI’s refusal in an error notification, nothing written', async () => {
  const cli = spawnSync(process.execPath, [CLI, 'prune', join(workspace, QUANTIZED), '--method', 'channels', '--ratio', '0.3', '--json'], { encoding: 'utf8' });
  assert.equal(cli.status, 2, cli.stderr);
  const message = cli.stderr.trim().split('\n').at(-1)!;
  const before = files();
  await pruneFromExplorer(s.page, QUANTIZED, 'channels', '30 %');
  await errorToasts(s.page).filter({ hasText: message.slice(0, 60) }).first().waitFor({ timeout: 60_000 });
  await screenshot(s.page, 'prune-refused');
  assert.deepEqual(files(), before);
});
