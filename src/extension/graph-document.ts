import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { ModelFileError, OnnxFormatError } from '../onnx/errors';
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
  const err = e as NodeJS.ErrnoException;
  const size = existsSync(path) ? safeSize(path) : 0;
  if (err.code === 'ENOENT') return { message: `${path} does not exist.`, readBytes: 0 };
  if (e instanceof OnnxFormatError) {
    const hint = /Git LFS pointer/.test(e.message)
      ? 'Run `git lfs pull` in the repository to fetch the real model.'
      : `The file is ${size.toLocaleString('en-US')} bytes; reading stopped at byte ${e.offset.toLocaleString('en-US')}. It may be truncated, or not an ONNX model.`;
    return { message: e.message, hint, readBytes: e.offset };
  }
  if (e instanceof ModelFileError) return { message: e.message, hint: 'The model refers to an external data file that is missing or refused.', readBytes: size };
  return { message: `Could not read ${path}: ${err.message}`, readBytes: 0 };
}

function safeSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
