// Hostile text from a profile reaches the terminal escaped (src/cli/printable.ts): here the tool
// version a trtexec log states, printed in the summary line (attack10).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI } from './helpers/corpus';
import { COOKBOOK, resnet18 } from './helpers/trtexec-profiles';

const TMP = mkdtempSync(join(tmpdir(), 'attack10-pending-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

test("the summary line prints the file's tool version escaped", () => {
  const log = readFileSync(join(COOKBOOK, 'result-05.log'), 'utf8').replace(/\] TensorRT version: .*/, '] TensorRT version: \u001b[2Jevil');
  const path = join(TMP, 'evil-version.log');
  writeFileSync(path, log);
  const r = spawnSync(process.execPath, [CLI, 'profile', '--import', path, '--model', resnet18()], { encoding: 'utf8' });
  assert.equal(r.status, 1, r.stderr);
  assert.ok(!/\u001b/.test(r.stdout + r.stderr), `raw escape in:\n${r.stdout.slice(-300)}${r.stderr}`);
});
