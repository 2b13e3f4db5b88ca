// npm run bench, transforms (issue 8): each measurement through the CLI in a fresh process, beside
// a reference doing the same I/O in the same run; accuracy and size figures from the CLI's own
// JSON report on held-out real data (.cache/data, made by scripts/fetch-data.sh).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TransformReport } from '../src/optimize/report';
import type { StaticPreset } from '../src/optimize/static/presets';
import type { CalibrationMethod } from '../src/optimize/static/ranges';

const PYTHON = '/usr/bin/python3';

interface Timed {
  ms: number;
  /** Peak RSS in MiB (/usr/bin/time's %M is KiB); compare with file sizes in bytes, not MB. */
  rssMB: number;
  report?: TransformReport;
  error?: string;
}

/** Runs the CLI under /usr/bin/time for wall time and peak RSS; parses its JSON report when --json. */
function cli(root: string, args: string[]): Timed {
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, join(root, 'dist', 'cli.js'), ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t;
  const rssKB = Number(r.stderr.trim().split('\n').pop());
  if (r.status !== 0 && r.status !== 1) return { ms, rssMB: rssKB / 1024, error: r.stderr.trim().split('\n').slice(-3, -1).join(' ') };
  return { ms, rssMB: rssKB / 1024, report: args.includes('--json') ? (JSON.parse(r.stdout) as TransformReport) : undefined };
}

/** python onnx.load + onnx.save of the same file: the pure I/O reference a transform is compared with. */
function pythonLoadSave(path: string, out: string): Timed | undefined {
  const code = `import onnx, sys\nm = onnx.load(sys.argv[1])\nonnx.save(m, sys.argv[2])`;
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', '%M', PYTHON, '-c', code, path, out], { encoding: 'utf8' });
  if (r.status !== 0) return undefined;
  return { ms: performance.now() - t, rssMB: Number(r.stderr.trim().split('\n').pop()) / 1024 };
}

const f = (x: number | undefined, d = 0): string => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(d));

