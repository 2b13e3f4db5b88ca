// Workspace trust (issue 9 point 7): in an untrusted workspace no external tool (trtexec,
// Polygraphy) runs; the command says why and offers the trust action. Our own CLI (trt-check,
// the transforms) runs no foreign program and keeps working.
import * as vscode from 'vscode';

/** The message shown (with the trust action) when `tool` must not run in this workspace; undefined when it may. */
export function refuseUntrusted(tool: string, what: string): string | undefined {
  if (vscode.workspace.isTrusted) return undefined;
  const manage = 'Manage Workspace Trust';
  const message = `ONNX Studio: "${what}" runs ${tool}, an external program, and this workspace is not trusted, so nothing was run. To run it, trust the workspace (${manage}).`;
  void vscode.window.showWarningMessage(message, manage).then((choice) => choice === manage && vscode.commands.executeCommand('workbench.trust.manage'));
  return message;
}
