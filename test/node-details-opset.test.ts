import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { nodeFacts } from '../src/analysis/node-details';
import { inferModel } from '../src/onnx/infer/infer';
import { openModelBytes } from '../src/onnx/open';
import { attr, bytesOf, graph, model, node, tensorType, valueInfo } from './helpers/models';

/** python onnx's registry: the version an opset resolves to and whether it is deprecated. */
function pythonSince(pairs: [string, number][]): { since: number; deprecated: boolean }[] {
  const script = 'import json, sys, onnx.defs as d\nprint(json.dumps([{"since": d.get_schema(o, v).since_version, "deprecated": d.get_schema(o, v).deprecated} for o, v in json.loads(sys.argv[1])]))';
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, JSON.stringify(pairs)], { encoding: 'utf8' })) as { since: number; deprecated: boolean }[];
}

function detailsOf(opType: string, opset: number, attrs = [attr('axis', 1)], inputs = ['x']) {
  const g = graph({ node: [node(opType, inputs, ['y'], attrs, 'n')], input: [valueInfo('x', tensorType(1, [2, 3]))], output: [valueInfo('y')] });
  const m = openModelBytes(bytesOf(model(g, opset)));
  return nodeFacts(m.graph.nodes[0]!, m.opsetImports, inferModel(m));
}

test('node details: a Softmax at opset 11 shows its op version and the axis change of Softmax-13', () => {
  const [ref] = pythonSince([['Softmax', 11]]);
  const d = detailsOf('Softmax', 11);
  assert.deepEqual(d.opset[0], ['op version', `Softmax-${ref!.since} (model opset 11)`]);
  const later = d.opset.filter(([label]) => label === 'later change').map(([, text]) => text);
  assert.equal(later.length, 1);
  assert.match(later[0]!, /^Softmax-13: .*single axis/);
  assert.ok(!d.opset.some(([label]) => label === 'deprecated since'));
});

test('node details: Upsample at opset 9 says it is deprecated since opset 10 (python onnx: Upsample-10 deprecated)', () => {
  const [at9, at10] = pythonSince([['Upsample', 9], ['Upsample', 10]]);
  assert.equal(at9!.deprecated, false);
  assert.equal(at10!.deprecated, true);
  const d = detailsOf('Upsample', 9, [attr('mode', 'nearest')], ['x', 's']);
  assert.deepEqual(d.opset[0], ['op version', `Upsample-${at9!.since} (model opset 9)`]);
  assert.deepEqual(d.opset.find(([label]) => label === 'deprecated since'), ['deprecated since', `opset ${at10!.since}`]);
});

test('node details: an op the registry has no later version of gets the op version row only; an unknown op says so', () => {
  const [relu] = pythonSince([['Relu', 14]]);
  assert.deepEqual(detailsOf('Relu', 14, []).opset, [['op version', `Relu-${relu!.since} (model opset 14)`]]);
  assert.deepEqual(detailsOf('NoSuchOp', 14, []).opset, [['op version', 'unknown to the registry at ai.onnx opset 14']]);
});
