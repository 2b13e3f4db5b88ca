// The ONNX text language in the real editor: diagnostics (parser, checker, weights files),
// hover, completion, go to definition, symbols ("Open as ONNX Text" is run in commands.itest.ts).
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { until } from './helpers';

const TEXT = `<
   ir_version: 8,
   opset_import: ["" : 17]
>
agraph (float[N, 128] X, float[128, 10] W) => (float[N, 10] C)
{
   T = MatMul(X, W)
   S = Foo(T)
   C = Softmax(T, W, X)
   D = Relu(missing)
   E = Relu(X
}
`;

describe('ONNX text language', () => {
  const dir = join(vscode.workspace.workspaceFolders![0]!.uri.fsPath, '..');
  const file = join(dir, 'lsp-test.onnxtxt');

  after(() => rmSync(file, { force: true }));

  it('reports parser, checker and arity problems at their lines; hovers, completes, finds definitions and symbols', async () => {
    writeFileSync(file, TEXT);
    const uri = vscode.Uri.file(file);
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'onnxtxt');
    const diags = await until('diagnostics', () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length ? d : undefined;
    });
    // The parse error stops the checker; fix it and the checker speaks.
    assert.ok(diags.some((d) => d.range.start.line === 11 && /expected '\)'/.test(d.message)), JSON.stringify(diags.map((d) => [d.range.start.line, d.message])));
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(10, 0, 10, 14), '   E = Relu(X)');
    await vscode.workspace.applyEdit(edit);
    const checked = await until('checker diagnostics', () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.some((x) => /Foo/.test(x.message)) ? d : undefined;
    });
    const line = (re: RegExp) => checked.find((d) => re.test(d.message))?.range.start.line;
    assert.equal(line(/Foo/), 7, 'unknown op at its line');
    assert.equal(line(/Softmax .*3 inputs/), 8, 'arity at its line');
    assert.equal(line(/'missing'.*not defined/), 9, 'undefined value at its line');

    const hover = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(6, 8));
    const hoverText = hover.map((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)).join('\n')).join('\n');
    assert.match(hoverText, /MatMul\*\*-13/);
    assert.match(hoverText, /float\[N,10\]/, 'the inferred output type');

    const completion = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, new vscode.Position(6, 8));
    const labels = completion.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('Conv') && labels.includes('LayerNormalization') && labels.includes('X'));

    const defs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeDefinitionProvider', uri, new vscode.Position(8, 16));
    assert.equal(defs[0]?.range.start.line, 6, 'T is defined by the MatMul line');
    const refs = await vscode.commands.executeCommand<vscode.Location[]>('vscode.executeReferenceProvider', uri, new vscode.Position(6, 3));
    assert.deepEqual(refs.map((r) => r.range.start.line).sort(), [6, 7, 8], 'T: defined once, read by Foo and Softmax');

    // Inside an attribute list: the op's attributes.
    const attrEdit = new vscode.WorkspaceEdit();
    attrEdit.insert(uri, new vscode.Position(9, 0), '   G = Conv <\n');
    await vscode.workspace.applyEdit(attrEdit);
    const attrs = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', uri, new vscode.Position(9, 15));
    const attrLabels = attrs.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(attrLabels.includes('kernel_shape') && attrLabels.includes('strides') && !attrLabels.includes('Relu'), attrLabels.join(','));

    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
    assert.equal(symbols[0]?.name, 'agraph');
    assert.equal(symbols[0]?.children.length, 5);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
