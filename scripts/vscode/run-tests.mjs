// Runs the integration tests inside the real VS Code extension host (code-server + Chromium):
//   node scripts/vscode/run-tests.mjs --extension <dev folder> --tests <bundled index.js> --workspace <folder> [--vsix X] [--trust]
// Exit code: the tests'. Also the `vscodeExecutablePath` of @vscode/test-electron's runTests here.
import { chromium } from 'playwright-core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { format } from 'node:util';
import { CHROMIUM_ARGS } from './chromium-args.mjs';
import { ROOT, startCodeServer } from './code-server.mjs';

const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const extensionPath = resolve(arg('--extension') ?? ROOT);
const testsPath = resolve(arg('--tests') ?? join(ROOT, 'out', 'integration', 'index.js'));
const workspace = resolve(arg('--workspace') ?? join(ROOT, '.cache', 'corpus'));
const vsix = arg('--vsix');
const timeoutMs = Number(arg('--timeout') ?? 300_000);

/** Workbench chatter that says nothing about the tests. */
const NOISE = /^(Ignoring fetching additional builtin extensions|Updating additional builtin extensions cache|\[AccountPolicyGate\]|\[AgentHost|\[Service Worker\]|Creating a socket)/;


async function main() {
  const server = await startCodeServer({ testDriver: true, trust: process.argv.includes('--trust'), extensions: vsix ? [resolve(vsix)] : [], log: (s) => process.env.DEBUG_CODE_SERVER && process.stderr.write(s) });
  const profile = join(server.runDir, 'chromium');
  mkdirSync(profile, { recursive: true });
  const browser = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true, viewport: { width: 1400, height: 900 } });
  let exitCode = 1;
  try {
    const page = browser.pages()[0] ?? (await browser.newPage());
    const done = new Promise((res) => {
      void page.exposeFunction('codeAutomationLog', (type, args) => {
        const line = format(...(args ?? []));
        if (!NOISE.test(line)) process.stdout.write(`${line}\n`);
      });
      void page.exposeFunction('codeAutomationExit', (code) => res(code));
    });
    const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = JSON.stringify([['extensionDevelopmentPath', remote(extensionPath)], ['extensionTestsPath', remote(testsPath)]]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
    exitCode = await Promise.race([done, new Promise((res) => setTimeout(() => res('timeout'), timeoutMs))]);
    if (exitCode === 'timeout') {
      console.error(`integration tests did not finish within ${timeoutMs / 1000} s`);
      exitCode = 1;
    }
  } finally {
    await browser.close();
    await server.stop();
  }
  writeFileSync(join(ROOT, 'out', 'integration-exit-code'), String(exitCode));
  process.exit(Number(exitCode));
}

await main();
