import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real VS Code for the run command, `onnx-studio view` and the tests: code-server (VS Code's
 * server and web workbench, from npm) on Node 24, on 127.0.0.1 with no auth, a fresh
 * user-data and extensions folder, and HOME/XDG/TMP inside its run folder. Installed by
 * scripts/setup-vscode.sh into `<root>/.cache/vscode`.
 */
export interface VsCodeServer {
  url: string;
  port: number;
  runDir: string;
  extensionsDir: string;
  stop(): Promise<void>;
}

export interface VsCodeServerOptions {
  /** The project root whose .cache/vscode holds code-server and Node 24. */
  root: string;
  /** Honour the test payload in the URL (extensionDevelopmentPath/extensionTestsPath). */
  testDriver?: boolean;
  /** Keep workspace trust on (untrusted folders open in restricted mode). */
  trust?: boolean;
  /** .vsix files to install first. */
  vsix?: string[];
  /** A development folder to run as an installed extension (linked into the extensions folder). */
  devExtension?: string;
  /** User settings on top of the quiet defaults (e.g. a colour theme). */
  settings?: Record<string, unknown>;
  /** Machine settings (machine-scoped ones such as tool paths, which user settings cannot set), written before the server starts. */
  machineSettings?: Record<string, unknown>;
  port?: number;
  log?: (s: string) => void;
}

export function vscodePaths(root: string): { node24: string; codeServer: string } {
  const base = join(root, '.cache', 'vscode');
  return {
    node24: join(base, 'bin', 'node'),
    codeServer: join(base, 'code-server', 'node_modules', 'code-server', 'out', 'node', 'entry.js'),
  };
}

/** Whether scripts/setup-vscode.sh has installed Node 24 and code-server under `root`. */
export function vscodeServerInstalled(root: string): boolean {
  const paths = vscodePaths(root);
  return existsSync(paths.codeServer) && existsSync(paths.node24);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

const SETTINGS = {
  'telemetry.telemetryLevel': 'off', 'update.mode': 'none', 'extensions.autoCheckUpdates': false, 'extensions.autoUpdate': false,
  'git.enabled': false, 'chat.disableAIFeatures': true, 'workbench.startupEditor': 'none', 'workbench.tips.enabled': false,
  'workbench.enableExperiments': false, 'window.restoreWindows': 'none',
};

export async function startVsCodeServer(opts: VsCodeServerOptions): Promise<VsCodeServer> {
  const { node24, codeServer } = vscodePaths(opts.root);
  if (!existsSync(node24) || !existsSync(codeServer)) throw new Error('code-server is not installed: run `bash scripts/setup-vscode.sh`');
  const runDir = mkdtempSync(join(tmpdir(), 'osv-'));
  const dir = (d: string): string => {
    const p = join(runDir, d);
    mkdirSync(p, { recursive: true, mode: 0o700 });
    return p;
  };
  const [home, data, ext, cfg, cache, tmp, rt] = ['home', 'data', 'ext', 'cfg', 'cache', 'tmp', 'rt'].map(dir) as [string, string, string, string, string, string, string];
  mkdirSync(join(data, 'User'), { recursive: true });
  writeFileSync(join(data, 'User', 'settings.json'), JSON.stringify({ ...SETTINGS, 'security.workspace.trust.enabled': !!opts.trust, ...opts.settings }, null, 2));
  if (opts.machineSettings) {
    mkdirSync(join(data, 'Machine'), { recursive: true });
    writeFileSync(join(data, 'Machine', 'settings.json'), JSON.stringify(opts.machineSettings, null, 2));
  }
  const port = opts.port ?? (await freePort());
  writeFileSync(join(runDir, 'cs.yaml'), `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const env: NodeJS.ProcessEnv = {
    ...process.env, HOME: home, XDG_CONFIG_HOME: cfg, XDG_DATA_HOME: data, XDG_CACHE_HOME: cache, XDG_RUNTIME_DIR: rt, TMPDIR: tmp,
    EXTENSIONS_GALLERY: '{}',
  };
  delete env.ELECTRON_RUN_AS_NODE;
  const base = [codeServer, '--user-data-dir', data, '--extensions-dir', ext];
  for (const vsix of opts.vsix ?? []) await run(node24, [...base, '--install-extension', vsix, '--force'], env);
  if (opts.devExtension) symlinkSync(opts.devExtension, join(ext, 'onnx-studio.onnx-studio-dev'));
  const args = [...base, '--config', join(runDir, 'cs.yaml'), '--disable-telemetry', '--disable-update-check', '--disable-getting-started-override', '--ignore-last-opened'];
  if (!opts.trust) args.push('--disable-workspace-trust');
  if (opts.testDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
  // Its own process group, so that stop() ends code-server and everything it started.
  const child = spawn(node24, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout.on('data', (d: Buffer) => opts.log?.(String(d)));
  child.stderr.on('data', (d: Buffer) => opts.log?.(String(d)));
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 300) throw new Error('code-server did not answer /healthz within 30 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url, port, runDir, extensionsDir: ext,
    async stop() {
      const kill = (sig: NodeJS.Signals): void => {
        try {
          process.kill(-child.pid!, sig);
        } catch {
          // already gone
        }
      };
      if (child.exitCode !== null) return;
      kill('SIGTERM');
      for (let i = 0; i < 50 && child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100));
      kill('SIGKILL');
    },
  };
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: 'ignore' });
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited with ${code}`))));
  });
}

/** Chromium flags for headless runs here: no sandbox as root, no GPU, no network chatter. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