/** Speed and memory rows: dynamic INT8 of ViT-B/16 and FP16 of ViT-L/16 against python load+save. */
export function transformSpeedRows(root: string, models: { vitB?: string; vitL?: string }): string[][] {
  const rows = [['transform', 'input MB', 'ours s', 'python load+save s', 'ours/python', 'ours peak RSS MB', 'RSS / input size']];
  const dir = mkdtempSync(join(tmpdir(), 'bench-transforms-'));
  try {
    for (const [label, path, args] of [
      ['dynamic INT8, ViT-B/16', models.vitB, ['quantize', '--mode', 'dynamic']],
      ['FP16, ViT-L/16', models.vitL, ['fp16']],
    ] as [string, string | undefined, string[]][]) {
      if (!path || !existsSync(path)) {
        rows.push([label, 'missing', '', '', '', '', '']);
        continue;
      }
      const mb = statSync(path).size / 1e6;
      const ours = cli(root, [args[0]!, path, ...args.slice(1), '-o', join(dir, 'out.onnx')]);
      rmSync(join(dir, 'out.onnx'), { force: true });
      const py = pythonLoadSave(path, join(dir, 'py.onnx'));
      rmSync(join(dir, 'py.onnx'), { force: true });
      rows.push([label, f(mb), ours.error ?? f(ours.ms / 1000, 1), f(py && py.ms / 1000, 1), py ? `${(ours.ms / py.ms).toFixed(2)}×` : 'n/a', f(ours.rssMB), `${((ours.rssMB * 2 ** 20) / statSync(path).size).toFixed(2)}×`]);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export interface AcceptanceCase {
  label: string;
  model: string;
  /** Arguments after `quantize MODEL` or `fp16 MODEL`. */
  args: string[];
  kind: 'quantize' | 'fp16';
}

/** Accuracy, size and latency rows from the CLI's report (held-out data; figures are the worst sample). */
export function acceptanceRows(root: string, cases: AcceptanceCase[]): string[][] {
  const rows = [['model', 'transform', 'worst cosine', 'mean cosine', 'top-1 agree', 'size ratio', 'latency before ms', 'after ms', 'after/before', 'kept float', 'data', 'time s']];
  const dir = mkdtempSync(join(tmpdir(), 'bench-accept-'));
  try {
    for (const c of cases) {
      if (!existsSync(c.model)) {
        rows.push([c.label, c.args.join(' '), 'missing', '', '', '', '', '', '', '', '', '']);
        continue;
      }
      const out = join(dir, 'out.onnx');
      const r = cli(root, [c.kind, c.model, ...c.args, '-o', out, '--json']);
      const rep = r.report;
      if (!rep) {
        rows.push([c.label, `${c.kind} ${c.args.join(' ')}`, `failed: ${r.error ?? ''}`, '', '', '', '', '', '', '', '', f(r.ms / 1000)]);
        continue;
      }
      const worst = Math.min(...rep.outputs.map((o) => o.cosine));
      const mean = rep.outputs.reduce((a, o) => a + o.meanCosine, 0) / Math.max(1, rep.outputs.length);
      const top1 = rep.outputs.find((o) => o.top1Agreement !== undefined)?.top1Agreement;
      const lat = rep.latencyMs;
      rows.push([
        c.label, `${c.kind} ${c.args.filter((a) => !a.includes('/')).join(' ')}`, f(worst, 4), f(mean, 4), top1 === undefined ? '' : `${(top1 * 100).toFixed(1)} %`,
        `${(rep.sizeAfter / rep.sizeBefore).toFixed(3)}×`, f(lat?.before.median, 2), f(lat?.after.median, 2), lat ? `${(lat.after.median / lat.before.median).toFixed(2)}×` : '',
        String(rep.keptFloat.length), `${rep.validationData?.kind ?? ''} ${rep.validationData?.samples ?? ''}`, f(r.ms / 1000),
      ]);
      rmSync(out, { force: true });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

export interface CalibrationCase {
  model: string;
  data: string;
  /** The preset whose method and activation symmetry are measured (tensorrt: percentile, cpu: minmax), or an explicit method. */
  preset: StaticPreset;
  method?: CalibrationMethod;
}

/**
 * Calibration against plain inference over the same N samples (issue 8: within 3×), both in the
 * runtime child with the same settings (1 thread): calibration goes from the model file to the
 * chosen ranges (activations exposed, statistics, selection), plain inference opens the model
 * file and runs the same samples. Each is measured twice, alternating, and the faster run counts.
 */
export async function calibrationRows(root: string, cases: CalibrationCase[], n: number): Promise<string[][]> {
  const rows = [['model', 'method', 'samples', 'activations', 'passes', 'calibration s', 'open + plain inference s', 'calibration/inference']];
  const { RuntimeClient } = await import('../src/runtime/client');
  const { openInputFolder, modelInputSpecs } = await import('../src/runtime/input-files');
  const { buildModel } = await import('../src/onnx/model/build');
  const { decodeModelProto } = await import('../src/onnx/open');
  const { DiskModelFiles } = await import('../src/onnx/io/model-files');
  const { valuesToCalibrate } = await import('../src/optimize/static/static-qdq');
  const { rangeOptionsFor } = await import('../src/optimize/static/presets');
  const { calibrate } = await import('../src/optimize/flow/calibration');
  const client = await RuntimeClient.start({ workerScript: join(root, 'dist', 'runtime-worker.js') });
  try {
    for (const c of cases) {
      const label = c.model.split('/').pop()!;
      if (!existsSync(c.model) || !existsSync(c.data)) {
        rows.push([label, 'missing', '', '', '', '', '', '']);
        continue;
      }
      const files = new DiskModelFiles(c.model);
      const proto = decodeModelProto(files.model);
      const samples = [...openInputFolder(c.data, modelInputSpecs(buildModel(proto, files))).samples()].slice(0, n);
      const options = { preset: c.preset, method: c.method };
      const names = valuesToCalibrate(proto, options, files);
      files.close();
      const settings = { threads: 1 };
      await (await client.open(c.model, settings)).release(); // warm the page cache and ORT's first-session costs
      // Alternated twice, the faster of each: the figures share a machine with other work.
      let plain = Infinity;
      let calib = Infinity;
      let passes = 0;
      for (let round = 0; round < 2; round++) {
        let t = performance.now();
        const session = await client.open(c.model, settings);
        for (const s of samples) await session.run(s.feeds);
        plain = Math.min(plain, performance.now() - t);
        await session.release();
        t = performance.now();
        const r = await calibrate(client, c.model, names, samples, { ...rangeOptionsFor(options), settings }, () => {});
        calib = Math.min(calib, performance.now() - t);
        passes = r.passes;
      }
      const method = `${rangeOptionsFor(options).method} (${c.preset})`;
      rows.push([label, method, String(samples.length), String(names.length), String(passes), f(calib / 1000, 2), f(plain / 1000, 2), `${(calib / plain).toFixed(2)}×`]);
    }
  } finally {
    await client.close();
  }
  return rows;
}
