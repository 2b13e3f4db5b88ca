import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { GraphEditorProvider } from '../../src/extension/graph-editor';
import type { RenderInfo } from '../../src/protocol/messages';
import { until } from '../helpers/until';
import type { UiAction } from './ui-bridge';

export { until };

/** The source checkout (the bundled tests run from out/integration). */
export const ROOT = join(__dirname, '..', '..');

/** The running extension's graph editor provider (what activate() returns when ONNX_STUDIO_TEST_MODE is set). */
export async function graphEditor(): Promise<GraphEditorProvider> {
  const ext = vscode.extensions.getExtension<{ provider: GraphEditorProvider } | undefined>('onnx-studio.onnx-studio');
  if (!ext) throw new Error('onnx-studio.onnx-studio is not installed');
  const api = await ext.activate();
  if (!api) throw new Error('the extension exposes its editor to tests only: set ONNX_STUDIO_TEST_MODE (run.ts does)');
  return api.provider;
}

/** Opens `path` in the graph editor and waits for its first painted frame. */
export async function openGraph(path: string): Promise<{ uri: vscode.Uri; key: string; provider: GraphEditorProvider; info: RenderInfo }> {
  const provider = await graphEditor();
  const uri = vscode.Uri.file(path);
  const key = uri.toString();
  provider.rendered.delete(key);
  await vscode.commands.executeCommand('vscode.openWith', uri, 'onnxStudio.graph');
  const info = await until(`${path} to render`, () => provider.rendered.get(key), 90_000);
  return { uri, key, provider, info };
}

/** Acts in the workbench page through the runner's bridge (see ui-bridge.ts). */
export async function ui<T = null>(action: UiAction): Promise<T> {
  const url = process.env.ONNX_STUDIO_UI_BRIDGE;
  if (!url) throw new Error('no UI bridge: run these tests with out/integration/run.js (the code-server runner)');
  const answer = (await (await fetch(url, { method: 'POST', body: JSON.stringify(action) })).json()) as { result?: T; error?: string };
  if (answer.error !== undefined) throw new Error(`${action.action}: ${answer.error}`);
  return answer.result as T;
}

/** A fresh folder of this run (the extension host's TMPDIR lies in the runner's own folder). */
export const scratchFolder = (): string => mkdtempSync(join(tmpdir(), 'itest-'));

/** Runs a script of test/integration/python with Debian's python3 (python onnx and numpy: the reference). */
export function python(script: string, args: string[]): string {
  return execFileSync('/usr/bin/python3', [join(ROOT, 'test', 'integration', 'python', script), ...args], { maxBuffer: 256 << 20 }).toString();
}

/** Runs `command` while the test answers the quick inputs it opens (dialogs, quick picks), in order. */
export async function runAnswering(command: string, args: unknown[], answers: string[]): Promise<unknown> {
  const done = vscode.commands.executeCommand(command, ...args);
  for (const text of answers) await ui({ action: 'quickInput', text });
  return done;
}

/** What the extension's output channel shows (the Output view's document of that channel). */
export async function outputChannelText(name: string): Promise<string> {
  const doc = await until(`the ${name} output channel`, () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && decodeURIComponent(d.uri.toString()).includes(name)));
  return doc.getText();
}

/**
 * Waits for the model's first frame. The code-server runner sometimes answers a webview's own
 * script and stylesheet with HTTP 408 after 30 s when two webviews start together (here the
 * report view and the new model's editor; seen as Resource Timing entries with status 408):
 * such a page never runs, and one reload of the webview loads it.
 */
export async function renderedOnce(provider: GraphEditorProvider, uri: vscode.Uri): Promise<void> {
  const rendered = (): RenderInfo | undefined => provider.rendered.get(uri.toString());
  try {
    await until('the new model to render', rendered, 45_000);
  } catch {
    await vscode.commands.executeCommand('workbench.action.webview.reloadWebviewAction');
    await until('the new model to render after a reload of its webview', rendered, 60_000);
  }
}
