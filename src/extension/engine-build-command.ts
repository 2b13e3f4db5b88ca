// "Build TensorRT Engine…": asks our CLI what the installed trtexec takes (`build --probe`),
// asks the quick picks, then runs `onnx-studio build MODEL --json …` (the CLI runs trtexec through
// the one runTool) with progress and cancel; the log goes to the TensorRT output channel, `[E]`
// lines become diagnostics on the model, and a built engine opens the result view.
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { BuildJson, BuildProbeJson } from '../cli/build';
import { splitLogLine } from '../toolchains/trtexec-log';
import { engineBuildArgv, engineProbeArgv, proposeShapeRanges, type EngineBuildChoices } from './engine-build-args';
import { pickBuildOptions, pickPrecision, pickShapes, pickSparsity, rememberedEngineChoices, rememberEngineChoices, type PrecisionPick, type RememberedEngineChoices } from './engine-picks';
import { showEngineResult } from './engine-result-view';
import { readModelFacts } from './model-summary';
import { commandLine } from './cli-process';
import { recentCalibrationFolders } from './static-picks';
import { refuseUntrusted } from './tool-trust';
import { cliMessage, parseJson, notificationText } from './cli-message';
import { cliScript, CliRuns, modelOnDisk, offerToolSetting, runCliWithProgress } from './tool-cli-run';
import type { TransformOutcome } from './transform-commands';

/** What the command resolved to (the tests read it; users see the views and messages). */
export type EngineBuildOutcome =
  | { kind: 'built'; result: BuildJson; command: string }
  | { kind: 'failed'; exitCode: number | null; errors: string[]; message: string }
  /** Exit 2 (trtexec or a file cannot be used) and 64 (options this trtexec does not take). */
  | { kind: 'refused'; exitCode: number; message: string }
  /** leftover: files the build left in the model's folder (none when the CLI cleaned up). */
  | { kind: 'cancelled'; leftover: string[] }
  | { kind: 'untrusted'; message: string }
  | undefined;

const TRTEXEC_SETTING = 'onnxStudio.tools.trtexecPath';

