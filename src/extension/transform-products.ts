import * as vscode from 'vscode';

const exists = (path: string): Thenable<boolean> => vscode.workspace.fs.stat(vscode.Uri.file(path)).then(() => true, () => false);

/**
 * The files a run may write that are not there yet. A run cancelled after the CLI renamed its
 * output into place (while it measured) leaves a whole model: cancel removes those, so a
 * cancelled run leaves nothing, and never touches a file that was there before.
 */
export async function newProducts(products: string[]): Promise<() => Promise<string[]>> {
  const before = await Promise.all(products.map(exists));
  const fresh = products.filter((_, i) => !before[i]);
  return async () => {
    const removed: string[] = [];
    for (const path of fresh) {
      if (!(await exists(path))) continue;
      await vscode.workspace.fs.delete(vscode.Uri.file(path));
      removed.push(path);
    }
    return removed;
  };
}
