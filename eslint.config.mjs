// Keeps the layering of DESIGN.md §1: nothing outside src/extension/ imports vscode; the webview
// imports no Node module; src/onnx/ depends on no other layer; and src/onnx/io/ is the one place
// in src/ that reads and writes files (external-data rules, one atomic writer), beside
// src/toolchains/, which prepares external programs' run folders.
import tseslint from 'typescript-eslint';

const nodeModules = ['fs', 'path', 'child_process', 'os', 'crypto', 'worker_threads', 'net', 'http', 'stream'];
const noVscode = { name: 'vscode', message: 'Only src/extension/ may import vscode (DESIGN.md §1).' };
const noFs = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises'].map((name) => ({ name, message: 'Files are read and written only through src/onnx/io/ (DESIGN.md §1).' }));
const bottomLayer = {
  group: ['**/analysis/**', '**/runtime/**', '**/optimize/**', '**/toolchains/**', '**/profiles/**', '**/protocol/**', '**/extension/**', '**/server/**', '**/cli/**'],
  message: 'src/onnx/ is the bottom layer (DESIGN.md §1).',
};
const restrict = (paths, patterns = []) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', '.cache/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['test/**/*.ts', 'bench/**/*.ts'], ignores: ['test/integration/**'], rules: restrict([noVscode]) },
  { files: ['src/**/*.ts'], ignores: ['src/extension/**', 'src/onnx/**', 'src/toolchains/**'], rules: restrict([noVscode, ...noFs]) },
  { files: ['src/extension/**/*.ts'], rules: restrict(noFs) },
  { files: ['src/toolchains/**/*.ts'], rules: restrict([noVscode]) },
  { files: ['src/onnx/**/*.ts'], ignores: ['src/onnx/io/**'], rules: restrict([noVscode, ...noFs], [bottomLayer]) },
  { files: ['src/onnx/io/**/*.ts'], rules: restrict([noVscode], [bottomLayer]) },
  {
    files: ['webview/**/*.ts'],
    rules: restrict(['vscode', ...nodeModules.flatMap((m) => [m, `node:${m}`])], [{ group: ['node:*'], message: 'The webview runs in a browser: no Node modules (DESIGN.md §1).' }]),
  },
);
