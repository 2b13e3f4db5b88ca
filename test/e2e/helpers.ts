// Drives a real VS Code (code-server) in Debian's Chromium for the browser tests.
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, startVsCodeServer } from '../../src/toolchains/vscode-server';
import { until } from '../helpers/until';

export { until };

export const ROOT = join(__dirname, '..', '..');
export const ARTIFACTS = join(ROOT, 'out', 'e2e-artifacts');

export interface Session {
  page: Page;
  browser: Browser;
  stop(): Promise<void>;
}

/** code-server with this folder as the extension (linked into a fresh extensions folder), a workspace open. */
export async function openWorkbench(workspace: string, opts: { trust?: boolean; settings?: Record<string, unknown>; machineSettings?: Record<string, unknown> } = {}): Promise<Session> {
  const server = await startVsCodeServer({ root: ROOT, trust: opts.trust, devExtension: ROOT, settings: opts.settings, machineSettings: opts.machineSettings });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}`);
  await page.getByRole('treeitem').first().waitFor({ timeout: 60_000 });
  return {
    page,
    browser,
    async stop() {
      await browser.close();
      await server.stop();
    },
  };
}

/** The visible graph editor's webview document (two iframes down). */
export function webview(page: Page): FrameLocator {
  return page.frameLocator('iframe.webview.ready:visible').frameLocator('iframe#active-frame');
}

/**
 * Opens a file from the explorer by double-click and waits until its graph is painted. The
 * explorer can show files before the extension's editor is registered (the file then opens as
 * binary text), so a try that shows no graph is closed and repeated, a bounded number of times.
 */
export async function openFromExplorer(page: Page, fileName: string): Promise<FrameLocator> {
  const frame = webview(page);
  for (let attempt = 1; ; attempt++) {
    await page.getByRole('treeitem', { name: fileName, exact: true }).dblclick();
    try {
      await frame.locator('body[data-rendered]').waitFor({ timeout: 15_000 });
      return frame;
    } catch (e) {
      await screenshot(page, `open-${fileName}-attempt-${attempt}`);
      if (attempt === 4) throw e;
      await closeEditors(page);
    }
  }
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
}

/** Waits for the webview's render counter to pass `after`. */
export async function renderedAfter(frame: FrameLocator, after: number): Promise<void> {
  const body = frame.locator('body');
  await until('the graph to render again', async () => (Number(await body.getAttribute('data-rendered')) > after ? true : undefined));
}

/** Closes every editor (Ctrl+K Ctrl+W). */
export async function closeEditors(page: Page): Promise<void> {
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+W');
}

/**
 * Clicks an export button of the open graph and accepts VS Code's save dialog (a quick input in
 * the web workbench, prefilled with MODEL.<format> beside the model); returns the written bytes.
 */
export async function exportNextToModel(page: Page, frame: FrameLocator, button: 'SVG' | 'PNG', target: string): Promise<Buffer> {
  rmSync(target, { force: true });
  await frame.getByRole('button', { name: button }).click();
  const input = page.locator('.quick-input-widget input');
  await input.waitFor();
  await input.press('Enter');
  await until(target, () => (existsSync(target) ? true : undefined));
  const bytes = readFileSync(target);
  rmSync(target);
  return bytes;
}

/**
 * Right-clicks a file in the explorer and chooses a menu item. The explorer can show files before
 * the extension's menus are registered: a menu without the item is closed and opened again, bounded.
 */
export async function explorerCommand(page: Page, file: string, item: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await page.getByRole('treeitem', { name: file, exact: true }).click({ button: 'right' });
    const entry = page.locator('.context-view .monaco-menu .action-label', { hasText: item });
    try {
      await entry.first().waitFor({ timeout: 5_000 });
      // A click can go nowhere while a webview held the focus (seen: the item highlighted, the menu
      // left open); the hovered item taken with Enter is reliable.
      await entry.first().hover();
      await page.keyboard.press('Enter');
      await page.locator('.context-view .monaco-menu').waitFor({ state: 'hidden', timeout: 3_000 });
      return;
    } catch (e) {
      await screenshot(page, `menu-${item.slice(0, 12)}-attempt-${attempt}`);
      await page.keyboard.press('Escape');
      if (attempt === 6) throw e;
    }
  }
}

/** Accepts the quick pick that shows this placeholder: its first item, or the first that `text` filters to. */
export async function acceptPick(page: Page, placeholder: string, text?: string): Promise<void> {
  const input = page.locator(`.quick-input-widget input[placeholder="${placeholder}"]`);
  await input.waitFor({ timeout: 30_000 }).catch(async (e: Error) => {
    await screenshot(page, `no-pick-${placeholder.slice(0, 20)}`);
    throw e;
  });
  if (text !== undefined) {
    await input.fill(text);
    // The list filters as the value changes: accept only once the first row shows the text.
    await page.locator('.quick-input-widget .monaco-list-row').first().filter({ hasText: text }).waitFor();
  }
  await input.press('Enter');
  await input.waitFor({ state: 'hidden' });
}
