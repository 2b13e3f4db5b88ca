import { basename } from 'node:path';
import * as vscode from 'vscode';
import { describeFileProblem } from '../onnx/io/open-errors';
import { inferModel, type InferenceResult } from '../onnx/infer/infer';
import type { Model } from '../onnx/model/graph';
import { openModel } from '../onnx/open';

/** An opened .onnx file: the model and its inference, or why it could not be read. */
export class GraphDocument implements vscode.CustomDocument {
  model?: Model;
  inference?: InferenceResult;
  error?: { message: string; hint?: string; readBytes: number };
  /** Problems that leave the graph viewable, e.g. a missing external data file. */
  warnings: string[] = [];
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires after the file changed on disk and was read again. */
  readonly onDidReload = this.changed.event;
  private readonly watcher: vscode.FileSystemWatcher;

  constructor(readonly uri: vscode.Uri) {
    this.load();
    this.watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.joinPath(uri, '..'), basename(uri.fsPath)));
    const reload = (): void => {
      this.load();
      this.changed.fire();
    };
    this.watcher.onDidChange(reload);
    this.watcher.onDidCreate(reload);
  }

  private load(): void {
    this.model?.close();
    this.model = this.inference = this.error = undefined;
    const path = this.uri.fsPath;
    try {
      this.model = openModel(path);
      this.inference = inferModel(this.model);
      this.warnings = externalDataProblems(this.model);
    } catch (e) {
      this.error = describeOpenError(path, e);
    }
  }

  dispose(): void {
    this.watcher.dispose();
    this.changed.dispose();
    this.model?.close();
  }
}

/** External data files that are missing or refused (each named once); the graph still shows. */
function externalDataProblems(model: Model): string[] {
  const problems = new Set<string>();
  for (const g of model.graphs()) {
    for (const t of g.initializers) {
      if (!t.isExternal) continue;
      try {
        t.validate();
      } catch (e) {
        problems.add((e as Error).message);
      }
    }
  }
  return [...problems].slice(0, 20);
}

/** A user-facing explanation of why a file did not open, with what was read. */
export function describeOpenError(path: string, e: unknown): { message: string; hint?: string; readBytes: number } {
  return describeFileProblem(path, e) ?? { message: `Could not read ${path}: ${(e as Error).message}`, readBytes: 0 };
}
