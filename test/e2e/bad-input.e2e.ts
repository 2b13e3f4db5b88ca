// Bad input in the real editor: HTML and script in model strings stay text, a 1 MB name, a
// Git LFS pointer, a truncated file and missing external data each get a clear message.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { attr, bytesOf, graph, model, node, tensorProto, tensorType, valueInfo } from '../helpers/models';
import { closeEditors as closeEditorsIn, openFromExplorer, openWorkbench, screenshot, webview, type Session } from './helpers';

const EVIL = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-bad-'));
let s: Session;

function write(name: string, bytes: Uint8Array | string): void {
  writeFileSync(join(dir, name), bytes);
}

before(async () => {
  const io = { input: [valueInfo('x', tensorType(1, [1, 4]))], output: [valueInfo('y', tensorType(1, [1, 4]))] };
  write('evil.onnx', bytesOf(model(graph({ ...io, name: EVIL, node: [node('Relu', ['x'], ['y'], [attr('note', EVIL)], EVIL)] }), 17, { producer_name: EVIL, metadata_props: [{ key: EVIL, value: EVIL }] })));
  write('long-name.onnx', bytesOf(model(graph({ ...io, node: [node('Relu', ['x'], ['y'], [], 'n'.repeat(1 << 20))] }))));
  write('lfs.onnx', 'version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n');
  const good = bytesOf(model(graph({ ...io, node: [node('Relu', ['x'], ['y'])] })));
  write('truncated.onnx', good.subarray(0, good.length - 5));
  const ext = tensorProto({ name: 'w', dims: [4], data_type: 1, data_location: 1, external_data: [{ key: 'location', value: 'missing.onnx.data' }] });
  write('missing-data.onnx', bytesOf(model(graph({ ...io, initializer: [ext], node: [node('Add', ['x', 'w'], ['y'])] }))));
  s = await openWorkbench(dir);
});
after(async () => {
  await s?.stop();
});

const closeEditors = (): Promise<void> => closeEditorsIn(s.page);

test('HTML and script in names, attributes and metadata are shown as text and never run', async () => {
  const frame = await openFromExplorer(s.page, 'evil.onnx');
  await frame.locator('#search').fill('onerror');
  await frame.locator('#search').press('Enter');
  const panel = frame.locator('#panel');
  await panel.locator('td', { hasText: 'window.__pwned=1' }).first().waitFor();
  assert.equal(await panel.locator('img, script').count(), 0);
  assert.equal(await frame.locator('body').evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  assert.equal(await s.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
  await screenshot(s.page, 'bad-input-html-names');
  await closeEditors();
});

test('a 1 MB node name renders, clipped on the canvas', async () => {
  const frame = await openFromExplorer(s.page, 'long-name.onnx');
  await frame.locator('#status', { hasText: '1 nodes' }).waitFor();
  await closeEditors();
});

for (const [file, message] of [
  ['lfs.onnx', /Git LFS pointer/],
  ['truncated.onnx', /at byte \d+/],
] as const) {
  test(`${file}: the editor explains what is wrong`, async () => {
    await s.page.getByRole('treeitem', { name: file, exact: true }).dblclick();
    const frame = webview(s.page);
    await frame.locator('#error h2').waitFor({ timeout: 30_000 });
    assert.match((await frame.locator('#error').textContent()) ?? '', message);
    await screenshot(s.page, `bad-input-${file}`);
    await closeEditors();
  });
}

test('missing external data: the graph shows, with a message naming the file', async () => {
  const frame = await openFromExplorer(s.page, 'missing-data.onnx');
  await frame.locator('#panel .error', { hasText: 'missing.onnx.data' }).waitFor();
  await screenshot(s.page, 'bad-input-missing-data');
  await closeEditors();
});
