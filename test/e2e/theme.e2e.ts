// Colours come from the VS Code theme: under the high-contrast theme the canvas paints the
// theme's own editor background and node colours.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { openFromExplorer, openWorkbench, ROOT, screenshot, until, type Session } from './helpers';

let s: Session;
before(async () => {
  s = await openWorkbench(join(ROOT, '.cache', 'corpus'), { settings: { 'workbench.colorTheme': 'Default High Contrast' } });
});
after(async () => {
  await s?.stop();
});

test('the high-contrast theme: the canvas takes the theme background', async () => {
  const frame = await openFromExplorer(s.page, 'ch_ppocr_mobile_v2.0_cls_infer.onnx');
  // Read the corner pixel once the canvas has painted it (opaque).
  const { css, pixel } = await until('the painted canvas', async () => {
    const read = await frame.locator('body').evaluate(() => {
      const canvas = document.getElementById('graph') as HTMLCanvasElement;
      const [r, g, b, a] = canvas.getContext('2d')!.getImageData(2, 2, 1, 1).data;
      return { css: getComputedStyle(document.body).getPropertyValue('--vscode-editor-background').trim(), pixel: `#${[r, g, b].map((c) => c!.toString(16).padStart(2, '0')).join('')}`, painted: a === 255 };
    });
    return read.painted ? read : undefined;
  });
  await screenshot(s.page, 'high-contrast');
  assert.equal(css.toLowerCase(), '#000000');
  assert.equal(pixel, '#000000');
});
