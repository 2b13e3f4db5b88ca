import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { opVersions, resolveSchema } from '../src/onnx/schema/registry';
import { ROOT } from './helpers/corpus';

interface PyFormal { name: string; type: string; option: 'single' | 'optional' | 'variadic'; homogeneous: boolean }
interface PySchema {
  domain: string; name: string; since: number; deprecated: boolean;
  inputs: PyFormal[]; outputs: PyFormal[];
  minInputs: number; maxInputs: number; minOutputs: number; maxOutputs: number;
  attributes: Record<string, { type: string; required: boolean }>;
  typeConstraints: Record<string, string[]>;
}

const INT_MAX = 2147483647;
/**
 * Where ONNX corrected an old version's documentation after 1.12 and the 1.23 changelog (our
 * source) differs on purpose: GridSample-16 swapped T1/T2 of grid and Y; Erf-13 lost the
 * integer types it never implemented.
 */
const UPSTREAM_REVISIONS = new Set(['ai.onnx.GridSample-16', 'ai.onnx.Erf-13']);
/** Python 1.12 knows opsets up to these; newer versions are the changelog's alone. */
const PY_LIMIT: Record<string, number> = { '': 17, 'ai.onnx.ml': 3, 'ai.onnx.preview.training': 1 };

test('the registry matches python onnx 1.12 for every op and version up to opset 17', () => {
  const dump = JSON.parse(execFileSync('/usr/bin/python3', [join(ROOT, 'scripts', 'python', 'dump_schemas.py')], { maxBuffer: 64 << 20 }).toString()) as { schemas: PySchema[] };
  let compared = 0;
  const problems: string[] = [];
  for (const py of dump.schemas) {
    const limit = PY_LIMIT[py.domain];
    if (limit === undefined || py.since > limit) continue;
    const id = `${py.domain || 'ai.onnx'}.${py.name}-${py.since}`;
    if (UPSTREAM_REVISIONS.has(id)) continue;
    const ours = opVersions(py.domain, py.name)?.find((s) => s.since === py.since);
    if (!ours) {
      problems.push(`${id}: missing from the registry`);
      continue;
    }
    compared++;
    assert.equal(resolveSchema(py.domain, py.name, py.since), ours);
    const fmt = (fs: PyFormal[]): string => fs.map((f) => `${f.name}:${f.type}:${f.option}${f.homogeneous ? '' : ':het'}`).join(' ');
    const mine = (fs: typeof ours.inputs): string =>
      fs.map((f) => `${f.name}:${f.type}:${f.variadic ? 'variadic' : f.optional ? 'optional' : 'single'}${f.heterogeneous ? ':het' : ''}`).join(' ');
    if (fmt(py.inputs) !== mine(ours.inputs)) problems.push(`${id}: inputs ${mine(ours.inputs)} ≠ ${fmt(py.inputs)}`);
    if (fmt(py.outputs) !== mine(ours.outputs)) problems.push(`${id}: outputs ${mine(ours.outputs)} ≠ ${fmt(py.outputs)}`);
    const max = (n: number): number => (n >= INT_MAX ? -1 : n);
    const arity = `${py.minInputs}..${max(py.maxInputs)} → ${py.minOutputs}..${max(py.maxOutputs)}`;
    const ourArity = `${ours.minInputs}..${ours.maxInputs} → ${ours.minOutputs}..${ours.maxOutputs}`;
    if (arity !== ourArity) problems.push(`${id}: arity ${ourArity} ≠ ${arity}`);
    const attrs = Object.fromEntries(ours.attributes.map((a) => [a.name, { type: a.type, required: !!a.required }]));
    try {
      assert.deepEqual(attrs, py.attributes);
    } catch {
      problems.push(`${id}: attributes ${JSON.stringify(attrs)} ≠ ${JSON.stringify(py.attributes)}`);
    }
    const tc = Object.fromEntries(Object.entries(ours.typeConstraints).map(([k, v]) => [k, [...v].sort()]));
    try {
      assert.deepEqual(tc, py.typeConstraints);
    } catch {
      problems.push(`${id}: type constraints ${JSON.stringify(tc)} ≠ ${JSON.stringify(py.typeConstraints)}`);
    }
    if (!!ours.deprecated !== py.deprecated) problems.push(`${id}: deprecated ${!!ours.deprecated} ≠ ${py.deprecated}`);
  }
  console.log(`# registry cross-checked against python onnx on ${compared} schema versions`);
  assert.deepEqual(problems, []);
  assert.ok(compared > 400, `compared ${compared}`);
});
