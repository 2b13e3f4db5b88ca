// "Profile with ONNX Runtime", "Load Profile…" and "Compare Profiles…" (issue 10, point 2): each
// runs our CLI's `profile … --json` in a child process with a cancellable progress notification
// and paints exactly its JSON on the model's graph (profile-overlay.ts). A TensorRT build that
// exported its profile opens it through "Load Profile…" with the files given.
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { ProfileJson } from '../profiles/layer-profile';
import { commandLine, type CliResult } from './cli-process';
import { cliMessage, notificationText } from './cli-message';
import { GRAPH_EDITOR_VIEW_TYPE, type GraphEditorProvider } from './graph-editor';
import { importProfileArgv, ortProfileArgv, withCompanions, type OrtProfileChoices } from './profile-args';
import { compareOverlay } from './profile-compare';
import { parseProfileJson, percent, profileOverlay, profileSummaryLine, type NodeOps } from './profile-overlay';
import { pickOrtProfileChoices, pickPair } from './profile-picks';
import { rememberCalibrationFolder } from './static-picks';
import { cliScript, CliRuns, modelOnDisk } from './tool-cli-run';

/** What a profile command resolved to (the tests read it; users see the overlay and messages). */
export type ProfileOutcome =
  /** exitCode 1: under half of the time maps onto the model; what matched is shown all the same. */
  | { kind: 'profile'; exitCode: 0 | 1; profile: ProfileJson; command: string }
  /** Exit 2 (a file that cannot be used) and 64 (bad usage). */
  | { kind: 'refused'; exitCode: number; message: string }
  | { kind: 'failed'; exitCode: number | null; message: string }
  | { kind: 'cancelled' }
  | undefined;

/** Whether a profile opens the model's graph, or (after a build) paints it only if it is open. */
type Opening = 'open' | 'unless-closed';

/** Profile files the dialog offers first; any file can be chosen (the CLI says what it is not). */
const PROFILE_FILTERS = { 'Profiles (ONNX Runtime, trtexec, Nsight Systems)': ['json', 'log', 'txt', 'csv', 'sqlite'], 'All files': ['*'] };

