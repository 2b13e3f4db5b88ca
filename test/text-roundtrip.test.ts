import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { DiskModelFiles } from '../src/onnx/io/model-files';
import { buildModel } from '../src/onnx/model/build';
import type { Graph, Model } from '../src/onnx/model/graph';
import { typeToString } from '../src/onnx/model/value-type';
import { openModel } from '../src/onnx/open';
import { attributeText } from '../src/analysis/node-details';
import { parseModel } from '../src/onnx/text/parser';
import { printModel } from '../src/onnx/text/printer';
import { corpusModels, ROOT, suiteCases } from './helpers/corpus';

/** Attribute types the syntax has no literal for: printed as dropped, left out of the comparison. */
const UNPRINTABLE = new Set([11, 12, 13, 14]);

/** What "equal" means for the text round trip (issue: opsets, nodes, signature types, initializer values). */
function normalize(m: Model): unknown {
  const graph = (g: Graph): unknown => ({
    name: g.name,
    inputs: g.inputs.map((v) => [v.name, typeToString(v.type)]),
    outputs: g.outputs.map((v) => [v.name, typeToString(v.type)]),
    initializers: g.initializers.map((t) => [t.name, t.dtype, t.dims, t.read(Infinity).values]),
    nodes: g.nodes.map((n) => ({
      name: n.name, op: n.opType, domain: n.proto.domain ?? '', inputs: n.inputs, outputs: n.outputs,
      attributes: n.attributes.filter((a) => !UNPRINTABLE.has(a.type)).map((a) => [a.name, a.type, a.type === 5 || a.type === 10 ? null : attributeText(a)]),
      subgraphs: n.subgraphs.map(graph),
    })),
  });
  return { opsets: [...m.opsetImports], ir: m.irVersion, producer: m.proto.producer_name ?? '', graph: graph(m.graph), functions: m.functions.map((f) => [f.name, f.input, f.output, f.node.length]) };
}

function roundTrip(path: string): string | undefined {
  const original = openModel(path);
  try {
    const { text, dropped } = printModel(original.proto, { modelLocation: basename(path) });
    const hasUnprintable = [...original.graphs()].some((g) => g.nodes.some((n) => n.attributes.some((a) => UNPRINTABLE.has(a.type))));
    if (hasUnprintable && !dropped.some((d) => /attributes/.test(d))) return `${path}: an unprintable attribute was not reported as dropped`;
    const parsed = parseModel(text);
    if (parsed.diagnostics.length) return `${path}: ${parsed.diagnostics[0]!.message} at ${parsed.diagnostics[0]!.start}: ${text.slice(Math.max(0, parsed.diagnostics[0]!.start - 40), parsed.diagnostics[0]!.start + 40)}`;
    const back = buildModel(parsed.model, new DiskModelFiles(path));
    try {
      assert.deepEqual(normalize(back), normalize(original));
    } catch (e) {
      return `${path}: ${(e as Error).message.split('\n').slice(0, 12).join(' ')}`;
    } finally {
      back.close();
    }
    return undefined;
  } finally {
    original.close();
  }
}

test('print → parse gives back an equal model for every conformance-suite and corpus model', () => {
  const paths = [...suiteCases().map((c) => c.model), ...corpusModels()];
  const failures = paths.map(roundTrip).filter((x): x is string => !!x);
  console.log(`# text round trip: ${paths.length - failures.length}/${paths.length} models equal`);
  if (process.env.SHOW_FAILURES) console.log(failures.slice(0, 20).join('\n'));
  assert.deepEqual(failures, []);
});

test("python onnx's parser (1.12) reads our printed text where its older grammar allows, to the same graph", () => {
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-pytext-'));
  const expected = new Map<string, { ops: string[]; inputs: string[] }>();
  for (const c of suiteCases(['node'])) {
    const m = openModel(c.model);
    const file = join(dir, `${c.name}.onnxtxt`);
    writeFileSync(file, printModel(m.proto, { inlineLimit: Infinity }).text);
    expected.set(file, { ops: m.graph.nodes.map((n) => n.opType), inputs: m.graph.inputs.map((v) => v.name) });
    m.close();
  }
  const files = [...expected.keys()];
  const results: Record<string, { ok: boolean; ops?: string[]; inputs?: string[]; error?: string }> = {};
  for (let i = 0; i < files.length; i += 200) {
    const chunk = files.slice(i, i + 200);
    Object.assign(results, JSON.parse(execFileSync('/usr/bin/python3', [join(ROOT, 'scripts', 'python', 'parse_texts.py'), ...chunk], { maxBuffer: 64 << 20 }).toString()));
  }
  const accepted = files.filter((f) => results[f]!.ok);
  console.log(`# python onnx.parser 1.12 parses ${accepted.length}/${files.length} of our printed suite texts`);
  for (const f of accepted) assert.deepEqual({ ops: results[f]!.ops, inputs: results[f]!.inputs }, expected.get(f), f);
  assert.ok(accepted.length > files.length / 2);
});
