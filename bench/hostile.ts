// Bounded work, measured: `onnx-studio check` on the hostile models of the tests (tiny files
// whose values once asked for gigabytes) and `check` / `inspect` on a 1M-node graph. The tests
// only cap memory and guard against hangs; the time and peak RSS of each run are reported here.
// Each run is the CLI in its own process; the table shows the median of `runs`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HOSTILE_MODELS } from '../test/helpers/hostile-models';
import { bytesOf, reluChainBytes } from '../test/helpers/models';

interface Run {
  ms: number;
  cpuMs: number;
  rssMB: number;
  exit: number | null;
}

/** Loaded before the CLI: reports the process's CPU time (µs) and peak RSS (KB) on stderr when it exits. */
const USAGE_HOOK = "process.on('exit', () => { const u = process.resourceUsage(); process.stderr.write('\\n@usage ' + (u.userCPUTime + u.systemCPUTime) + ' ' + u.maxRSS + '\\n'); });\n";

function runCli(cli: string, hook: string, args: string[]): Run {
  const start = performance.now();
  const r = spawnSync(process.execPath, ['-r', hook, cli, ...args], { encoding: 'utf8', maxBuffer: 256 << 20, timeout: 600_000 });
  const ms = performance.now() - start;
  const usage = /@usage (\d+) (\d+)/.exec(r.stderr);
  return { ms, cpuMs: Number(usage?.[1] ?? NaN) / 1000, rssMB: Number(usage?.[2] ?? NaN) / 1024, exit: r.status };
}

function median(cli: string, hook: string, args: string[], runs: number): Run {
  const samples = Array.from({ length: runs }, () => runCli(cli, hook, args)).sort((a, b) => a.ms - b.ms);
  return samples[Math.floor(samples.length / 2)]!;
}

/**
 * Rows (header first) for the bench's table: model, file bytes, command, exit code, wall and
 * CPU ms (node's start included, some 50 ms) and peak RSS. `root` is the repository root (dist/cli.js).
 */
export function hostileRows(root: string, runs = Number(process.env.BENCH_RUNS ?? 3)): string[][] {
  const cli = join(root, 'dist', 'cli.js');
  const dir = mkdtempSync(join(tmpdir(), 'onnx-studio-bench-hostile-'));
  const hook = join(dir, 'usage.js');
  writeFileSync(hook, USAGE_HOOK);
  const rows: string[][] = [['input', 'bytes', 'command', 'exit', 'wall ms', 'CPU ms', 'peak RSS MB']];
  const row = (label: string, path: string, command: string): void => {
    const r = median(cli, hook, [command, path], runs);
    rows.push([label, String(statSync(path).size), command, String(r.exit), r.ms.toFixed(0), r.cpuMs.toFixed(0), r.rssMB.toFixed(0)]);
  };
  try {
    for (const h of HOSTILE_MODELS) {
      const path = join(dir, `${h.name}.onnx`);
      writeFileSync(path, bytesOf(h.model()));
      row(`${h.name}: ${h.asks}`, path, 'check');
    }
    const chain = join(dir, 'chain-1m.onnx');
    writeFileSync(chain, reluChainBytes(1_000_000));
    for (const command of ['check', 'inspect']) row('1M-node Relu chain', chain, command);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
