import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { nodeOpsetNotes, opsetNote, tensorrtOpsetRanges } from '../src/analysis/tensorrt/opset-notes';
import { openModelBytes } from '../src/onnx/open';
import { bytesOf, graph, model, node, tensorType, valueInfo } from './helpers/models';

// Reference: python onnx 1.12's schema registry (opsets up to 17).
const PAIRS: [string, number][] = [['Upsample', 9], ['Upsample', 10], ['Scatter', 10], ['Scatter', 11], ['Squeeze', 11], ['Squeeze', 13], ['ReduceSum', 12], ['Softmax', 11], ['Softmax', 13], ['Resize', 11], ['Slice', 9], ['Pad', 11], ['Conv', 14], ['BatchNormalization', 9]];

function pythonSchemas(): { since: number; deprecated: boolean; inputs: string[]; attributes: string[] }[] {
  const script = [
    'import json, sys, onnx.defs as d',
    'pairs = json.loads(sys.argv[1])',
    'out = []',
    'for op, v in pairs:',
    '    s = d.get_schema(op, v)',
    '    out.append({"since": s.since_version, "deprecated": s.deprecated, "inputs": [i.name for i in s.inputs], "attributes": sorted(s.attributes)})',
    'print(json.dumps(out))',
  ].join('\n');
  return JSON.parse(execFileSync('/usr/bin/python3', ['-c', script, JSON.stringify(PAIRS)], { encoding: 'utf8' })) as ReturnType<typeof pythonSchemas>;
}

test('opset notes: the op version an opset resolves to and deprecation agree with python onnx', () => {
  const reference = pythonSchemas();
  PAIRS.forEach(([op, opset], i) => {
    const note = opsetNote('', op, opset);
    assert.equal(note.since, reference[i]!.since, `${op}@${opset}`);
    assert.equal(note.deprecated, reference[i]!.deprecated, `${op}@${opset}`);
  });
});

test('opset notes: later versions that move an attribute to an input are named (Squeeze-13 and ReduceSum-13 axes, Pad-11 pads)', () => {
  const reference = pythonSchemas();
  const at = (op: string, opset: number) => reference[PAIRS.findIndex(([o, v]) => o === op && v === opset)]!;
  // python: Squeeze-11 has the attribute, Squeeze-13 the input.
  assert.ok(at('Squeeze', 11).attributes.includes('axes') && at('Squeeze', 13).inputs.includes('axes'));
  assert.deepEqual(opsetNote('', 'Squeeze', 11).laterChanges.find((c) => c.since === 13), { since: 13, change: 'attribute `axes` became an input' });
  assert.ok(opsetNote('', 'ReduceSum', 12).laterChanges.some((c) => c.since === 13 && c.change.includes('attribute `axes` became an input')));
  assert.ok(at('Pad', 11).inputs.includes('pads'));
  assert.ok(opsetNote('', 'Pad', 2).laterChanges.some((c) => c.since === 11 && c.change.includes('attribute `pads` became an input')));
  assert.deepEqual(opsetNote('', 'Conv', 14).laterChanges, []);
});

test('opset ranges: the model opset against each TensorRT version (8.6 up to 17; 10.1 9–20; 11.1 9–24); every node gets its note', () => {
  const modelAt = (opset: number) =>
    openModelBytes(bytesOf(model(graph({ node: [node('Relu', ['x'], ['y'], [], 'relu')], input: [valueInfo('x', tensorType(1, [1]))], output: [valueInfo('y')] }), opset)));
  const accepts = (opset: number) => tensorrtOpsetRanges(modelAt(opset)).map((r) => `${r.version}:${r.accepts}`);
  assert.deepEqual(accepts(7), ['8.6:true', '10.1:false', '11.1:false']);
  assert.deepEqual(accepts(17), ['8.6:true', '10.1:true', '11.1:true']);
  assert.deepEqual(accepts(20), ['8.6:false', '10.1:true', '11.1:true']);
  assert.deepEqual(accepts(23), ['8.6:false', '10.1:false', '11.1:true']);
  const notes = nodeOpsetNotes(modelAt(13));
  assert.deepEqual(notes.get('relu'), { domain: '', op: 'Relu', opset: 13, since: 13, deprecated: false, laterChanges: [] });
});
