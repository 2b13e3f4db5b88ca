// The language server's external-data findings: references resolve against the text's folder
// (also before the text is written there), and each finding sits on its tensor's name.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { analyze } from '../src/server/analysis';

const TEXT = `<
   ir_version: 8,
   opset_import: ["" : 17]
>
g (float[4] x) => (float[4] z)
<float[4] w = ["location": "w.bin"], float[4] gone = ["location": "gone.bin"]>
{
   y = Add (x, w)
   z = Add (y, gone)
}
`;

test('external data of a text: found beside the text (saved or not yet), a missing file flagged at its tensor', () => {
  const dir = mkdtempSync(join(tmpdir(), 'osa-'));
  try {
    writeFileSync(join(dir, 'w.bin'), new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer));
    for (const textPath of [join(dir, 'saved.onnxtxt'), join(dir, 'not-yet-written.onnxtxt')]) {
      if (textPath.endsWith('saved.onnxtxt')) writeFileSync(textPath, TEXT);
      const a = analyze(TEXT, textPath);
      assert.deepEqual(a.parse.diagnostics, []);
      const external = a.findings.filter((f) => f.code === 'E303');
      assert.equal(external.length, 1, external.map((f) => f.message).join('; '));
      assert.match(external[0]!.message, /gone\.bin/);
      assert.equal(TEXT.slice(external[0]!.start, external[0]!.end), 'gone');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
