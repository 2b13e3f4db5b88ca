import * as vscode from 'vscode';
import { EngineBuildCommand } from './engine-build-command';
import { GRAPH_EDITOR_VIEW_TYPE, GraphEditorProvider } from './graph-editor';
import { GraphOutline } from './graph-outline';
import { readModelSummary } from './model-summary';
import { PolygraphyLintCommand } from './polygraphy-lint-command';
import { ProfileCommands } from './profile-commands';
import { paintReportOverlays } from './report-overlays';
import { ReportViews } from './report-view';
import { TensorRtCheckCommand } from './tensorrt-check-command';
import { activateTextLanguage } from './text-language';
import { TransformCommands } from './transform-commands';
import type { TransformReport } from '../optimize/report';

/** Activation: the graph editor for .onnx files and the commands around it. */
export function activate(context: vscode.ExtensionContext): { provider: GraphEditorProvider; reports: ReportViews; transforms: TransformCommands; tensorrt: TensorRtCheckCommand; engines: EngineBuildCommand; profiles: ProfileCommands } | undefined {
  const output = vscode.window.createOutputChannel('ONNX Studio');
  const provider = new GraphEditorProvider(context);
  const outline = new GraphOutline(provider, activeGraphUri);
  context.subscriptions.push(
    output,
    vscode.window.registerCustomEditorProvider(GRAPH_EDITOR_VIEW_TYPE, provider, { supportsMultipleEditorsPerDocument: false }),
    vscode.commands.registerCommand('onnxStudio.openGraph', (uri?: vscode.Uri) => {
      const target = uri ?? activeGraphUri();
      if (target) return vscode.commands.executeCommand('vscode.openWith', target, GRAPH_EDITOR_VIEW_TYPE);
      return vscode.window.showErrorMessage('ONNX Studio: choose an .onnx file to open as a graph.');
    }),
    vscode.commands.registerCommand('onnxStudio.goToNode', () => goToNode(provider)),
    vscode.commands.registerCommand('onnxStudio.revealNode', (uri: vscode.Uri, nodeId: string) => provider.reveal(uri, nodeId)),
    vscode.window.registerTreeDataProvider('onnxStudio.graphOutline', outline),
    vscode.window.tabGroups.onDidChangeTabs(() => outline.refresh()),
    vscode.commands.registerCommand('onnxStudio.inspect', (uri?: vscode.Uri) => inspect(uri ?? activeGraphUri(), output, vscode.Uri.joinPath(context.extensionUri, 'dist', 'model-worker.js').fsPath)),
  );
  activateTextLanguage(context, output);
  const reports = new ReportViews(context.extensionUri);
  const transforms = new TransformCommands(context, output, reports, activeGraphUri, provider);
  const tensorrt = new TensorRtCheckCommand(context, output, provider, activeGraphUri);
  // trtexec's and Polygraphy's logs are long: a channel of their own.
  const toolOutput = vscode.window.createOutputChannel('ONNX Studio: TensorRT');
  context.subscriptions.push(toolOutput);
  const engines = new EngineBuildCommand(context, toolOutput, activeGraphUri);
  new PolygraphyLintCommand(context, toolOutput, activeGraphUri);
  const profiles = new ProfileCommands(context, output, provider, activeGraphUri);
  context.subscriptions.push(
    // A saved report (MODEL.int8.report.json, the CLI writes it next to its output), or a report object.
    vscode.commands.registerCommand('onnxStudio.showTransformReport', (report: TransformReport | vscode.Uri) => showReport(reports, report, provider)),
    vscode.commands.registerCommand('onnxStudio.clearOverlay', (uri?: vscode.Uri) => clearOverlay(provider, uri instanceof vscode.Uri ? uri : activeGraphUri())),
  );
  void reopenAsGraphs();
  // The integration tests (run.ts sets ONNX_STUDIO_TEST_MODE) read the editor's state; nobody else can.
  return process.env.ONNX_STUDIO_TEST_MODE ? { provider, reports, transforms, tensorrt, engines, profiles } : undefined;
}

/**
 * Models opened before this extension was ready (a file named in the URL, a restored window)
 * show VS Code's "binary file" text editor: reopen them in the graph editor.
 */
async function reopenAsGraphs(): Promise<void> {
  for (const group of vscode.window.tabGroups.all) {
    for (const tab of group.tabs) {
      const input = tab.input;
      if (!(input instanceof vscode.TabInputText) || !input.uri.path.toLowerCase().endsWith('.onnx')) continue;
      await vscode.commands.executeCommand('vscode.openWith', input.uri, GRAPH_EDITOR_VIEW_TYPE, { viewColumn: group.viewColumn, preview: tab.isPreview });
      await vscode.window.tabGroups.close(tab);
    }
  }
}

async function showReport(reports: ReportViews, source: TransformReport | vscode.Uri | undefined, provider: GraphEditorProvider): Promise<void> {
  try {
    const report = source instanceof vscode.Uri ? (JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(source))) as TransformReport) : source;
    if (!report || typeof report !== 'object' || typeof report.output !== 'string') throw new Error('not a transform report (no "output")');
    reports.show(report, { exitCode: 0, command: '' });
    paintReportOverlays(provider, report, false);
  } catch (e) {
    void vscode.window.showErrorMessage(`ONNX Studio: ${(e as Error).message}`);
  }
}

function clearOverlay(provider: GraphEditorProvider, uri: vscode.Uri | undefined): void {
  if (!uri || !provider.clearOverlay(uri)) void vscode.window.showInformationMessage('ONNX Studio: the active graph shows no overlay.');
}

function activeGraphUri(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  return input instanceof vscode.TabInputCustom && input.viewType === GRAPH_EDITOR_VIEW_TYPE ? input.uri : undefined;
}

async function goToNode(provider: GraphEditorProvider): Promise<void> {
  const uri = activeGraphUri();
  const list = await (uri && provider.documents.get(uri.toString())?.request('nodes/list', {}).catch(() => undefined));
  if (!uri || !list) {
    void vscode.window.showInformationMessage('ONNX Studio: open a model in the graph editor first.');
    return;
  }
  const items = list.id.map((id, i) => ({ label: list.name[i] || id, description: list.op[i], detail: list.graphId[i] ? `in ${list.graphId[i]}` : undefined, id }));
  const pick = await vscode.window.showQuickPick(items, { placeHolder: 'Go to node (name or op type)', matchOnDescription: true });
  if (pick) await provider.reveal(uri, pick.id);
}

/** Prints the model's summary to the output channel; the file is read in a worker of its own. */
async function inspect(target: vscode.Uri | undefined, output: vscode.OutputChannel, workerScript: string): Promise<void> {
  if (!target || target.scheme !== 'file') {
    void vscode.window.showErrorMessage('ONNX Studio: choose an .onnx file on disk to inspect.');
    return;
  }
  try {
    output.appendLine(JSON.stringify(await readModelSummary(workerScript, target.fsPath), null, 2));
    output.show(true);
  } catch (e) {
    void vscode.window.showErrorMessage(`ONNX Studio: ${(e as Error).message}`);
  }
}
