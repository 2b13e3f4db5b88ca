// Lets the tests inside the extension host act in the workbench page the runner drives: answer a
// quick input (quick pick, save dialog), click or read inside the visible webview. The runner
// serves these on 127.0.0.1 and names the address in ONNX_STUDIO_UI_BRIDGE; helpers.ts calls it.
import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

const ARTIFACTS = join(__dirname, '..', 'itest-artifacts');

export type UiAction =
  /**
   * Types into the open quick input and presses Enter: a quick pick's filter, or a save dialog's
   * path. The dialog lists a folder it is not showing yet only asynchronously (and accepts
   * badly meanwhile), so a path typed there must lie in the folder it proposes, under a name no
   * file there starts with.
   */
  | { action: 'quickInput'; text: string }
  /** Waits for the input box whose placeholder is `placeholder`, types `text` over its value and presses Enter; returns the value it had (the prefill). */
  | { action: 'inputBox'; placeholder: string; text: string }
  /** Clicks an element of the visible webview, by role and accessible name or by CSS selector and text. */
  | { action: 'webviewClick'; role?: 'button'; name?: string; selector?: string; hasText?: string }
  /** Fills an input of the visible webview (e.g. the search box) and presses Enter. */
  | { action: 'webviewFill'; selector: string; text: string }
  /** Saves a screenshot of the workbench as out/itest-artifacts/NAME.png (after a failed test). */
  | { action: 'screenshot'; name: string }
  /** Evaluates a function body inside the visible webview's document; returns its JSON result. */
  | { action: 'webviewEval'; body: string }
  /** Right-clicks the explorer's row of `file` and returns the context menu's item labels (the menu is closed again). */
  | { action: 'explorerMenu'; file: string };

const TIMEOUT_MS = 30_000;

async function perform(page: Page, a: UiAction): Promise<unknown> {
  const webview = page.frameLocator('iframe.webview.ready:visible').frameLocator('iframe#active-frame');
  switch (a.action) {
    case 'quickInput': {
      const input = page.locator('.quick-input-widget input');
      await input.waitFor({ timeout: TIMEOUT_MS });
      if (a.text.startsWith('/')) return typePath(page, a.text);
      await input.fill(a.text);
      // The list filters as the value changes: accept only once the first row shows the text.
      await page.locator('.quick-input-widget .monaco-list-row').first().filter({ hasText: a.text }).waitFor({ timeout: TIMEOUT_MS });
      await input.press('Enter');
      return null;
    }
    case 'inputBox': {
      const input = page.locator('.quick-input-widget').getByPlaceholder(a.placeholder, { exact: true });
      await input.waitFor({ timeout: TIMEOUT_MS });
      const prefilled = await input.inputValue();
      await input.fill(a.text);
      await input.press('Enter');
      // Taken when the box closes or the next step replaces its placeholder (a rejected value keeps it).
      await input.waitFor({ state: 'hidden', timeout: TIMEOUT_MS });
      return prefilled;
    }
    case 'webviewClick': {
      const target = a.role ? webview.getByRole(a.role, { name: a.name, exact: true }) : webview.locator(a.selector!, { hasText: a.hasText });
      await target.first().click({ timeout: TIMEOUT_MS });
      return null;
    }
    case 'webviewFill': {
      const input = webview.locator(a.selector);
      await input.fill(a.text, { timeout: TIMEOUT_MS });
      await input.press('Enter');
      return null;
    }
    case 'screenshot':
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, `${a.name.replace(/[^\w.-]+/g, '_').slice(0, 120)}.png`) });
      return null;
    case 'explorerMenu': {
      await page.locator('.explorer-folders-view .monaco-list-row', { hasText: a.file }).first().click({ button: 'right', timeout: TIMEOUT_MS });
      const items = page.locator('.context-view .monaco-menu .action-label');
      await items.first().waitFor({ timeout: TIMEOUT_MS });
      const labels = await items.allTextContents();
      await page.keyboard.press('Escape');
      return labels;
    }
    case 'webviewEval':
      return webview.locator('body').evaluate(new Function(a.body) as () => unknown, undefined, { timeout: TIMEOUT_MS });
  }
}

/**
 * Types a path into the save dialog and accepts it with the OK button (Enter would take the
 * highlighted row, `..`). The dialog fills in its proposal only once it has listed the folder,
 * and ignores OK while busy: wait for the listing, retype if the value was replaced, bounded.
 */
async function typePath(page: Page, path: string): Promise<null> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('input');
  const ok = widget.getByRole('button', { name: 'OK' });
  await widget.locator('.monaco-list-row').first().waitFor({ timeout: TIMEOUT_MS });
  for (let tries = 0; tries < 10; tries++) {
    if ((await input.inputValue()) !== path) await input.fill(path);
    await ok.click({ timeout: TIMEOUT_MS });
    // Taken when the OK button goes: the dialog closed, or the next quick input (without one) is shown.
    const taken = ok.waitFor({ state: 'hidden', timeout: 2000 });
    if (await taken.then(() => true, () => false)) return null;
  }
  throw new Error(`the save dialog did not take ${path}`);
}

/** Serves UiAction requests (POST JSON) for `page`; answers {result} or {error}. */
export async function startUiBridge(page: Page): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += String(d)));
    req.on('end', () => {
      perform(page, JSON.parse(body) as UiAction).then(
        (result) => res.end(JSON.stringify({ result: result ?? null })),
        (e: Error) => res.end(JSON.stringify({ error: e.message })),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}
