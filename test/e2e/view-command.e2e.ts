// `onnx-studio view MODEL` starts a real VS Code with the model open in the graph editor.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../src/toolchains/vscode-server';
import { ROOT, screenshot, webview } from './helpers';

test('onnx-studio view prints a URL that opens the model in the graph editor', async () => {
  const cli = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'view', join(ROOT, '.cache', 'corpus', 'silero_vad_v5.onnx')], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      cli.stdout.on('data', (d: Buffer) => {
        out += String(d);
        const m = /open (http:\/\/127\.0\.0\.1:\d+\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      cli.on('exit', (code) => reject(new Error(`view exited with ${code}: ${out}`)));
      setTimeout(() => reject(new Error('no URL within 60 s')), 60_000);
    });
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(url);
      const frame = webview(page);
      try {
        await frame.locator('#status', { hasText: '5 nodes' }).waitFor({ timeout: 30_000 });
      } catch (e) {
        await screenshot(page, 'view-command-failed');
        throw e;
      }
      await screenshot(page, 'view-command');
      assert.match((await frame.locator('#panel').textContent()) ?? '', /spox/);
    } finally {
      await browser.close();
    }
  } finally {
    cli.kill('SIGTERM');
    await new Promise((r) => cli.once('exit', r));
  }
});
