// Keeps the layering of DESIGN.md: nothing outside src/extension/ imports vscode; the webview
// imports no Node module; src/onnx/ depends on no other layer.
import tseslint from 'typescript-eslint';

const nodeModules = ['fs', 'path', 'child_process', 'os', 'crypto', 'worker_threads', 'net', 'http', 'stream'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'out/**', '.cache/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    ignores: ['src/extension/**', 'test/integration/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: 'Only src/extension/ may import vscode (DESIGN.md §1).' }] }],
    },
  },
  {
    files: ['src/onnx/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [{ name: 'vscode', message: 'Only src/extension/ may import vscode (DESIGN.md §1).' }],
        patterns: [{ group: ['**/analysis/**', '**/runtime/**', '**/optimize/**', '**/toolchains/**', '**/profiles/**', '**/protocol/**', '**/extension/**', '**/server/**', '**/cli/**'], message: 'src/onnx/ is the bottom layer (DESIGN.md §1).' }],
      }],
    },
  },
  {
    files: ['webview/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['vscode', ...nodeModules.flatMap((m) => [m, `node:${m}`])],
        patterns: [{ group: ['node:*'], message: 'The webview runs in a browser: no Node modules (DESIGN.md §1).' }],
      }],
    },
  },
);
