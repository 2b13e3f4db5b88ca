import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkModel } from '../src/onnx/check/checker';
import type { RuleName } from '../src/onnx/check/diagnostics';
import { BufferSource } from '../src/onnx/io/byte-source';
import { MemoryModelFiles } from '../src/onnx/io/model-files';
import { buildModel } from '../src/onnx/model/build';
import { decodeModelProto } from '../src/onnx/open';
import type { ModelProto, NodeProto } from '../src/onnx/proto/types';
import { opVersions, resolveSchema } from '../src/onnx/schema/registry';
import { toNumber } from '../src/onnx/proto/byte-range';
import { corpusModels, suiteCases } from './helpers/corpus';

/** A seeded PRNG so that failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

interface Mutation {
  name: string;
  expect: RuleName;
  /** Mutates the proto; returns false when the model offers no place for this defect. */
  apply(m: ModelProto, rand: () => number): boolean;
}

const defaultOpset = (m: ModelProto): number => toNumber(m.opset_import.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0);
const pick = <T>(xs: T[], rand: () => number): T | undefined => xs[Math.floor(rand() * xs.length)];
const defaultNodes = (m: ModelProto): NodeProto[] => m.graph!.node.filter((n) => !n.domain || n.domain === 'ai.onnx');

const MUTATIONS: Mutation[] = [
  {
    name: 'drop a required attribute',
    expect: 'missing-attribute',
    apply(m, rand) {
      const v = defaultOpset(m);
      const candidates = defaultNodes(m).filter((n) => resolveSchema('', n.op_type!, v)?.attributes.some((a) => a.required && n.attribute.some((x) => x.name === a.name)));
      const n = pick(candidates, rand);
      if (!n) return false;
      const required = resolveSchema('', n.op_type!, v)!.attributes.filter((a) => a.required).map((a) => a.name);
      n.attribute = n.attribute.filter((a) => a.name !== required[0]);
      return true;
    },
  },
  {
    name: 'point an input at an undefined value',
    expect: 'undefined-value',
    apply(m, rand) {
      const n = pick(m.graph!.node.filter((x) => x.input.some(Boolean)), rand);
      if (!n) return false;
      const i = n.input.findIndex(Boolean);
      n.input[i] = '__undefined_value__';
      return true;
    },
  },
  {
    name: 'swap a producer after its consumer',
    expect: 'not-topologically-sorted',
    apply(m, rand) {
      const nodes = m.graph!.node;
      const pairs: [number, number][] = [];
      nodes.forEach((n, j) => n.input.forEach((name) => {
        const i = nodes.findIndex((p) => p.output.includes(name));
        if (name && i >= 0 && i < j) pairs.push([i, j]);
      }));
      const pair = pick(pairs, rand);
      if (!pair) return false;
      const [i, j] = pair;
      [nodes[i], nodes[j]] = [nodes[j]!, nodes[i]!];
      return true;
    },
  },
  {
    name: 'lower the opset below an operator it uses',
    expect: 'unknown-op',
    apply(m) {
      // The op introduced last among those used: one opset below its first version, it does not exist.
      const firsts = defaultNodes(m).map((n) => opVersions('', n.op_type!)?.[0]?.since ?? 1);
      const newest = Math.max(1, ...firsts);
      if (newest <= 1) return false;
      m.opset_import.find((o) => !o.domain || o.domain === 'ai.onnx')!.version = newest - 1;
      return true;
    },
  },
  {
    name: 'break the type of a graph input',
    expect: 'type-constraint',
    apply(m) {
      const v = defaultOpset(m);
      const inits = new Set(m.graph!.initializer.map((t) => t.name));
      for (const input of m.graph!.input) {
        if (inits.has(input.name) || !input.type?.tensor_type) continue;
        const consumers = defaultNodes(m).filter((n) => n.input.includes(input.name!));
        const rejectsString = consumers.some((n) => {
          const s = resolveSchema('', n.op_type!, v);
          const formal = s?.inputs[Math.min(n.input.indexOf(input.name!), s.inputs.length - 1)];
          const allowed = formal && (s!.typeConstraints[formal.type] ?? [formal.type]);
          return allowed && !allowed.includes('tensor(string)');
        });
        if (rejectsString) {
          input.type.tensor_type.elem_type = 8;
          return true;
        }
      }
      return false;
    },
  },
];

function runMutations(paths: string[], seed: number): Record<string, number> {
  const rand = rng(seed);
  const applied: Record<string, number> = {};
  for (const path of paths) {
    const bytes = readFileSync(path);
    const fresh = (): ModelProto => decodeModelProto(new BufferSource(bytes, path));
    const baseline = checkModel(buildModel(fresh(), new MemoryModelFiles(bytes)));
    const before = new Set(baseline.map((d) => d.rule));
    for (const mut of MUTATIONS) {
      const proto = fresh();
      if (!mut.apply(proto, rand)) continue;
      if (before.has(mut.expect)) continue; // the unmutated model already has this finding
      const found = checkModel(buildModel(proto, new MemoryModelFiles(bytes)));
      assert.ok(found.some((d) => d.rule === mut.expect && d.severity === 'error'), `${path}: '${mut.name}' not flagged as ${mut.expect}; got ${found.map((d) => d.rule).join(', ') || 'nothing'}`);
      applied[mut.name] = (applied[mut.name] ?? 0) + 1;
    }
  }
  return applied;
}

test('the checker flags every seeded defect in the corpus models', () => {
  const applied = runMutations(corpusModels(), 42);
  for (const m of MUTATIONS) assert.ok((applied[m.name] ?? 0) > 0, `mutation '${m.name}' found no place in the corpus`);
});

test('the checker flags every seeded defect in 300 conformance-suite models', () => {
  const rand = rng(7);
  const cases = suiteCases(['node']).filter(() => rand() < 0.33).slice(0, 300);
  assert.equal(cases.length, 300);
  const applied = runMutations(cases.map((c) => c.model), 7);
  console.log(`# seeded defects flagged: ${JSON.stringify(applied)}`);
  for (const m of MUTATIONS) assert.ok((applied[m.name] ?? 0) > 5, `mutation '${m.name}' applied only ${applied[m.name] ?? 0} times`);
});

test('valid models: no checker errors on the corpus and the whole conformance suite', () => {
  const paths = [...corpusModels(), ...suiteCases().map((c) => c.model)];
  const failures: string[] = [];
  for (const p of paths) {
    const bytes = readFileSync(p);
    const errors = checkModel(buildModel(decodeModelProto(new BufferSource(bytes, p)), new MemoryModelFiles(bytes))).filter((d) => d.severity === 'error');
    if (errors.length) failures.push(`${p}: ${errors.map((e) => e.message).join('; ')}`);
  }
  assert.deepEqual(failures, []);
});
