import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { printable } from '../src/cli/printable';
import { CLI, ROOT } from './helpers/corpus';

// What TensorRT's parser refuses before any node (a model opset outside the version's range, a
// model our checker finds unloadable), restrictions on values the graph cannot know (a runtime
// TopK K, a runtime zero point), and names that would rewrite the terminal. Models come from
// python onnx (test/helpers/trt_refused_models.py); expected verdicts from the matrix markdown.

const PYTHON = '/usr/bin/python3';
const FIXTURES = join(process.env.ONNX_STUDIO_SHARED ?? join(ROOT, '..', 'shared'), 'fixtures', 'tensorrt');
const MATRIX_FILES = { '8.6': 'operators-8.6.md', '10.1': 'operators-10.1.md', '11.1': 'operators.md' } as const;
type Version = keyof typeof MATRIX_FILES;
const VERSIONS = Object.keys(MATRIX_FILES) as Version[];

const dir = mkdtempSync(join(tmpdir(), 'trt-refusals-'));
after(() => rmSync(dir, { recursive: true, force: true }));
execFileSync(PYTHON, [join(ROOT, 'test', 'helpers', 'trt_refused_models.py'), dir]);

interface TrtJson {
  summary: { unsupported: number };
  nodes: { name: string; domain: string; status: string; reasons: string[] }[];
}

const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });

function trtCheck(name: string, version: Version, ...args: string[]): { status: number | null; json: TrtJson; byName: Map<string, TrtJson['nodes'][number]> } {
  const r = cli('trt-check', join(dir, `${name}.onnx`), '--trt', version, '--json', ...args);
  assert.ok(r.status === 0 || r.status === 1, `${name} ${version}: exit ${r.status} ${r.stderr}`);
  const json = JSON.parse(r.stdout) as TrtJson;
  return { status: r.status, json, byName: new Map(json.nodes.map((n) => [n.name, n])) };
}

/** The opset range from the matrix header: "inclusive range of opset 9 to opset 20" or "up to Opset 17". */
function headerRange(version: Version): { min: number | null; max: number; text: string } {
  const md = readFileSync(join(FIXTURES, MATRIX_FILES[version]), 'utf8');
  const both = /inclusive range of opset (\d+) to opset (\d+)/i.exec(md);
  if (both) return { min: Number(both[1]), max: Number(both[2]), text: `${both[1]}–${both[2]}` };
  const upTo = /up to opset (\d+)/i.exec(md)!;
  return { min: null, max: Number(upTo[1]), text: `up to ${upTo[1]}` };
}

/** The restriction cell of an op's row in the matrix markdown ('' when it has none). */
function restrictionCell(version: Version, op: string): string {
  const md = readFileSync(join(FIXTURES, MATRIX_FILES[version]), 'utf8');
  const row = md.split('\n').find((l) => l.split('|')[1]?.trim() === op)!;
  return row.split('|')[4]?.trim() ?? '';
}

test('model opset outside the version range: every default-domain node unsupported, naming the opset and the range; a declared plugin node is not', () => {
  for (const version of VERSIONS) {
    const range = headerRange(version);
    for (const opset of [8, 17, 18, 99]) {
      const outside = opset > range.max || (range.min !== null && opset < range.min);
      const { status, json, byName } = trtCheck(`relu-opset${opset}`, version, '--plugins', 'com.example::MyOp');
      const where = `opset ${opset} on ${version}`;
      assert.equal(status, outside ? 1 : 0, where);
      for (const name of ['relu', 'add']) {
        const n = byName.get(name)!;
        assert.equal(n.status, outside ? 'unsupported' : 'supported', `${where} ${name}: ${n.reasons.join('; ')}`);
        if (outside) assert.ok(n.reasons.some((r) => r.includes(`opset ${opset}`) && r.includes(`TensorRT ${version}`) && r.includes(range.text)), `${where} ${name}: ${n.reasons.join('; ')}`);
      }
      assert.equal(byName.get('custom')!.status, 'conditional', where);
      assert.ok(byName.get('custom')!.reasons.every((r) => !r.includes(`opset ${opset}`)), where);
      assert.equal(json.summary.unsupported, outside ? 2 : 0, where);
    }
  }
});

test('TopK with K a graph input: conditional where the row restricts K ("less than 3840"), supported where it does not', () => {
  for (const version of VERSIONS) {
    const restricted = restrictionCell(version, 'TopK').includes('`K` input must be less than 3840');
    const { status, byName } = trtCheck('topk-runtime-k', version);
    const topk = byName.get('topk')!;
    assert.equal(status, 0, version);
    assert.equal(topk.status, restricted ? 'conditional' : 'supported', `${version}: ${topk.reasons.join('; ')}`);
    if (restricted) assert.ok(topk.reasons.some((r) => /^condition: `K` input must be less than 3840: .*not known before the build.*'k'/.test(r)), topk.reasons.join('; '));
  }
  assert.ok(VERSIONS.some((v) => restrictionCell(v, 'TopK').includes('3840')), 'some matrix restricts K');
});

