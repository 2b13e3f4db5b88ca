// Every command the extension contributes, and the webview's own actions, run in the real editor
// and checked by their effect: what is revealed, printed, written or copied. Expected values come
// from python onnx and numpy (test/integration/python) or the CLI, never from the extension.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { openModel } from '../../src/onnx/open';
import { parseModel } from '../../src/onnx/text/parser';
import { graphEditor, openGraph, outputChannelText, python, ROOT, runAnswering, scratchFolder, ui, until } from './helpers';

const corpus = (name: string): string => join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, name);
const exists = (path: string): true | undefined => (existsSync(path) ? true : undefined);

describe('commands and webview actions, run for their effect', () => {
  let dir: string;
  /** A copy of silero VAD v5 (If subgraphs, weights the text refers to) in this run's folder. */
  let vad: string;

  before(() => {
    dir = scratchFolder();
    python('make_models.py', [dir]);
    vad = join(dir, 'vad.onnx');
    copyFileSync(corpus('silero_vad_v5.onnx'), vad);
  });

  it('Open Graph: the graph editor shows the model with the node count of python onnx', async () => {
    const uri = vscode.Uri.file(join(dir, 'dtypes.onnx'));
    const provider = await graphEditor();
    await vscode.commands.executeCommand('onnxStudio.openGraph', uri);
    await until('the graph', () => provider.rendered.get(uri.toString()));
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    assert.ok(input instanceof vscode.TabInputCustom && input.viewType === 'onnxStudio.graph' && input.uri.fsPath === uri.fsPath);
    const want = Number(execFileSync('/usr/bin/python3', ['-c', 'import onnx, sys; print(len(onnx.load(sys.argv[1]).graph.node))', uri.fsPath]).toString());
    assert.equal(provider.rendered.get(uri.toString())?.opNodes, want);
  });

  it('Go to Node…: the node picked by name, inside an If branch, is entered, selected and reported by the webview', async () => {
    const { key, provider } = await openGraph(vad);
    const model = openModel(vad);
    const names = [...model.graphs()].flatMap((g) => g.nodes.map((n) => n.name));
    const target = [...model.graphs()].filter((g) => g.id).flatMap((g) => g.nodes).find((n) => n.name.includes('/') && names.filter((x) => x.includes(n.name)).length === 1);
    model.close();
    assert.ok(target, 'a node with a unique name inside a subgraph');
    await runAnswering('onnxStudio.goToNode', [], [target.name]);
    const state = await until('the webview to report the selection', () => (provider.states.get(key)?.selected === target.id ? provider.states.get(key) : undefined));
    assert.equal(state.graphId, target.graph.id, 'the If branch is entered');
    const drawn = await ui<string>({ action: 'webviewEval', body: 'const v = window.onnxStudio.view; return v.items[v.selected]?.sublabel;' });
    assert.equal(drawn, target.name, 'the selected box is the node');
  });

  it('Inspect Model: the output channel shows exactly what `onnx-studio inspect --json` prints', async () => {
    const cli = execFileSync(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'inspect', '--json', vad]).toString().trim();
    await vscode.commands.executeCommand('onnxStudio.inspect', vscode.Uri.file(vad));
    const text = await until('the summary in the output channel', async () => {
      const t = await outputChannelText('ONNX Studio');
      return t.includes(cli) ? t : undefined;
    });
    // The summary is a block of its own (the channel also carries the language server's log).
    const start = text.lastIndexOf(cli);
    assert.ok(start === 0 || text[start - 1] === '\n');
    assert.ok(['', '\n'].includes(text.slice(start + cli.length, start + cli.length + 1)));
  });

  it('Open as ONNX Text: NAME.onnxtxt appears beside the model and parses clean, in the parser and the language server', async () => {
    const text = join(dir, 'vad.onnxtxt');
    await vscode.commands.executeCommand('onnxStudio.openAsText', vscode.Uri.file(vad));
    await until('the text file', () => exists(text));
    const uri = vscode.Uri.file(text);
    const doc = await until('the text editor', () => vscode.window.visibleTextEditors.find((e) => e.document.uri.fsPath === text)?.document);
    assert.equal(doc.languageId, 'onnxtxt');
    assert.equal(doc.getText(), readFileSync(text, 'utf8'));
    assert.deepEqual(parseModel(doc.getText()).diagnostics, []);
    await until('analysis', async () => ((await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri))?.length ? true : undefined));
    const errors = vscode.languages.getDiagnostics(uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
    assert.deepEqual(errors.map((e) => e.message), []);
  });

  it('Save as ONNX Model: the model written through the save dialog has the graphs of the original (python onnx)', async () => {
    const text = join(dir, 'vad.onnxtxt');
    if (!existsSync(text)) await vscode.commands.executeCommand('onnxStudio.openAsText', vscode.Uri.file(vad));
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(text));
    await vscode.window.showTextDocument(doc);
    const target = join(dir, 'saved-vad.onnx');
    // The dialog proposes the model the text came from: type another name; then read the weights in.
    await runAnswering('onnxStudio.saveAsModel', [doc.uri], [target, 'Read the weights into the model']);
    await until('the saved model', () => exists(target));
    assert.equal(python('same_graph.py', [vad, target]), '');
  });

  describe('Save as ONNX Model keeping the external-data references (target and choice as arguments)', () => {
    const save = async (target: string): Promise<unknown> => {
      const text = vscode.Uri.file(join(dir, 'vad.onnxtxt'));
      if (!existsSync(text.fsPath)) await vscode.commands.executeCommand('onnxStudio.openAsText', vscode.Uri.file(vad));
      return vscode.commands.executeCommand('onnxStudio.saveAsModel', text, { target: vscode.Uri.file(target), references: 'keep' });
    };

    it('into a folder above the weights: the references are rebased, and python onnx reads the same graph through them', async () => {
      const target = join(dir, '..', `kept-${basename(dir)}.onnx`);
      assert.deepEqual(await save(target), { written: target, notes: [`rebased the references to 'vad.onnx' as '${basename(dir)}/vad.onnx' (relative to the output's folder)`] });
      assert.equal(python('same_graph.py', [vad, target]), '');
    });

    it('into a folder the references would have to leave: refused, nothing written', async () => {
      const target = join(mkdtempSync(join(dir, 'below-')), 'kept.onnx');
      const result = (await save(target)) as { error?: string };
      assert.match(result.error ?? '', /vad\.onnx/);
      assert.equal(existsSync(target), false);
    });
  });

  it('Copy name: the clipboard holds the selected node name', async () => {
    await openGraph(join(dir, 'dtypes.onnx'));
    await vscode.env.clipboard.writeText('before');
    await ui({ action: 'webviewFill', selector: '#search', text: 'id_w_i64' });
    await ui({ action: 'webviewClick', role: 'button', name: 'Copy name' });
    assert.equal(await until('the clipboard', async () => ((await vscode.env.clipboard.readText()) !== 'before' ? vscode.env.clipboard.readText() : undefined)), 'id_w_i64');
  });

  describe('Save as .npy: numpy reads back the value python onnx decodes', () => {
    for (const name of ['w_f32', 'w_f16', 'w_f64', 'w_i64', 'w_u64', 'w_i32', 'w_u8', 'w_i8', 'w_bool']) {
      it(name, async () => {
        const model = join(dir, 'dtypes.onnx');
        await openGraph(model);
        const target = join(dir, `saved-${name}.npy`);
        await ui({ action: 'webviewFill', selector: '#search', text: `id_${name}` });
        await ui({ action: 'webviewClick', role: 'button', name: `Values of ${name}` });
        await ui({ action: 'webviewClick', role: 'button', name: 'Save as .npy' });
        await ui({ action: 'quickInput', text: target });
        await until('the .npy file', () => exists(target));
        assert.equal(python('npy_matches.py', [model, name, target]), '');
      });
    }
  });
});
