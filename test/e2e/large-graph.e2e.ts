// Pan and zoom with 10k nodes on screen, in the real editor: every step is drawn, and `-` folds a
// group. Frame times are printed, not asserted (scripts/bench-editor.sh collects them; the aim is
// 60 fps, i.e. frames drawn in under 16.7 ms).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openFromExplorer, openWorkbench, renderedAfter, ROOT, screenshot, until, type Session } from './helpers';

let s: Session;
before(async () => {
  s = await openWorkbench(join(ROOT, '.cache', 'bench'));
});
after(async () => {
  await s?.stop();
});

interface Stats {
  frames: number;
  totalMs: number;
  maxMs: number;
  lastDrawn: number;
}

test('10k nodes expanded: every pan and zoom step is drawn (frame times printed), and `-` folds a group', async () => {
  const frame = await openFromExplorer(s.page, 'net-ns-10k.onnx');
  const before = Number(await frame.locator('body').getAttribute('data-rendered'));
  await frame.getByRole('button', { name: 'Expand all' }).click();
  await renderedAfter(frame, before);
  await frame.locator('#status', { hasText: /10,00\d drawn/ }).waitFor();
  const canvas = frame.locator('canvas#graph');
  const box = (await canvas.boundingBox())!;
  const stats = (): Promise<Stats> => frame.locator('body').evaluate(() => ({ ...(window as unknown as { onnxStudio: { stats: Stats } }).onnxStudio.stats }));
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  await s.page.mouse.move(cx, cy);
  await frame.getByRole('button', { name: 'Fit' }).click(); // the whole graph: all 10k nodes on screen
  const start = await until('all nodes on screen', async () => {
    const st = await stats();
    return st.lastDrawn > 10_000 ? st : undefined;
  });
  const t0 = Date.now();
  for (let i = 0; i < 20; i++) {
    await s.page.mouse.wheel(0, i % 2 ? 60 : -60);
    await s.page.mouse.down();
    await s.page.mouse.move(cx + (i % 2 ? 40 : -40), cy + 20, { steps: 3 });
    await s.page.mouse.up();
  }
  // Each wheel step and drag is drawn in a frame of its own: wait for them.
  const end = await until('the frames of the interaction', async () => {
    const st = await stats();
    return st.frames - start.frames >= 20 ? st : undefined;
  });
  const frames = end.frames - start.frames;
  const mean = (end.totalMs - start.totalMs) / frames;
  console.log(`# ${end.lastDrawn} nodes on screen: ${frames} frames in ${Date.now() - t0} ms of interaction, draw ${mean.toFixed(1)} ms mean, ${end.maxMs.toFixed(1)} ms worst (60 fps needs < 16.7 ms)`);
  await screenshot(s.page, 'net-ns-10k-expanded');

  // `-` folds the group around the selected node back into one box.
  await frame.locator('#search').fill('/layers.5/mlp/MatMul');
  await frame.locator('#search').press('Enter');
  await frame.locator('#panel td', { hasText: '/layers.5/mlp/MatMul' }).first().waitFor();
  const drawn = Number(await frame.locator('body').getAttribute('data-rendered'));
  await canvas.focus();
  await canvas.press('-');
  await renderedAfter(frame, drawn);
  const status = (await frame.locator('#status').textContent()) ?? '';
  const count = Number(/([\d,]+) drawn/.exec(status)![1]!.replace(/,/g, ''));
  assert.ok(count < 10_002 && count > 9_000, status);
});
