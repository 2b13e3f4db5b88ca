import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkModel } from '../src/onnx/check/checker';
import { OpsetUpgradeError, upgradeOpset, type UpgradeResult } from '../src/onnx/edit/opset-upgrade';
import { BufferSource } from '../src/onnx/io/byte-source';
import { buildModel } from '../src/onnx/model/build';
import { decodeModelProto, encodeModelBytes } from '../src/onnx/open';
import { toNumber } from '../src/onnx/proto/byte-range';
import type { ModelProto } from '../src/onnx/proto/types';
import { suiteCases } from './helpers/corpus';
import { compareRuns, dataSetFeeds, QUIET } from './helpers/upgrade-check';
import * as ort from 'onnxruntime-node';

const load = (path: string): { bytes: Uint8Array; proto: ModelProto } => {
  const bytes = readFileSync(path);
  return { bytes, proto: decodeModelProto(new BufferSource(bytes, path)) };
};
const defaultOpset = (m: ModelProto): number => toNumber(m.opset_import.find((o) => !o.domain || o.domain === 'ai.onnx')?.version ?? 0);
const checkerErrors = (m: ModelProto): string[] => checkModel(buildModel(decodeModelProto(new BufferSource(encodeModelBytes(m), 'upgraded')))).filter((d) => d.severity === 'error').map((d) => `${d.code} ${d.message}`);

interface SweepOutcome {
  equal: string[];
  refused: string[];
  /** Cases whose original model onnxruntime does not run: nothing to compare against. */
  unrunnable: string[];
  wrong: string[];
  conversions: Map<string, number>;
}

/** Every conformance-suite model older than `target`: upgraded, checked, and run before and after on its own inputs. */
async function sweep(target: number): Promise<SweepOutcome> {
  const out: SweepOutcome = { equal: [], refused: [], unrunnable: [], wrong: [], conversions: new Map() };
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
    try {
      await (await ort.InferenceSession.create(bytes, QUIET)).release();
    } catch {
      out.unrunnable.push(c.name);
      continue;
    }
    if (!feeds) {
      out.unrunnable.push(c.name);
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

for (const target of [13, 18, 21]) {
  test(`every conformance-suite model older than opset ${target} is upgraded to run with the same outputs, or refused by node`, async () => {
    const o = await sweep(target);
    console.log(`# opset ${target}: ${o.equal.length} equal, ${o.refused.length} refused, ${o.unrunnable.length} not runnable before, ${o.wrong.length} wrong`);
    for (const [k, n] of o.conversions) console.log(`#   ${n}× ${k}`);
    for (const r of o.refused) console.log(`#   refused ${r}`);
    for (const r of o.unrunnable) console.log(`#   unrunnable ${r}`);
    assert.deepEqual(o.wrong, []);
  });
}