export class ProfileCommands implements vscode.Disposable {
  private readonly runs = new CliRuns();
  /** Each progress line of a running profile (the tests cancel on one). */
  readonly onLine = this.runs.onLine;
  /** Profiles shown per model (by URI), oldest first: what "Compare Profiles…" offers. */
  private readonly shown = new Map<string, ProfileJson[]>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
    private readonly provider: Pick<GraphEditorProvider, 'setOverlay' | 'documents'>,
    private readonly activeModel: () => vscode.Uri | undefined,
  ) {
    context.subscriptions.push(
      this,
      // A menu passes (uri, every selected uri): only arguments of the shapes below skip the picks.
      vscode.commands.registerCommand('onnxStudio.profileOrt', (uri?: vscode.Uri, choices?: unknown) => this.profile(uri, isChoices(choices) ? choices : undefined)),
      vscode.commands.registerCommand('onnxStudio.loadProfile', (uri?: vscode.Uri, files?: unknown, how?: unknown) => this.load(uri, isStrings(files) ? files : undefined, how === 'unless-closed' ? how : 'open')),
      vscode.commands.registerCommand('onnxStudio.compareProfiles', (uri?: vscode.Uri, pair?: unknown) => this.compare(uri, isPair(pair) ? pair : undefined)),
    );
  }

  cancelAll(): void {
    this.runs.cancelAll();
  }

  dispose(): void {
    this.runs.dispose();
  }

  /** The profiles shown on a model, oldest first. */
  profiles(model: vscode.Uri): readonly ProfileJson[] {
    return this.shown.get(model.toString()) ?? [];
  }

  /** `choices` skips the quick picks (other commands, the tests). */
  async profile(uri?: vscode.Uri, choices?: OrtProfileChoices): Promise<ProfileOutcome> {
    const model = modelOnDisk(uri, this.activeModel, 'profile');
    if (!model) return undefined;
    choices ??= await pickOrtProfileChoices(this.context.workspaceState, model);
    if (!choices) return undefined;
    const outcome = await this.run(model, ortProfileArgv(model.fsPath, choices), `profiling ${vscode.workspace.asRelativePath(model)} with ONNX Runtime`);
    if (outcome?.kind === 'profile' && choices.inputs) await rememberCalibrationFolder(this.context.workspaceState, model, choices.inputs);
    return outcome;
  }

  /**
   * `files` skips the file dialog (a TensorRT build's exports, the tests). 'unless-closed' (after a
   * build) paints the graph if it is open, else offers to open it rather than open another view.
   */
  async load(uri?: vscode.Uri, files?: string[], how: Opening = 'open'): Promise<ProfileOutcome> {
    const model = modelOnDisk(uri, this.activeModel, 'load a profile for');
    if (!model) return undefined;
    if (!files) {
      const chosen = await vscode.window.showOpenDialog({ canSelectMany: true, canSelectFiles: true, canSelectFolders: false, defaultUri: vscode.Uri.joinPath(model, '..'), filters: PROFILE_FILTERS, openLabel: 'Load Profile', title: `Profile of ${basename(model.fsPath)}` });
      if (!chosen?.length) return undefined;
      const paths = chosen.map((u) => u.fsPath);
      files = withCompanions(paths, paths.length === 1 ? await namesIn(dirname(paths[0]!)) : []);
    }
    const names = files.map((f) => basename(f)).join(', ');
    return this.run(model, importProfileArgv(model.fsPath, files), `reading the profile ${names} for ${vscode.workspace.asRelativePath(model)}`, how);
  }

  /** `pair` (indices into the model's profiles: before, after) skips the picks. */
  async compare(uri?: vscode.Uri, pair?: [number, number]): Promise<ProfileOutcome> {
    const model = modelOnDisk(uri, this.activeModel, 'compare profiles of');
    if (!model) return undefined;
    const list = this.profiles(model);
    if (list.length < 2) {
      const load = 'Load Profile…';
      const answer = await vscode.window.showInformationMessage(notificationText(`ONNX Studio: ${list.length ? 'one profile is' : 'no profile is'} shown for ${basename(model.fsPath)}; load or run another to compare.`), load);
      if (answer === load) await this.load(model);
      return undefined;
    }
    pair ??= await pickPair(list);
    if (!pair) return undefined;
    const [before, after] = [list[pair[0]], list[pair[1]]];
    if (!before || !after) return undefined;
    // The editor first, as for a profile: its document names the nodes and op types the table shows.
    await vscode.commands.executeCommand('vscode.openWith', model, GRAPH_EDITOR_VIEW_TYPE, { preserveFocus: true });
    this.provider.setOverlay(model, compareOverlay(before, after, await this.nodeOps(model)));
    return { kind: 'profile', exitCode: 0, profile: after, command: '' };
  }

  private async run(model: vscode.Uri, args: string[], title: string, how: Opening = 'open'): Promise<ProfileOutcome> {
    const command = commandLine(['onnx-studio', ...args]);
    const result = await this.runs.run({ cli: cliScript(this.context), args, cwd: dirname(model.fsPath), title, output: this.output });
    if (result.cancelled) {
      void vscode.window.showInformationMessage('ONNX Studio: profiling cancelled.');
      return { kind: 'cancelled' };
    }
    return this.show(model, result, command, how);
  }

  private async show(model: vscode.Uri, result: CliResult, command: string, how: Opening): Promise<ProfileOutcome> {
    const profile = result.code === 0 || result.code === 1 ? parseProfileJson(result.stdout) : undefined;
    if (!profile) {
      const message = `ONNX Studio: ${cliMessage(result.stderr).replace(/^onnx-studio profile: /, '')}`;
      this.output.show(true);
      void vscode.window.showErrorMessage(notificationText(message));
      return result.code === 2 || result.code === 64 ? { kind: 'refused', exitCode: result.code, message } : { kind: 'failed', exitCode: result.code, message };
    }
    // The editor first: its document lists the nodes whose op types the table and chart show.
    const open = how === 'open' || this.provider.documents.has(model.toString());
    if (open) await vscode.commands.executeCommand('vscode.openWith', model, GRAPH_EDITOR_VIEW_TYPE, { preserveFocus: true });
    this.provider.setOverlay(model, profileOverlay(profile, await this.nodeOps(model)));
    const earlier = this.profiles(model);
    this.shown.set(model.toString(), [...earlier, profile].slice(-8));
    this.output.appendLine(`  ${profileSummaryLine(profile)}`);
    if (result.code === 1) {
      const matched = profile.layers.filter((l) => l.onnxNodes.length > 0).length;
      void vscode.window.showWarningMessage(notificationText(`ONNX Studio: only ${percent(profile.mappedShare)} of the profiled time (${matched} of ${profile.layers.length} layers) maps onto nodes of ${basename(model.fsPath)}: is it a profile of another model? What matched is shown.`));
    } else if (!open) {
      void this.offerGraph(model, profile);
    } else {
      void this.offerCompare(model, profile, earlier);
    }
    return { kind: 'profile', exitCode: result.code as 0 | 1, profile, command };
  }

  private async offerCompare(model: vscode.Uri, profile: ProfileJson, earlier: readonly ProfileJson[]): Promise<void> {
    const compare = 'Compare with Previous';
    const answer = await vscode.window.showInformationMessage(notificationText(`ONNX Studio: ${profileSummaryLine(profile)}.`), ...(earlier.length ? [compare] : []));
    if (answer !== compare) return;
    // Indices into the list as kept when the button is clicked (the last 8, maybe grown since): the previous profile and this one.
    const list = this.profiles(model);
    const pair: [number, number] = [list.indexOf(earlier.at(-1)!), list.indexOf(profile)];
    if (pair.every((i) => i >= 0)) await this.compare(model, pair);
    else void vscode.window.showInformationMessage('ONNX Studio: that profile is no longer kept; use Compare Profiles… to choose two.');
  }

  /** A profile painted on a graph that is not open (after a build): opened on demand, with its op types then. */
  private async offerGraph(model: vscode.Uri, profile: ProfileJson): Promise<void> {
    const show = 'Show on Graph';
    if ((await vscode.window.showInformationMessage(notificationText(`ONNX Studio: ${profileSummaryLine(profile)}.`), show)) !== show) return;
    await vscode.commands.executeCommand('vscode.openWith', model, GRAPH_EDITOR_VIEW_TYPE);
    this.provider.setOverlay(model, profileOverlay(profile, await this.nodeOps(model)));
  }

  /** The op type and name of each node of the open model (for the table and chart); empty when the editor cannot say. */
  private async nodeOps(model: vscode.Uri): Promise<NodeOps> {
    const list = await this.provider.documents.get(model.toString())?.request('nodes/list', {}).catch(() => undefined);
    return new Map(list ? list.id.map((id, i) => [id, { op: list.op[i]!, name: list.name[i]! }]) : []);
  }
}

async function namesIn(folder: string): Promise<string[]> {
  try {
    return (await vscode.workspace.fs.readDirectory(vscode.Uri.file(folder))).map(([name]) => name);
  } catch {
    return [];
  }
}

const isChoices = (v: unknown): v is OrtProfileChoices => typeof v === 'object' && v !== null && typeof (v as OrtProfileChoices).optLevel === 'string';
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.length > 0 && v.every((f) => typeof f === 'string');
const isPair = (v: unknown): v is [number, number] => Array.isArray(v) && v.length === 2 && v.every((i) => Number.isInteger(i));
