import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CliError } from '../src/cli/load';
import { runTrtCheck } from '../src/cli/trt-check';
import { corpusModels, suiteCases } from './helpers/corpus';

interface TrtJson {
  summary: { nodes: number; supported: number; conditional: number; unsupported: number; supportedParameterShare: number };
  nodes: { id: string; status: string; reasons: string[] }[];
}

/** The subcommand in-process (a thousand models): a file problem is the CliError that main prints as one line. */
function trtCheck(path: string, version: string): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  try {
    const code = runTrtCheck([path, '--trt', version, '--json'], (s) => (stdout += s));
    return { code, stdout, stderr: '' };
  } catch (e) {
    if (e instanceof CliError) return { code: e.exitCode, stdout, stderr: `onnx-studio trt-check: ${e.message}` };
    throw e;
  }
}

test('conformance suite and corpus, every TensorRT version: no crash (not even one caught per node), every node a status, a reason wherever it is not supported', () => {
  const models = [...suiteCases().map((c) => c.model), ...corpusModels()];
  assert.ok(models.length > 900);
  for (const version of ['8.6', '10', '11']) {
    const tally = { models: 0, exit0: 0, exit1: 0, exit2: 0, supported: 0, conditional: 0, unsupported: 0 };
    for (const path of models) {
      const r = trtCheck(path, version);
      tally.models++;
      if (r.code === 2) {
        // A model that cannot be loaded: one clear line, no stack trace.
        assert.match(r.stderr, /^onnx-studio trt-check: \S/, path);
        assert.doesNotMatch(r.stderr, /\n\s+at /, path);
        tally.exit2++;
        continue;
      }
      assert.ok(r.code === 0 || r.code === 1, `${path}: exit ${r.code} ${r.stderr}`);
      const json = JSON.parse(r.stdout) as TrtJson;
      const s = json.summary;
      assert.equal(s.nodes, json.nodes.length, path);
      assert.equal(s.supported + s.conditional + s.unsupported, s.nodes, path);
      assert.equal(r.code, s.unsupported > 0 ? 1 : 0, path);
      assert.ok(s.supportedParameterShare >= 0 && s.supportedParameterShare <= 1, path);
      assert.equal(new Set(json.nodes.map((n) => n.id)).size, json.nodes.length, `${path}: node ids are unique`);
      for (const n of json.nodes) {
        assert.ok(['supported', 'conditional', 'unsupported'].includes(n.status), `${path} ${n.id}`);
        if (n.status !== 'supported') assert.ok(n.reasons.length > 0 && n.reasons.every((x) => x.length > 0), `${path} ${n.id}: no reason`);
        // compat.ts turns a per-node exception into `conditional` "could not be checked": a crash in disguise.
        for (const reason of n.reasons) assert.doesNotMatch(reason, /could not be checked/, `${path} ${n.id}`);
        tally[n.status as 'supported']++;
      }
      tally[r.code === 0 ? 'exit0' : 'exit1']++;
    }
    console.log(`TensorRT ${version}: ${JSON.stringify(tally)}`);
  }
});
