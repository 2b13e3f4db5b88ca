// The first view of real models in a real VS Code: a CNN, a transformer, a model with If
// subgraphs and an OCR model each open with drawn, labelled nodes inside the canvas, readable
// labels and the graph inputs in view; the transformer's collapsed encoder layers chain in
// data-flow order. Screenshots land in out/e2e-artifacts/first-view-*.png.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FrameLocator } from 'playwright-core';
import { SECTION_LIMIT } from '../../src/analysis/namespace-groups';
import { reluChainBytes } from '../helpers/models';
import { closeEditors, openFromExplorer, openWorkbench, renderedAfter, ROOT, screenshot, webview, type Session } from './helpers';

const WORKSPACE = join(ROOT, '.cache', 'first-view');
const CORPUS = join(ROOT, '.cache', 'corpus');

/** The torchvision exports (random weights) come from Debian's torch; the corpus models are copied. */
function prepareWorkspace(): void {
  mkdirSync(WORKSPACE, { recursive: true });
  for (const arch of ['resnet18', 'vit_b_16']) {
    const out = join(WORKSPACE, `${arch}.onnx`);
    if (!existsSync(out)) execFileSync('/usr/bin/python3', [join(ROOT, 'scripts', 'export-torchvision.py'), arch, out], { stdio: 'inherit' });
  }
  for (const f of ['silero_vad_v5.onnx', 'ch_PP-OCRv4_rec_infer.onnx']) if (!existsSync(join(WORKSPACE, f))) copyFileSync(join(CORPUS, f), join(WORKSPACE, f));
  writeFileSync(join(WORKSPACE, `relu-chain-${CHAIN}.onnx`), reluChainBytes(CHAIN));
}

/** A flat chain past the section limit: its level splits into sections on the canvas and in the tree. */
const CHAIN = 2500;

let s: Session;
before(async () => {
  prepareWorkspace();
  s = await openWorkbench(WORKSPACE);
});
after(async () => {
  await s?.stop();
});

interface Box {
  label: string;
  kind: number | 'group';
  x: number;
  y: number;
  w: number;
  h: number;
}
interface OnScreen {
  boxes: Box[];
  labelPx: number;
  sublabelPx: number;
  edgeLabelPx: number;
  inputs: number;
  inputsInView: number;
}
interface Item {
  group: string;
  x: number;
  y: number;
}

const onScreen = (frame: FrameLocator): Promise<OnScreen> =>
  frame.locator('body').evaluate(() => (window as unknown as { onnxStudio: { view: { onScreen(): OnScreen } } }).onnxStudio.view.onScreen());

/** Share of canvas pixels that differ from the background (the top-left pixel). */
const inkShare = (frame: FrameLocator): Promise<number> =>
  frame.locator('body').evaluate(() => {
    const canvas = document.getElementById('graph') as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) ink++;
    return ink / (data.length / 4);
  });

/** Opens a model and checks what its first frame shows; returns the report. */
async function checkFirstView(file: string, minBoxes: number): Promise<{ frame: FrameLocator; report: OnScreen }> {
  const frame = await openFromExplorer(s.page, file);
  const report = await onScreen(frame);
  await screenshot(s.page, `first-view-${file.replace(/\.onnx$/, '')}`);
  const labels = report.boxes.map((b) => b.label);
  assert.ok(report.boxes.length >= minBoxes, `${file}: ${report.boxes.length} labelled boxes in view (${labels.join(', ')}), want ≥ ${minBoxes}`);
  assert.ok(report.sublabelPx >= 10 && report.labelPx >= 10, `${file}: labels ${report.labelPx} / ${report.sublabelPx} px high`);
  assert.ok(report.edgeLabelPx >= 10, `${file}: edge labels ${report.edgeLabelPx} px high`);
  assert.ok(report.inputs >= 1 && report.inputsInView === report.inputs, `${file}: ${report.inputsInView} of ${report.inputs} graph inputs in view`);
  assert.ok((await inkShare(frame)) > 0.01, `${file}: the canvas is not blank`);
  return { frame, report };
}

test('a CNN (torchvision resnet18) opens at its input with readable, labelled nodes', async () => {
  const { report } = await checkFirstView('resnet18.onnx', 6);
  assert.ok(report.boxes.some((b) => b.label === 'Conv'));
  await closeEditors(s.page);
});

test('an OCR model (PP-OCRv4 rec) opens at its input with readable, labelled nodes', async () => {
  await checkFirstView('ch_PP-OCRv4_rec_infer.onnx', 6);
  await closeEditors(s.page);
});

test('a model with If subgraphs (silero VAD v5) opens with its three inputs in view', async () => {
  const { report } = await checkFirstView('silero_vad_v5.onnx', 3);
  assert.equal(report.inputs, 3);
  await closeEditors(s.page);
});

