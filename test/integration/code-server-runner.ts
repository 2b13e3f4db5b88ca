// Runs the integration tests inside the real VS Code extension host (code-server + Chromium):
//   node out/integration/code-server-runner.js --extension DIR --tests INDEX.js --workspace DIR [--vsix FILE] [--trust]
// Exit code: the tests'. scripts/vscode/code.sh turns a desktop VS Code command line into this.
import { join, resolve } from 'node:path';
import { format } from 'node:util';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, startVsCodeServer } from '../../src/toolchains/vscode-server';
import { startUiBridge } from './ui-bridge';

const ROOT = join(__dirname, '..', '..');
/** Workbench chatter that says nothing about the tests. */
const NOISE = /^(Ignoring fetching additional builtin extensions|Updating additional builtin extensions cache|\[AccountPolicyGate\]|\[AgentHost|\[Service Worker\]|Creating a socket)/;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<number> {
  const extensionPath = resolve(arg('--extension') ?? ROOT);
  const testsPath = resolve(arg('--tests') ?? join(ROOT, 'out', 'integration', 'index.js'));
  const workspace = resolve(arg('--workspace') ?? join(ROOT, '.cache', 'corpus'));
  const vsix = arg('--vsix');
  const timeoutMs = Number(arg('--timeout') ?? 1_200_000); // a hang guard only
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  // The clipboard permissions let vscode.env.clipboard reach the browser's clipboard (Copy name).
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
  const bridge = await startUiBridge(page);
  process.env.ONNX_STUDIO_UI_BRIDGE = bridge.url; // inherited by code-server and its extension host
  const server = await startVsCodeServer({ root: ROOT, testDriver: true, trust: process.argv.includes('--trust'), vsix: vsix ? [resolve(vsix)] : [], log: (s) => process.env.DEBUG_CODE_SERVER && process.stderr.write(s) });
  try {
    const done = new Promise<number>((res) => {
      void page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
        const line = format(...(args ?? []));
        if (!NOISE.test(line)) process.stdout.write(`${line}\n`);
      });
      void page.exposeFunction('codeAutomationExit', (code: number) => res(code));
    });
    const remote = (p: string): string => `vscode-remote://127.0.0.1:${server.port}${p}`;
    const payload = JSON.stringify([['extensionDevelopmentPath', remote(extensionPath)], ['extensionTestsPath', remote(testsPath)]]);
    await page.goto(`${server.url}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`);
    const code = await Promise.race([done, new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), timeoutMs))]);
    if (code === 'timeout') {
      console.error(`integration tests did not finish within ${timeoutMs / 1000} s`);
      return 1;
    }
    return code;
  } finally {
    bridge.server.close();
    await browser.close();
    await server.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
