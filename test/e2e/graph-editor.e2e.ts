// Browser tests: a person's path through the graph editor in a real VS Code, checked against
// the core. Screenshots land in out/e2e-artifacts/.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { nodeFacts } from '../../src/analysis/node-details';
import { tensorStatistics } from '../../src/analysis/tensor-stats';
import { inferModel } from '../../src/onnx/infer/infer';
import { openModel } from '../../src/onnx/open';
import { closeEditors as closeEditorsIn, exportNextToModel, openFromExplorer, openWorkbench, renderedAfter, ROOT, screenshot, webview, type Session } from './helpers';

const CORPUS = join(ROOT, '.cache', 'corpus');
let s: Session;

before(async () => {
  s = await openWorkbench(CORPUS);
});
after(async () => {
  await s?.stop();
});

const closeEditors = (): Promise<void> => closeEditorsIn(s.page);

test('open a model from the explorer: the graph shows the core node count; a node found by search shows the core properties and tensor statistics', async () => {
  const file = 'ch_ppocr_mobile_v2.0_cls_infer.onnx';
  const frame = await openFromExplorer(s.page, file);
  const model = openModel(join(CORPUS, file));
  const inference = inferModel(model);
  await assert.doesNotReject(frame.locator('#status', { hasText: `${model.graph.nodes.length} nodes` }).waitFor({ timeout: 10_000 }));
  await screenshot(s.page, 'open-from-explorer');

  // A click on the graph input node selects it and shows its tensor type.
  const canvas = frame.locator('canvas#graph');
  const at = await frame.locator('body').evaluate(() => {
    const v = (window as unknown as { onnxStudio: { view: { items: { x: number; y: number; kind: unknown }[]; transform: { x: number; y: number; k: number } } } }).onnxStudio.view;
    const input = v.items.findIndex((it) => it.kind === 1);
    const it = v.items[input]!;
    return { x: v.transform.x + it.x * v.transform.k, y: v.transform.y + it.y * v.transform.k };
  });
  await canvas.click({ position: at });
  await frame.locator('#panel h3', { hasText: 'Tensor' }).or(frame.locator('#panel .error')).first().waitFor();
  assert.match((await frame.locator('#panel').textContent()) ?? '', /'x' has no stored values|computed when the model runs/);

  const conv = model.graph.nodes.find((n) => n.opType === 'Conv')!;
  const facts = nodeFacts(conv, model.opsetImports, inference);
  await frame.locator('#search').fill(conv.name);
  await frame.locator('#search').press('Enter');
  const panel = frame.locator('#panel');
  await panel.locator('h3', { hasText: 'Conv' }).waitFor();
  const text = (await panel.textContent()) ?? '';
  for (const a of facts.attributes) assert.ok(text.includes(a.value), `attribute ${a.name} = ${a.value} shown`);
  for (const o of facts.outputs) assert.ok(text.includes(o.type), `output type ${o.type} shown`);
  assert.ok(text.includes(`Conv-${facts.schema!.since}`));
  await screenshot(s.page, 'node-properties');

  const weight = conv.inputs[1]!;
  await panel.getByRole('button', { name: `Values of ${weight}` }).click();
  await panel.locator('h3', { hasText: 'Tensor' }).waitFor();
  const stats = tensorStatistics(storedWeight(model, weight));
  const shown = (await panel.textContent()) ?? '';
  assert.ok(shown.includes(`${stats.dtype}[${stats.shape.join(',')}]`));
  assert.ok(shown.includes(stats.first[0]!), 'first value shown');
  assert.ok(shown.includes(stats.min!.toFixed(4)) || shown.includes(stats.min!.toExponential(3)), 'min shown');
  await screenshot(s.page, 'tensor-statistics');
  model.close();
  await closeEditors();
});

test('the ONNX Graph view lists the nodes; a click reveals the node in the editor', async () => {
  const frame = await openFromExplorer(s.page, 'ch_PP-OCRv4_det_infer.onnx');
  const header = s.page.getByRole('button', { name: 'ONNX Graph Section' });
  await header.waitFor();
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
  // Nodes in graph order: the model's first node heads the list.
  const first = openModel(join(CORPUS, 'ch_PP-OCRv4_det_infer.onnx'));
  const name = first.graph.nodes[0]!.name || first.graph.nodes[0]!.id; // the view labels unnamed nodes by id
  first.close();
  const pane = s.page.locator('.pane').filter({ has: header });
  await pane.getByRole('treeitem', { name: new RegExp(`^${name.replace(/\./g, '\\.')}`) }).first().click();
  await screenshot(s.page, 'outline-view');
  await frame.locator('#panel td', { hasText: name }).first().waitFor();
  await closeEditors();
});

