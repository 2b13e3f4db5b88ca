import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { nodeOpsetNotes, opsetNote, tensorrtOpsetRanges } from '../src/analysis/tensorrt/opset-notes';
import { SEMANTIC_CHANGES } from '../src/analysis/tensorrt/semantic-changes';
import { openModelBytes } from '../src/onnx/open';
import { ROOT } from './helpers/corpus';
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
  assert.deepEqual(notes.get('relu'), { domain: '', op: 'Relu', opset: 13, since: 13, deprecated: false, deprecatedSince: null, laterChanges: [] });
});

const CHANGELOG = join(process.env.ONNX_STUDIO_SHARED ?? join(ROOT, '..', 'shared'), 'reference', 'onnx', 'Changelog.md');

/** The changelog section of `op-version`, and the version before it there. */
function changelogSections(text: string, op: string, since: number): { previous: string; current: string } {
  const anchors = [...text.matchAll(/### <a name="([^"]+)-(\d+)"><\/a>/g)].map((m) => ({ op: m[1]!, v: Number(m[2]), at: m.index }));
  const sectionAt = (i: number): string => text.slice(anchors[i]!.at, anchors[i + 1]?.at ?? text.length);
  const current = anchors.findIndex((a) => a.op === op && a.v === since);
  const earlier = anchors.map((a, i) => ({ ...a, i })).filter((a) => a.op === op && a.v < since).sort((a, b) => b.v - a.v)[0];
  assert.ok(current >= 0 && earlier, `${op}-${since} and an earlier version in Changelog.md`);
  return { previous: sectionAt(earlier.i), current: sectionAt(current) };
}

test('semantic changes: each row of the table is borne out by the changelog text of the two versions', () => {
  const text = readFileSync(CHANGELOG, 'utf8');
  for (const c of SEMANTIC_CHANGES) {
    const { previous, current } = changelogSections(text, c.op, c.since);
    assert.ok(c.before || c.after, `${c.op}-${c.since}`);
    if (c.before) assert.ok(previous.includes(c.before) && !current.includes(c.before), `${c.op}-${c.since}: before`);
    if (c.after) assert.ok(current.includes(c.after) && !previous.includes(c.after), `${c.op}-${c.since}: after`);
  }
  assert.deepEqual(SEMANTIC_CHANGES.filter((c) => c.since === 13 && c.op.endsWith('max')).map((c) => c.op), ['Softmax', 'LogSoftmax', 'Hardmax']);
});

test('opset notes: Softmax-11 names the axis change at 13; Upsample-9 is deprecated from 10 (python onnx: Upsample-10 deprecated)', () => {
  const text = readFileSync(CHANGELOG, 'utf8');
  for (const op of ['Softmax', 'LogSoftmax', 'Hardmax']) {
    const note = opsetNote('', op, 11);
    assert.equal(note.since, 11);
    const at13 = note.laterChanges.find((c) => c.since === 13);
    assert.ok(at13 && at13.change.includes('single axis'), op);
    // The 13 section says so; the 11 one flattens.
    const { previous, current } = changelogSections(text, op, 13);
    assert.match(previous, /coerced into a 2-dimensional tensor/);
    assert.match(current, /indicates the dimension along which/);
    assert.equal(opsetNote('', op, 13).laterChanges.some((c) => c.since === 13), false);
  }
  const reference = pythonSchemas();
  const at = (op: string, opset: number) => reference[PAIRS.findIndex(([o, v]) => o === op && v === opset)]!;
  assert.equal(at('Upsample', 9).deprecated, false);
  assert.equal(at('Upsample', 10).deprecated, true);
  const up9 = opsetNote('', 'Upsample', 9);
  assert.equal(up9.deprecated, false);
  assert.equal(up9.deprecatedSince, 10);
  assert.ok(up9.laterChanges.some((c) => c.since === 10 && c.change.includes('deprecated')));
  assert.equal(opsetNote('', 'Upsample', 10).deprecatedSince, 10);
  assert.ok(opsetNote('', 'Resize', 11).laterChanges.some((c) => c.since === 13 && c.change.includes('tf_half_pixel_for_nn')));
});
