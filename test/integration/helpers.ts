import * as vscode from 'vscode';
import type { GraphEditorProvider } from '../../src/extension/graph-editor';

/** Polls until `probe` returns a value (bounded: tests never sleep blindly). */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The running extension's graph editor provider (what activate() returns when ONNX_STUDIO_TEST_MODE is set). */
export async function graphEditor(): Promise<GraphEditorProvider> {
  const ext = vscode.extensions.getExtension<{ provider: GraphEditorProvider } | undefined>('onnx-studio.onnx-studio');
  if (!ext) throw new Error('onnx-studio.onnx-studio is not installed');
  const api = await ext.activate();
  if (!api) throw new Error('the extension exposes its editor to tests only: set ONNX_STUDIO_TEST_MODE (run.ts does)');
  return api.provider;
}
