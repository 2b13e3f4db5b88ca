// Packages the .vsix for one platform (vsce --target): the bundles from dist/ plus
// onnxruntime-node's JS and native binding for that platform only, and onnxruntime-common.
// The CLI (dist/cli.js) and its runtime child (dist/runtime-worker.js) load onnxruntime-node
// from the extension's node_modules, so the binding must travel in the package.
// Usage: node scripts/package-vsix.mjs [--target linux-x64] [-o out/onnx-studio.vsix]
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
// vsce's target names are onnxruntime-node's bin/napi-v6/<platform>/<arch> folders joined by '-'.
const target = arg('--target', `${process.platform}-${process.arch}`);
const out = arg('-o', 'out/onnx-studio.vsix');
const [platform, arch] = target.split('-');
const BINDINGS = { 'linux-x64': 1, 'linux-arm64': 1, 'darwin-arm64': 1, 'win32-x64': 1, 'win32-arm64': 1 };
if (!BINDINGS[target]) {
  console.error(`package-vsix: onnxruntime-node ships no binding for ${target} (one of ${Object.keys(BINDINGS).join(', ')})`);
  process.exit(64);
}

// .vscodeignore holds what every platform carries; the binding folder is added per target.
mkdirSync('out', { recursive: true });
const ignoreFile = join('out', `.vscodeignore-${target}`);
writeFileSync(ignoreFile, `${readFileSync('.vscodeignore', 'utf8').trimEnd()}\n!node_modules/onnxruntime-node/bin/napi-v6/${platform}/${arch}/**\n`);
const vsce = spawnSync('npx', ['vsce', 'package', '--target', target, '--dependencies', '--ignoreFile', ignoreFile, '--allow-missing-repository', '-o', out], { stdio: 'inherit' });
process.exit(vsce.status ?? 1);
