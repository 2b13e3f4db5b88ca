import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { nodeFacts } from '../src/analysis/node-details';
import { inferModel } from '../src/onnx/infer/infer';
import { openModelBytes } from '../src/onnx/open';
import { attr, bytesOf, graph, model, node, tensorType, valueInfo } from './helpers/models';
import { ROOT } from './helpers/corpus';

/** The side panel and the language server show com.microsoft schemas from the registry. */

test('the side panel names the formals of a com.microsoft node and its inferred output type', () => {
  const g = graph({
    node: [node('QGemm', ['a', 'a_scale', 'a_zp', 'b', 'b_scale', 'b_zp'], ['y'], [attr('transB', 1)], 'qgemm', 'com.microsoft')],
    input: [valueInfo('a', tensorType(2, [2, 4])), valueInfo('a_scale', tensorType(1, [])), valueInfo('a_zp', tensorType(2, [])), valueInfo('b', tensorType(3, [3, 4])), valueInfo('b_scale', tensorType(1, [])), valueInfo('b_zp', tensorType(3, []))],
    output: [valueInfo('y')],
  });
  const m = openModelBytes(bytesOf(model(g, 17, { opset_import: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }] })));
  const facts = nodeFacts(m.graph.nodes[0]!, m.opsetImports, inferModel(m));
  assert.deepEqual(facts.schema, { since: 1, summary: 'Quantized Gemm', deprecated: false });
  assert.deepEqual(facts.inputs.map((i) => i.formal), ['A', 'a_scale', 'a_zero_point', 'B', 'b_scale', 'b_zero_point']);
  assert.deepEqual(facts.outputs.map((o) => [o.formal, o.type]), [['Y', 'float[2,3]']]);
});

const TEXT = `<ir_version: 8, opset_import: ["" : 17, "com.microsoft" : 1]>
ms (uint8[2,4] a, float[1] a_scale, uint8[1] a_zp, int8[3,4] b, float[1] b_scale, int8[1] b_zp) => (float[2,3] y)
{
  y = com.microsoft.QGemm <transB = 1>(a, a_scale, a_zp, b, b_scale, b_zp)
}
`;

test('the language server hovers and completes com.microsoft ops and checks them (no "not checked")', { timeout: 60_000 }, async () => {
  const server = spawn(process.execPath, [join(ROOT, 'dist', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const rpc = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  const diagnostics = new Promise<{ message: string; code?: string }[]>((resolve) => rpc.onNotification('textDocument/publishDiagnostics', (p: { diagnostics: { message: string; code?: string }[] }) => resolve(p.diagnostics)));
  rpc.listen();
  try {
    await rpc.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {} });
    rpc.sendNotification('initialized', {});
    const uri = 'untitled:contrib.onnxtxt';
    rpc.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'onnxtxt', version: 1, text: TEXT } });
    const hover = await rpc.sendRequest<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 22 } });
    assert.match(hover.contents.value, /\*\*com\.microsoft::QGemm\*\*-1/);
    assert.match(hover.contents.value, /Quantized Gemm/);
    assert.match(hover.contents.value, /float\[2,3\]/, 'the inferred output type');
    const completion = await rpc.sendRequest<{ label: string; detail?: string }[] | { items: { label: string }[] }>('textDocument/completion', { textDocument: { uri }, position: { line: 3, character: 29 } });
    const labels = (Array.isArray(completion) ? completion : completion.items).map((i) => i.label).sort();
    assert.deepEqual(labels, ['alpha', 'transA', 'transB']);
    const found = await diagnostics;
    assert.deepEqual(found.map((d) => `${d.code} ${d.message}`), []);
  } finally {
    rpc.dispose();
    server.kill();
  }
});