test('DequantizeLinear with a runtime zero point: conditional where the row says the zero point must be zero (not "must be an initializer")', () => {
  for (const version of VERSIONS) {
    const cell = restrictionCell(version, 'DequantizeLinear');
    assert.match(cell, /`x_zero_point` must be zero/, version);
    assert.doesNotMatch(cell, /initializer/, version);
    const { byName } = trtCheck('dq-runtime-zp', version);
    const dq = byName.get('dq')!;
    assert.equal(dq.status, 'conditional', `${version}: ${dq.reasons.join('; ')}`);
    assert.ok(dq.reasons.some((r) => r.includes('`x_zero_point` must be zero') && r.includes("graph input 'zp'")), dq.reasons.join('; '));
  }
});

test('static dims (EyeLike, Hardmax): an unset graph-input dim is dynamic (unsupported); dims our inference cannot tell are a condition', () => {
  for (const version of ['10.1', '11.1'] as const) {
    assert.match(restrictionCell(version, 'EyeLike'), /`input` must have static dimensions/);
    assert.match(restrictionCell(version, 'Hardmax'), /`axis` dimension of input must be a build-time constant/);
    const { byName } = trtCheck('dims-unknown', version);
    for (const name of ['eye_computed', 'hardmax_computed']) {
      assert.equal(byName.get(name)!.status, 'conditional', `${version} ${name}: ${byName.get(name)!.reasons.join('; ')}`);
      assert.match(byName.get(name)!.reasons[0]!, /^condition: .*unknown; (it|they) must be static/);
    }
    for (const name of ['eye_unset', 'hardmax_unset']) {
      assert.equal(byName.get(name)!.status, 'unsupported', `${version} ${name}`);
      assert.match(byName.get(name)!.reasons[0]!, /dynamic .*\(unset\)/);
    }
  }
});

test('models the checker finds unloadable: exit 2, nothing on stdout, the checker errors as `onnx-studio check` words them', () => {
  const cases: [string, string][] = [['cycle', 'E204'], ['selfloop', 'E204'], ['undefined', 'E201'], ['ext-outside', 'E303'], ['ext-missing', 'E303'], ['huge-declared', 'E302']];
  for (const [name, code] of cases) {
    const path = join(dir, `${name}.onnx`);
    const checkLines = cli('check', path).stdout.split('\n');
    for (const args of [[], ['--json']]) {
      const r = cli('trt-check', path, ...args);
      assert.equal(r.status, 2, `${name}: ${r.stderr}`);
      assert.equal(r.stdout, '', name);
      const [first, ...listed] = r.stderr.trimEnd().split('\n');
      assert.match(first!, /^onnx-studio trt-check: .*TensorRT's ONNX parser would refuse the whole model/, name);
      assert.ok(listed.length > 0, name);
      assert.ok(listed.some((l) => l.includes(`error ${code} `)), `${name}: ${r.stderr}`);
      for (const l of listed) assert.ok(checkLines.includes(l.trim()), `${name}: '${l.trim()}' is not a line of onnx-studio check`);
    }
  }
});

test('a call of a recursive local function is unsupported (onnx.proto: recursive references are not allowed); a plain one stays conditional', () => {
  const proto = readFileSync(join(process.env.ONNX_STUDIO_SHARED ?? join(ROOT, '..', 'shared'), 'reference', 'onnx', 'onnx.proto'), 'utf8');
  assert.match(proto.replace(/\s*\/\/\s*/g, ' '), /recursive reference is not allowed/);
  for (const version of VERSIONS) {
    const { status, byName } = trtCheck('functions', version);
    assert.equal(status, 1, version);
    assert.equal(byName.get('ping')!.status, 'unsupported', version);
    assert.match(byName.get('ping')!.reasons[0]!, /'my\.dom::P[io]ng' calls itself/);
    assert.equal(byName.get('fine')!.status, 'conditional', version);
  }
});

test('text output escapes control characters in names and domains; --json keeps them as they are', () => {
  const path = join(dir, 'escapes.onnx');
  const name = 'evil\x1b[31mRED\nsupported fake_line';
  for (const command of ['trt-check', 'check']) {
    const text = cli(command, path).stdout;
    assert.doesNotMatch(text, /[\u0000-\u0009\u000b-\u001f\u007f]/, command);
    assert.ok(text.split('\n').every((l) => !l.startsWith('supported fake_line')), command);
  }
  const trtText = cli('trt-check', path).stdout;
  assert.ok(trtText.includes('unsupported evil\\x1b[31mRED\\nsupported fake_line (d\\nFAKE::Foo)'), trtText);
  const json = JSON.parse(cli('trt-check', path, '--json').stdout) as TrtJson;
  const evil = json.nodes.find((n) => n.name === name)!;
  assert.equal(evil.domain, 'd\nFAKE');
  assert.equal(evil.status, 'unsupported');
});

test('printable: controls, DEL, C1 and bidi/zero-width characters escaped; other text unchanged', () => {
  assert.equal(printable('a\nb\r\tc\x1b[0m\x00\x7f\x9b'), 'a\\nb\\r\\tc\\x1b[0m\\x00\\x7f\\x9b');
  assert.equal(printable('x\u202ey\u200bz\u2028\ufeff'), 'x\\u202ey\\u200bz\\u2028\\ufeff');
  assert.equal(printable('Conv_1/résumé 名前 ×3 – ok\\n'), 'Conv_1/résumé 名前 ×3 – ok\\n');
});