test('enter an If branch of silero VAD v5 and come back', async () => {
  const frame = await openFromExplorer(s.page, 'silero_vad_v5.onnx');
  const model = openModel(join(CORPUS, 'silero_vad_v5.onnx'));
  const ifNode = model.graph.nodes.find((n) => n.opType === 'If')!;
  const branch = ifNode.subgraphs.find((g) => g.owner?.attribute === 'then_branch')!;
  const before = Number(await frame.locator('body').getAttribute('data-rendered'));
  await frame.locator('#search').fill(ifNode.name || 'If');
  await frame.locator('#search').press('Enter');
  await frame.locator('canvas#graph').focus();
  await frame.locator('canvas#graph').press('Enter');
  await renderedAfter(frame, before);
  await frame.locator('#status', { hasText: `${branch.nodes.length} nodes` }).waitFor();
  assert.equal(await frame.locator('#breadcrumbs .crumb').count(), 2);
  await screenshot(s.page, 'if-branch');
  const inside = Number(await frame.locator('body').getAttribute('data-rendered'));
  await frame.locator('#breadcrumbs .crumb').first().click();
  await renderedAfter(frame, inside);
  await frame.locator('#status', { hasText: `${model.graph.nodes.length} nodes` }).waitFor();
  assert.equal(await frame.locator('#breadcrumbs .crumb').count(), 1);
  model.close();
  await closeEditors();
});

test('zoom, pan and selection survive hiding the tab', async () => {
  const file = 'ch_ppocr_mobile_v2.0_cls_infer.onnx';
  let frame = await openFromExplorer(s.page, file);
  await frame.locator('#search').fill('p2o.Conv.1');
  await frame.locator('#search').press('Enter');
  await frame.locator('#panel td', { hasText: 'p2o.Conv.1' }).first().waitFor();
  const viewState = (): Promise<{ t: { x: number; y: number; k: number }; selected: string }> =>
    frame.locator('body').evaluate(() => {
      const v = (window as unknown as { onnxStudio: { view: { transform: { x: number; y: number; k: number }; selected: number; items: { sublabel: string }[] } } }).onnxStudio.view;
      return { t: { x: v.transform.x, y: v.transform.y, k: v.transform.k }, selected: v.items[v.selected]?.sublabel ?? '' };
    });
  const before = await viewState();
  assert.equal(before.selected, 'p2o.Conv.1');
  await openFromExplorer(s.page, 'silero_vad_legacy.onnx'); // hides the first tab: its webview is disposed
  await s.page.getByRole('tab', { name: file }).click();
  frame = webview(s.page);
  await frame.locator('body[data-rendered]').waitFor();
  await frame.locator('#panel td', { hasText: 'p2o.Conv.1' }).first().waitFor();
  const after = await viewState();
  assert.equal(after.selected, 'p2o.Conv.1');
  for (const k of ['x', 'y', 'k'] as const) assert.ok(Math.abs(after.t[k] - before.t[k]) < 0.5, `${k}: ${after.t[k]} vs ${before.t[k]}`);
  await closeEditors();
});

test('export PNG next to the model', async () => {
  const frame = await openFromExplorer(s.page, 'silero_vad_v5.onnx');
  const png = await exportNextToModel(s.page, frame, 'PNG', join(CORPUS, 'silero_vad_v5.png'));
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(png.length > 1000);
  await closeEditors();
});

test('export SVG next to the model', async () => {
  const frame = await openFromExplorer(s.page, 'ch_PP-OCRv4_det_infer.onnx');
  const svg = (await exportNextToModel(s.page, frame, 'SVG', join(CORPUS, 'ch_PP-OCRv4_det_infer.svg'))).toString('utf8');
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.ok(svg.includes('>Conv<'));
  assert.ok(!svg.includes('<script'));
  await screenshot(s.page, 'export-svg');
  await closeEditors();
});

function storedWeight(model: ReturnType<typeof openModel>, name: string) {
  const v = model.graph.resolve(name)!;
  return v.initializer ?? v.producer!.attribute('value')!.tensor()!;
}
