// Workspace trust (issue 9 point 7): in an untrusted workspace no external tool (trtexec,
// Polygraphy) runs; the command says why and offers the trust action. Our own CLI (trt-check,
// the transforms) runs no foreign program and keeps working.
import * as vscode from 'vscode';

/** True (and a message with the trust action) when `tool` must not run in this workspace. */
export function refuseUntrusted(tool: string, what: string): boolean {
  if (vscode.workspace.isTrusted) return false;
  const manage = 'Manage Workspace Trust';
  void vscode.window
    .showWarningMessage(`ONNX Studio: ${what} runs ${tool}, an external program, and this workspace is not trusted, so nothing was run. Trust the workspace (${manage}) to ${what.toLowerCase()}.`, manage)
    .then((choice) => choice === manage && vscode.commands.executeCommand('workbench.trust.manage'));
  return true;
}
