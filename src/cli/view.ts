import { dirname, join, resolve } from 'node:path';
import { pathKind } from '../onnx/io/regular-file';
import { startVsCodeServer, vscodeServerInstalled } from '../toolchains/vscode-server';
import { parseArgs, UsageError } from './args';
import { CliError, EXIT_UNREADABLE } from './load';
import { STOP_SIGNALS } from './signals';

export const viewUsage = 'onnx-studio view MODEL|FOLDER [--port N]   open it in a real VS Code (code-server on 127.0.0.1); prints the URL';

/** The package root: dist/cli.js lives one folder down. */
const ROOT = resolve(__dirname, '..');

/** Starts VS Code with ONNX Studio for a model (or a folder of models) and runs until interrupted. */
export async function runView(argv: string[], out: (s: string) => void): Promise<number> {
  const args = parseArgs(argv, { port: { type: 'string' } }, viewUsage);
  const target = resolve(args.positionals[0]!);
  const kind = pathKind(target);
  if (kind === 'missing') throw new CliError(`${target}: no such file or folder`, EXIT_UNREADABLE);
  const isFolder = kind === 'folder';
  const port = args.values.port === undefined ? undefined : Number(args.values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new UsageError(`--port needs a port number (1-65535), not '${args.values.port}'\nusage: ${viewUsage}`);
  if (!vscodeServerInstalled(ROOT)) {
    throw new CliError(`VS Code (code-server) is not installed for onnx-studio view; set it up once with:\n  bash ${join(ROOT, 'scripts', 'setup-vscode.sh')}`, EXIT_UNREADABLE);
  }
  const server = await startVsCodeServer({ root: ROOT, devExtension: ROOT, port });
  const folder = isFolder ? target : dirname(target);
  const payload = isFolder ? [] : [['openFile', `vscode-remote://127.0.0.1:${server.port}${target}`]];
  const url = `${server.url}/?folder=${encodeURIComponent(folder)}${payload.length ? `&payload=${encodeURIComponent(JSON.stringify(payload))}` : ''}`;
  out(`ONNX Studio in VS Code: open ${url}`);
  out(`(code-server on 127.0.0.1:${server.port}, no auth, fresh profile in ${join(server.runDir)}; Ctrl+C stops it)`);
  await new Promise<void>((resolveStop) => {
    const stop = (): void => void server.stop().then(resolveStop);
    for (const sig of STOP_SIGNALS) process.once(sig, stop);
  });
  return 0;
}