test('a transformer (torchvision ViT-B/16) opens readable; its 12 encoder layers chain top to bottom in data-flow order', async () => {
  const { frame } = await checkFirstView('vit_b_16.onnx', 6);
  const items = (): Promise<Item[]> =>
    frame.locator('body').evaluate(() => (window as unknown as { onnxStudio: { view: { items: Item[] } } }).onnxStudio.view.items.map((it) => ({ group: it.group, x: it.x, y: it.y })));
  // Expands a collapsed group by double-clicking its box, as a person would.
  const expand = async (group: string): Promise<void> => {
    const before = Number(await frame.locator('body').getAttribute('data-rendered'));
    const at = await frame.locator('body').evaluate((_body, g) => {
      const v = (window as unknown as { onnxStudio: { view: { items: Item[]; reveal(i: number): void; transform: { x: number; y: number; k: number } } } }).onnxStudio.view;
      const i = v.items.findIndex((it) => it.group === g);
      if (i < 0) return null;
      v.reveal(i);
      const it = v.items[i]!;
      return { x: v.transform.x + it.x * v.transform.k, y: v.transform.y + it.y * v.transform.k };
    }, group);
    assert.ok(at, `a box for group ${group}`);
    await frame.locator('canvas#graph').dblclick({ position: at });
    await renderedAfter(frame, before);
  };
  await expand('encoder');
  await expand('encoder/layers');
  const layers = (await items()).filter((it) => /^encoder\/layers\/encoder_layer_\d+$/.test(it.group));
  assert.equal(layers.length, 12, 'one box per encoder layer');
  const y = (n: number): number => layers.find((it) => it.group === `encoder/layers/encoder_layer_${n}`)!.y;
  for (let n = 1; n < 12; n++) assert.ok(y(n) > y(n - 1), `encoder_layer_${n} (y ${y(n)}) below encoder_layer_${n - 1} (y ${y(n - 1)})`);
  const xs = layers.map((it) => it.x);
  assert.ok(Math.max(...xs) - Math.min(...xs) < 1, 'the layers form one column, not a row');
  await screenshot(s.page, 'first-view-vit_b_16-layers');
  const report = await onScreen(frame);
  assert.ok(report.boxes.filter((b) => b.kind === 'group').length >= 3, 'several layer boxes in view after revealing one');
  await closeEditors(s.page);
});

test('the properties panel: the graph is the larger part; the panel resizes by its handle and hides with its button', async () => {
  let frame = await openFromExplorer(s.page, 'resnet18.onnx');
  const widths = (): Promise<{ main: number; canvas: number; panel: number }> =>
    frame.locator('body').evaluate(() => ({
      main: document.querySelector('main')!.getBoundingClientRect().width,
      canvas: document.getElementById('graph')!.getBoundingClientRect().width,
      panel: document.getElementById('panel')!.getBoundingClientRect().width,
    }));
  const start = await widths();
  assert.ok(start.canvas > 2 * start.panel, `canvas ${start.canvas} px, panel ${start.panel} px`);
  const handle = (await frame.locator('#splitter').boundingBox())!;
  await s.page.mouse.move(handle.x + handle.width / 2, handle.y + handle.height / 2);
  await s.page.mouse.down();
  await s.page.mouse.move(handle.x - 100, handle.y + handle.height / 2, { steps: 5 });
  await s.page.mouse.up();
  const dragged = await widths();
  assert.ok(Math.abs(dragged.panel - (start.panel + 100)) < 8, `panel ${start.panel} → ${dragged.panel} px after dragging 100 px`);
  await frame.getByRole('button', { name: 'Properties' }).click();
  const hidden = await widths();
  assert.equal(hidden.panel, 0);
  assert.ok(Math.abs(hidden.canvas - hidden.main) < 2, 'the canvas takes the whole editor');
  await screenshot(s.page, 'first-view-panel-hidden');
  await frame.locator('canvas#graph').focus();
  await frame.locator('canvas#graph').press('p');
  assert.ok(Math.abs((await widths()).panel - dragged.panel) < 2, 'P shows it again at the width it had');
  // Hiding the tab disposes the webview; its state brings the width back.
  await openFromExplorer(s.page, 'silero_vad_v5.onnx');
  await s.page.getByRole('tab', { name: 'resnet18.onnx' }).click();
  frame = webview(s.page);
  await frame.locator('body[data-rendered]').waitFor();
  assert.ok(Math.abs((await widths()).panel - dragged.panel) < 2, 'the width survives hiding the tab');
  await closeEditors(s.page);
});

test('a flat 2,500-node level: the canvas and the ONNX Graph view show the same sections', async () => {
  const frame = await openFromExplorer(s.page, `relu-chain-${CHAIN}.onnx`);
  const sections = Array.from({ length: Math.ceil(CHAIN / SECTION_LIMIT) }, (_, k) => `section ${k + 1}`);
  const onCanvas = (await onScreen(frame)).boxes.filter((b) => b.kind === 'group').map((b) => b.label);
  assert.deepEqual(onCanvas, sections);
  const report = await onScreen(frame);
  assert.equal(report.inputsInView, 1, 'the graph input, outside the sections, in view');
  const header = s.page.getByRole('button', { name: 'ONNX Graph Section' });
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  const pane = s.page.locator('.pane').filter({ has: header });
  for (const label of sections) await pane.getByRole('treeitem', { name: label, exact: true }).waitFor();
  await screenshot(s.page, 'first-view-sections');
  await header.click(); // leave the view folded for the next test
  await closeEditors(s.page);
});
