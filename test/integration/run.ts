// The integration suite's entry point: @vscode/test-electron's runTests, with
// vscodeExecutablePath pointing at the code-server runner here (or at a desktop VS Code given
// in VSCODE_EXECUTABLE elsewhere). Usage: node out/integration/run.js [--vsix FILE] [--trust]
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';

const ROOT = join(__dirname, '..', '..');

async function main(): Promise<void> {
  const i = process.argv.indexOf('--vsix');
  const vsix = i >= 0 ? process.argv[i + 1] : undefined;
  const trust = process.argv.includes('--trust');
  const launchArgs = [join(ROOT, '.cache', 'corpus')];
  if (vsix) launchArgs.push(`--vsix=${vsix}`);
  if (trust) launchArgs.push('--trust');
  await runTests({
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE ?? join(ROOT, 'scripts', 'vscode', 'code.sh'),
    // Against an installed .vsix the development extension is an empty stand-in.
    extensionDevelopmentPath: vsix ? join(ROOT, 'test', 'integration', 'stand-in') : ROOT,
    extensionTestsPath: join(ROOT, 'out', 'integration', 'index.js'),
    launchArgs,
    extensionTestsEnv: { ONNX_STUDIO_TEST_MODE: vsix ? 'vsix' : trust ? 'untrusted' : 'development' },
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
