import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { checkModel } from '../src/onnx/check/checker';
import { COMPATIBLE, CONVERSIONS } from '../src/onnx/edit/conversions/table';
import { NEWEST_UPGRADE_OPSET, OpsetUpgradeError, upgradeOpset, type UpgradeResult } from '../src/onnx/edit/opset-upgrade';
import { allSchemas, opVersions } from '../src/onnx/schema/registry';
import { BufferSource } from '../src/onnx/io/byte-source';
import { buildModel } from '../src/onnx/model/build';
import { decodeModelProto, encodeModelBytes } from '../src/onnx/open';
import { toNumber } from '../src/onnx/proto/byte-range';
import type { ModelProto } from '../src/onnx/proto/types';
import { corpusModels, referenceOutputs, ROOT, suiteCases } from './helpers/corpus';
import { node, valueInfo } from './helpers/models';
import { feeds } from './helpers/corpus-feeds';
import { compareRuns, compareWithReference, dataSetFeeds, QUIET } from './helpers/upgrade-check';
import * as ort from 'onnxruntime-node';

const load = (path: string): { bytes: Uint8Array; proto: ModelProto } => {
  const bytes = readFileSync(path);
  return { bytes, proto: decodeModelProto(new BufferSource(bytes, path)) };
};
const defaultOpset = (m: ModelProto): number => toNumber(m.opset_import.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0);
const checkerErrors = (m: ModelProto): string[] => checkModel(buildModel(decodeModelProto(new BufferSource(encodeModelBytes(m), 'upgraded')))).filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);