export class EngineBuildCommand implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('onnx-studio-trtexec');
  private readonly runs = new CliRuns();
  /** Each log line of a running build (the tests cancel on the stand-in's pid line). */
  readonly onLine = this.runs.onLine;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: vscode.OutputChannel,
    private readonly activeModel: () => vscode.Uri | undefined,
  ) {
    context.subscriptions.push(
      this,
      this.diagnostics,
      // The explorer's menu passes (uri, every selected uri): only a choices object skips the picks.
      vscode.commands.registerCommand('onnxStudio.buildEngine', (uri?: vscode.Uri, choices?: unknown) => this.run(uri, isEngineChoices(choices) ? choices : undefined)),
      vscode.workspace.onDidDeleteFiles((e) => e.files.forEach((f) => this.diagnostics.delete(f))),
    );
  }

  cancelAll(): void {
    this.runs.cancelAll();
  }

  dispose(): void {
    this.runs.dispose();
  }

  /** The choices remembered for a model (proposed first by its next build; the tests read them). */
  remembered(model: vscode.Uri): RememberedEngineChoices | undefined {
    return rememberedEngineChoices(this.context.workspaceState, model);
  }

  /** `choices` skips the quick picks (other commands, the tests). */
  async run(uri?: vscode.Uri, choices?: EngineBuildChoices): Promise<EngineBuildOutcome> {
    let model = modelOnDisk(uri, this.activeModel, 'build an engine from');
    if (!model) return undefined;
    const untrusted = refuseUntrusted('trtexec', 'Build TensorRT Engine');
    if (untrusted) return { kind: 'untrusted', message: untrusted };
    const trtexec = vscode.workspace.getConfiguration().get<string>(TRTEXEC_SETTING, '') || undefined;
    if (!choices) {
      const probe = await this.probe(model, trtexec);
      if (!probe) return undefined;
      const picked = await this.pick(model, probe);
      if (!picked) return undefined;
      // For the model the user chose: the pick (a conversion first stays a conversion first).
      await rememberEngineChoices(this.context.workspaceState, model, { ...picked.choices, precision: picked.pick });
      ({ model, choices } = picked);
    }
    return this.build(model, choices, trtexec);
  }

  private cli(): string {
    return cliScript(this.context);
  }

  private async probe(model: vscode.Uri, trtexec: string | undefined): Promise<BuildProbeJson | undefined> {
    const result = await runCliWithProgress({ cli: this.cli(), args: engineProbeArgv(trtexec), cwd: dirname(model.fsPath), title: 'asking trtexec for its version', output: this.output });
    const probe = result.code === 0 ? parseJson<BuildProbeJson>(result.stdout) : undefined;
    if (probe) return probe;
    if (result.cancelled) return undefined;
    const message = `ONNX Studio: ${cliMessage(result.stderr)}`;
    if (result.code === 2) offerToolSetting(`${message} Set ${TRTEXEC_SETTING} to the trtexec program.`, TRTEXEC_SETTING);
    else void vscode.window.showErrorMessage(notificationText(message));
    return undefined;
  }

  /** The quick picks; on TensorRT 11 a conversion first may replace the model to build. */
  private async pick(model: vscode.Uri, probe: BuildProbeJson): Promise<{ model: vscode.Uri; choices: EngineBuildChoices; pick: PrecisionPick } | undefined> {
    const remembered = this.remembered(model);
    const precision = await pickPrecision(probe, remembered);
    if (!precision) return undefined;
    let target = model;
    if (precision === 'convert-fp16' || precision === 'quantize-int8') {
      const converted = await this.convertFirst(model, precision);
      if (!converted) return undefined;
      target = converted;
    }
    const facts = await readModelFacts(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'model-worker.js').fsPath, target.fsPath, true).catch((e: Error) => {
      void vscode.window.showErrorMessage(notificationText(`ONNX Studio: ${e.message}`));
      return undefined;
    });
    if (!facts) return undefined;
    const summary = facts.summary;
    const proposed = proposeShapeRanges(summary.inputs);
    const shapes = proposed && (await pickShapes(remembered?.shapes ?? proposed));
    if (proposed && !shapes) return undefined;
    const options = await pickBuildOptions(probe, remembered);
    if (!options) return undefined;
    const sparsity = facts.twoFourLayers.length ? await pickSparsity(facts.twoFourLayers.length, remembered) : undefined;
    if (facts.twoFourLayers.length && !sparsity) return undefined;
    const typed = precision === 'convert-fp16' || precision === 'quantize-int8' ? 'typed' : precision;
    return { model: target, choices: { precision: typed, ...(shapes ? { shapes } : {}), ...options, ...(sparsity ? { sparsity } : {}) }, pick: precision };
  }

  private async convertFirst(model: vscode.Uri, how: 'convert-fp16' | 'quantize-int8'): Promise<vscode.Uri | undefined> {
    const calib = recentCalibrationFolders(this.context.workspaceState, model)[0];
    const outcome =
      how === 'convert-fp16'
        ? await vscode.commands.executeCommand<TransformOutcome>('onnxStudio.convertFp16', model)
        : await vscode.commands.executeCommand<TransformOutcome>('onnxStudio.quantizeStatic', model, { preset: 'tensorrt', ...(calib ? { calib } : {}) });
    return outcome?.kind === 'report' ? vscode.Uri.file(outcome.report.output) : undefined;
  }

  private async build(model: vscode.Uri, choices: EngineBuildChoices, trtexec: string | undefined): Promise<EngineBuildOutcome> {
    this.diagnostics.delete(model);
    const folder = dirname(model.fsPath);
    const before = new Set(await namesIn(folder));
    const args = engineBuildArgv(model.fsPath, choices, trtexec);
    const command = commandLine(['onnx-studio', ...args]);
    const result = await this.runs.run({ cli: this.cli(), args, cwd: folder, title: `building a TensorRT engine from ${vscode.workspace.asRelativePath(model)}`, output: this.output });
    if (result.cancelled) {
      const leftover = (await namesIn(folder)).filter((f) => !before.has(f));
      if (leftover.length) void vscode.window.showWarningMessage(notificationText(`ONNX Studio: build cancelled, but these files were left: ${leftover.join(', ')}`));
      else void vscode.window.showInformationMessage('ONNX Studio: build cancelled; nothing was written.');
      return { kind: 'cancelled', leftover };
    }
    const json = result.code === 0 || result.code === 1 ? parseJson<BuildJson>(result.stdout) : undefined;
    if (result.code === 0 && json) {
      showEngineResult(this.context.extensionUri, json, command);
      void vscode.window.showInformationMessage(notificationText(`ONNX Studio: engine written: ${vscode.workspace.asRelativePath(json.engine ?? '')}`));
      // Profiling exported: its per-layer profile painted on the model's graph ("Load Profile…" with these files).
      const exported = [json.outputs.layers, json.outputs.profile, json.outputs.times].filter((f): f is string => !!f);
      if (exported.length) void vscode.commands.executeCommand('onnxStudio.loadProfile', model, exported, 'unless-closed');
      return { kind: 'built', result: json, command };
    }
    const message = `ONNX Studio: ${cliMessage(result.stderr)}`;
    if (result.code === 2 || result.code === 64) {
      if (result.code === 2) offerToolSetting(message, TRTEXEC_SETTING);
      else void vscode.window.showErrorMessage(notificationText(message));
      this.output.show(true);
      return { kind: 'refused', exitCode: result.code, message };
    }
    // Exit 1 (the build failed) or anything unexpected: the `[E]` lines on the model.
    const errors = json?.errors ?? result.stderr.split(/\r?\n/).map(splitLogLine).filter((l) => l.level === 'E').map((l) => l.text);
    this.diagnostics.set(model, errors.map((e) => Object.assign(new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), e, vscode.DiagnosticSeverity.Error), { source: 'trtexec' })));
    this.output.show(true);
    void vscode.window.showErrorMessage(`ONNX Studio: the TensorRT build failed (exit ${result.code ?? result.signal}); ${errors.length} error(s) in the Problems panel, the log in the output channel.`);
    return { kind: 'failed', exitCode: result.code, errors, message };
  }
}

const isEngineChoices = (v: unknown): v is EngineBuildChoices => typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as EngineBuildChoices).precision === 'string';

async function namesIn(folder: string): Promise<string[]> {
  return (await vscode.workspace.fs.readDirectory(vscode.Uri.file(folder))).map(([name]) => name);
}
