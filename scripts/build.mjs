// Bundles every entry point with esbuild: the CLI, the extension, each test file and the bench.
// tsc --noEmit (npm run typecheck) is the type gate; esbuild only strips types.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'linked',
  loader: { '.proto': 'text' },
  external: ['vscode', 'onnxruntime-node'],
  logLevel: 'warning',
};

function filesUnder(dir, suffix) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, suffix));
    else if (name.endsWith(suffix)) out.push(p);
  }
  return out;
}

const browser = { bundle: true, platform: 'browser', target: 'chrome120', format: 'iife', sourcemap: 'linked', logLevel: 'warning' };

// The layout worker first: the webview bundle embeds it as text and starts it from a blob: URL.
const worker = await build({ ...browser, entryPoints: ['webview/layout/worker.ts'], write: false, sourcemap: false, minify: true });
const workerSource = worker.outputFiles[0].text;
const virtualWorker = {
  name: 'virtual-layout-worker',
  setup(b) {
    b.onResolve({ filter: /^virtual:layout-worker$/ }, () => ({ path: 'layout-worker', namespace: 'virtual' }));
    b.onLoad({ filter: /.*/, namespace: 'virtual' }, () => ({ contents: workerSource, loader: 'text' }));
  },
};

// sql.js's WebAssembly SQLite, read at run time beside the bundles (src/profiles/nsys/sqlite-engine.ts).
mkdirSync('dist', { recursive: true });
copyFileSync('node_modules/sql.js/dist/sql-wasm.wasm', 'dist/sql-wasm.wasm');

await Promise.all([
  build({ ...browser, entryPoints: ['webview/main.ts'], outfile: 'dist/webview/main.js', plugins: [virtualWorker] }),
  // The transform report view (webview/report): figures, the latency chart, no Node.
  build({ ...browser, entryPoints: ['webview/report/main.ts'], outfile: 'dist/webview/report.js' }),
  build({ ...common, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } }),
  build({ ...common, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js' }),
  // The model worker thread: parses, infers and answers for one opened model (shipped in the .vsix).
  build({ ...common, entryPoints: ['src/extension/model-worker.ts'], outfile: 'dist/model-worker.js' }),
  build({ ...common, entryPoints: ['src/server/server.ts'], outfile: 'dist/server.js' }),
  // The onnxruntime child process: sessions, comparisons, latency, intermediates (shipped in the .vsix).
  build({ ...common, entryPoints: ['src/runtime/child/main.ts'], outfile: 'dist/runtime-worker.js' }),
  build({ ...common, entryPoints: filesUnder('test', '.test.ts'), outdir: 'out/test', outbase: 'test', plugins: [virtualWorker] }),
  build({ ...common, entryPoints: ['bench/bench.ts'], outfile: 'out/bench/bench.js', plugins: [virtualWorker] }),
  build({ ...common, entryPoints: ['bench/activation-stats.ts'], outfile: 'out/bench/activation-stats.js' }),
  build({ ...common, entryPoints: ['test/integration/index.ts', ...filesUnder('test/integration', '.itest.ts')], outdir: 'out/integration', external: ['vscode', 'mocha'] }),
  build({ ...common, entryPoints: ['test/integration/run.ts', 'test/integration/code-server-runner.ts'], outdir: 'out/integration', external: ['@vscode/test-electron', 'playwright-core'] }),
  build({ ...common, entryPoints: filesUnder('test/e2e', '.e2e.ts'), outdir: 'out/e2e', external: [...common.external, 'playwright-core'] }),
]);