/** Whether onnxruntime loads and runs the model on these feeds (sequence outputs, bfloat16 IO and some ops it lacks do not). */
async function runs(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<boolean> {
  try {
    const s = await ort.InferenceSession.create(bytes, QUIET);
    await s.run(feeds).finally(() => s.release());
    return true;
  } catch {
    return false;
  }
}

interface SweepOutcome {
  equal: string[];
  /** Upgraded models whose originals onnxruntime does not run, matching the suite's reference outputs. */
  equalToReference: string[];
  refused: string[];
  /** Cases whose original model onnxruntime does not run: nothing to compare against. */
  unrunnable: string[];
  wrong: string[];
  conversions: Map<string, number>;
}

/** Every conformance-suite model older than `target`: upgraded, checked, and run before and after on its own inputs. */
async function sweep(target: number): Promise<SweepOutcome> {
  const out: SweepOutcome = { equal: [], equalToReference: [], refused: [], unrunnable: [], wrong: [], conversions: new Map() };
  for (const c of suiteCases()) {
    const { bytes, proto } = load(c.model);
    if (defaultOpset(proto) >= target || defaultOpset(proto) === 0) continue;
    let result: UpgradeResult;
    try {
      result = upgradeOpset(proto, target);
    } catch (e) {
      if (!(e instanceof OpsetUpgradeError) || e.node === undefined) throw e;
      out.refused.push(`${c.name}: ${e.message}`);
      continue;
    }
    for (const n of result.converted) for (const ch of n.changes) out.conversions.set(`${n.opType}: ${ch.replace(/\d+/g, 'N')}`, (out.conversions.get(`${n.opType}: ${ch.replace(/\d+/g, 'N')}`) ?? 0) + 1);
    const errors = checkerErrors(result.model);
    if (errors.length) {
      out.wrong.push(`${c.name}: checker: ${errors[0]}`);
      continue;
    }
    const inputs = proto.graph!.input.filter((i) => !proto.graph!.initializer.some((t) => t.name === i.name)).map((i) => i.name ?? '');
    const feeds = dataSetFeeds(c.dir, inputs);
    let difference: string;
    if (!feeds) {
      out.unrunnable.push(c.name);
      continue;
    }
    if (!(await runs(bytes, feeds))) {
      // onnxruntime no longer runs some old operators (opset 6 pooling, say): the suite's own outputs are the reference then.
      const upgradedRuns = await runs(encodeModelBytes(result.model), feeds);
      const refs = referenceOutputs(c.dir);
      if (!upgradedRuns || !refs.length) out.unrunnable.push(c.name);
      else {
        const d = await compareWithReference(encodeModelBytes(result.model), feeds, refs, 1e-4);
        (d ? out.wrong : out.equalToReference).push(d ? `${c.name} (against the suite's outputs): ${d}` : c.name);
      }
      continue;
    }
    try {
      difference = await compareRuns(bytes, encodeModelBytes(result.model), feeds);
    } catch (e) {
      difference = `upgraded model fails: ${(e as Error).message.split('\n')[0]}`;
    }
    (difference ? out.wrong : out.equal).push(difference ? `${c.name}: ${difference}` : c.name);
  }
  return out;
}

for (const target of process.env.SWEEP === '0' ? [] : [13, 18, 21]) {
  test(`every conformance-suite model older than opset ${target} is upgraded to run with the same outputs, or refused by node`, async () => {
    const o = await sweep(target);
    console.log(`# opset ${target}: ${o.equal.length} equal, ${o.equalToReference.length} equal to the suite's outputs, ${o.refused.length} refused, ${o.unrunnable.length} not runnable before, ${o.wrong.length} wrong`);
    for (const [k, n] of o.conversions) console.log(`#   ${n}× ${k}`);
    for (const r of o.refused) console.log(`#   refused ${r}`);
    for (const r of o.unrunnable) console.log(`#   unrunnable ${r}`);
    assert.deepEqual(o.wrong, []);
  });
}

interface BuiltCase {
  name: string;
  target: number;
  refuse: string | null;
}

/** Models python onnx 1.12 builds for the changes the suite lacks (test/helpers/old-opset-models.py). */
function buildOldOpsetModels(): { dir: string; cases: BuiltCase[] } {
  const dir = mkdtempSync(join(tmpdir(), 'old-opsets-'));
  execFileSync('/usr/bin/python3', [join(ROOT, 'test', 'helpers', 'old-opset-models.py'), dir]);
  return { dir, cases: JSON.parse(readFileSync(join(dir, 'cases.json'), 'utf8')) as BuiltCase[] };
}

/** python onnx's checker (full check: strict shape inference) over saved models; '' per accepted model, else its message. */
function pythonCheck(paths: string[]): string[] {
  const out = execFileSync('/usr/bin/python3', ['-c', `
import json, sys, onnx
res = []
for p in json.load(sys.stdin):
    try:
        onnx.checker.check_model(onnx.load(p), full_check=True)
        res.append('')
    except Exception as e:
        res.append(str(e).splitlines()[0] if str(e) else type(e).__name__)
print(json.dumps(res))
`], { input: JSON.stringify(paths) });
  return JSON.parse(out.toString()) as string[];
}

const PYTHON_ONNX_NEWEST_OPSET = 17;

test('each conversion the suite lacks: upgraded models run in onnxruntime with the outputs of the original; refusals name the node', async () => {
  const { dir, cases } = buildOldOpsetModels();
  const toCheck: string[] = [];
  const seen = new Set<string>();
  try {
    for (const c of cases) {
      const { bytes, proto } = load(join(dir, c.name, 'model.onnx'));
      if (c.refuse !== null) {
        assert.throws(() => upgradeOpset(proto, c.target), (e: unknown) => e instanceof OpsetUpgradeError && e.node === c.refuse, `${c.name}: refused by node ${c.refuse}`);
        continue;
      }
      const result = upgradeOpset(proto, c.target);
      for (const n of result.converted) for (const ch of n.changes) seen.add(`${n.opType}: ${ch}`);
      assert.deepEqual(checkerErrors(result.model), [], `${c.name}: our checker`);
      const inputs = proto.graph!.input.filter((i) => !proto.graph!.initializer.some((t) => t.name === i.name)).map((i) => i.name ?? '');
      const feeds = dataSetFeeds(join(dir, c.name), inputs)!;
      const upgraded = encodeModelBytes(result.model);
      if (await runs(bytes, feeds)) assert.equal(await compareRuns(bytes, upgraded, feeds), '', c.name);
      else assert.equal(await compareWithReference(upgraded, feeds, referenceOutputs(join(dir, c.name))), '', `${c.name} (numpy reference: onnxruntime no longer runs the original)`);
      if (c.target <= PYTHON_ONNX_NEWEST_OPSET) {
        const path = join(dir, c.name, 'upgraded.onnx');
        writeFileSync(path, upgraded);
        toCheck.push(path);
      }
    }
    const verdicts = pythonCheck(toCheck);
    assert.deepEqual(toCheck.map((p, i) => verdicts[i] && `${p}: ${verdicts[i]}`).filter(Boolean), [], 'python onnx.checker (full_check)');
    for (const s of [...seen].sort()) console.log(`#   ${s}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('PP-OCR recognition and classification (opset 9) and detection (opset 11) upgraded to opset 13 run with the outputs of the originals', async () => {
  const paths = corpusModels().filter((p) => p.includes('_infer'));
  assert.equal(paths.length, 3);
  const saved: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'ppocr-13-'));
  try {
    for (const path of paths) {
      const { bytes, proto } = load(path);
      const result = upgradeOpset(proto, 13);
      assert.equal(defaultOpset(result.model), 13);
      assert.equal(result.irVersion.after, result.irVersion.before, 'IR version kept');
      assert.deepEqual(checkerErrors(result.model), [], `${path}: our checker`);
      const upgraded = encodeModelBytes(result.model);
      assert.equal(await compareRuns(bytes, upgraded, feeds(path), 1e-6), '', path);
      const counts = new Map<string, number>();
      for (const n of result.converted) counts.set(n.opType, (counts.get(n.opType) ?? 0) + 1);
      console.log(`# ${basename(path)}: opset ${result.fromOpset} → 13, ${result.converted.length} nodes converted (${[...counts].map(([op, n]) => `${n} ${op}`).join(', ')}), ${result.addedInitializers.length} initializers and ${result.addedNodes.length} nodes added`);
      const out = join(dir, basename(path));
      writeFileSync(out, upgraded);
      saved.push(out);
    }
    assert.deepEqual(pythonCheck(saved), saved.map(() => ''), 'python onnx.checker (full_check)');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the input model is left as it was, also when the upgrade is refused', () => {
  const path = corpusModels().find((p) => p.includes('rec_infer'))!;
  const { bytes, proto } = load(path);
  upgradeOpset(proto, 13);
  assert.ok(Buffer.from(encodeModelBytes(proto)).equals(bytes), 'the input re-encodes to its own bytes');
  // The same model with a Dropout at its end whose mask (a graph output) Dropout-10 would turn into bool.
  const g = proto.graph!;
  const refused: ModelProto = { ...proto, graph: { ...g, node: [...g.node, node('Dropout', [g.output[0]!.name!], ['dropped', 'mask'], [], 'read_mask')], output: [...g.output, valueInfo('mask')] } };
  const before = encodeModelBytes(refused);
  assert.throws(() => upgradeOpset(refused, 13), (e: unknown) => e instanceof OpsetUpgradeError && e.node === 'read_mask' && e.opType === 'Dropout');
  assert.ok(Buffer.from(encodeModelBytes(refused)).equals(before), 'the refused input is unchanged');
});

test('requests the upgrade cannot meet are refused as a whole', () => {
  const { proto } = load(corpusModels().find((p) => p.includes('det_infer'))!);
  for (const target of [10, 22, 13.5]) {
    assert.throws(() => upgradeOpset(proto, target), (e: unknown) => e instanceof OpsetUpgradeError && e.node === undefined, `target ${target}`);
  }
  const same = upgradeOpset(proto, 11);
  assert.deepEqual(same.converted, []);
});

test('the conversion table classifies every operator version from opset 7 to 21, and only versions that exist', () => {
  const unclassified: string[] = [];
  for (const [domain, op, schema] of allSchemas()) {
    if (domain !== '' || schema.since < 7 || schema.since > NEWEST_UPGRADE_OPSET) continue;
    const older = opVersions('', op)!.some((s) => s.since < schema.since);
    if (!older) continue;
    const known = CONVERSIONS[op]?.[schema.since] !== undefined || COMPATIBLE[schema.since]?.includes(op);
    if (!known) unclassified.push(`${op}-${schema.since}`);
  }
  // Opset 7's recurrent ops and Upsample left the experimental forms behind: refused, not converted.
  assert.deepEqual(unclassified.sort(), ['GRU-7', 'LSTM-7', 'RNN-7', 'Upsample-7']);
  const bogus: string[] = [];
  for (const [v, ops] of Object.entries(COMPATIBLE)) for (const op of ops) if (!opVersions('', op)?.some((s) => s.since === Number(v))) bogus.push(`${op}-${v}`);
  for (const [op, steps] of Object.entries(CONVERSIONS)) for (const v of Object.keys(steps)) if (!opVersions('', op)?.some((s) => s.since === Number(v))) bogus.push(`${op}-${v}`);
  assert.deepEqual(bogus, []);
});

test('Silero VAD (opset 16, weights inside If subgraphs) upgraded to opsets 18 and 21 runs with the outputs of the original', async () => {
  for (const path of corpusModels().filter((p) => p.includes('silero'))) {
    const { bytes, proto } = load(path);
    for (const target of [18, 21]) {
      const result = upgradeOpset(proto, target);
      assert.deepEqual(checkerErrors(result.model), [], `${path} → ${target}: our checker`);
      assert.equal(await compareRuns(bytes, encodeModelBytes(result.model), feeds(path), 1e-6), '', `${path} → ${target}`);
      console.log(`# ${basename(path)} → opset ${target}: ${result.converted.length} nodes converted (${[...new Set(result.converted.map((n) => n.opType))].join(', ')}), IR ${result.irVersion.before} → ${result.irVersion.after}`);
    }
  }
});

test('torchvision ResNet-18 and MobileNetV3-small exported at opsets 9 and 11 upgraded to 13 run with the outputs of the originals', async () => {
  const dir = join(ROOT, '.cache', 'models');
  const names = ['resnet18-opset9', 'mobilenet_v3_small-opset9', 'mobilenet_v3_small-opset11'];
  const paths = names.map((n) => join(dir, `${n}.onnx`));
  for (const p of paths) assert.ok(existsSync(p), `${p} is missing: run scripts/fetch-models.sh`);
  const image = new ort.Tensor('float32', Float32Array.from({ length: 3 * 224 * 224 }, (_, i) => Math.sin(i * 0.013) + Math.cos(i * 0.0007)), [1, 3, 224, 224]);
  const out = mkdtempSync(join(tmpdir(), 'torchvision-13-'));
  try {
    const saved: string[] = [];
    for (const path of paths) {
      const { bytes, proto } = load(path);
      const result = upgradeOpset(proto, 13);
      assert.deepEqual(checkerErrors(result.model), [], `${path}: our checker`);
      const upgraded = encodeModelBytes(result.model);
      const input = proto.graph!.input[0]!.name!;
      assert.equal(await compareRuns(bytes, upgraded, { [input]: image }, 1e-6), '', path);
      console.log(`# ${basename(path)}: opset ${result.fromOpset} → 13, ${result.converted.length} nodes converted (${[...new Set(result.converted.map((n) => n.opType))].join(', ')})`);
      saved.push(join(out, basename(path)));
      writeFileSync(saved[saved.length - 1]!, upgraded);
    }
    assert.deepEqual(pythonCheck(saved), saved.map(() => ''), 'python onnx.checker (full_check)');
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
