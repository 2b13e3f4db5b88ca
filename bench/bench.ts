// npm run bench: opening models, ours beside the references, measured in the same run.
// Each measurement runs in a fresh child process (so peak RSS is its own) on a warm page cache;
// the table shows the median of RUNS runs. Large models are generated, never committed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { inferModel } from '../src/onnx/infer/infer';
import { openModel } from '../src/onnx/open';
import { protobufjsRoot } from '../src/onnx/proto/schema';
import { hostStallChild, hostStallRows } from './host-stall';
import { hostileRows } from './hostile';
import { dagreWorker, layoutRows } from './layout';
import { channelRows, scanRows, type PruneCase } from './prune';
import { acceptanceRows, calibrationRows, transformSpeedRows, type AcceptanceCase, type CalibrationCase } from './transforms';

const ROOT = join(__dirname, '..', '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const PYTHON = '/usr/bin/python3';

interface Sample {
  ms: number;
  rssMB: number;
}

/** Child-process side: do one measured job and print {ms, rssMB}. */
function worker(kind: string, path: string): void {
  const start = performance.now();
  if (kind === 'ours') {
    const model = openModel(path);
    inferModel(model); // types and shapes for the edges: the graph model ready to draw
    model.close();
  } else if (kind === 'protobufjs') {
    const type = protobufjsRoot().lookupType('onnx.ModelProto');
    type.decode(readFileSync(path));
  }
  const ms = performance.now() - start;
  process.stdout.write(JSON.stringify({ ms, rssMB: process.resourceUsage().maxRSS / 1024 }));
}

const PY_WORKER = `
import json, resource, sys, time
import onnx
t = time.perf_counter()
onnx.load(sys.argv[1], load_external_data=False)
ms = (time.perf_counter() - t) * 1000
print(json.dumps({"ms": ms, "rssMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
`;

function measure(kind: string, path: string): Sample | undefined {
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = kind === 'python'
      ? spawnSync(PYTHON, ['-c', PY_WORKER, path], { encoding: 'utf8' })
      : spawnSync(process.execPath, [__filename, '--worker', kind, path], { encoding: 'utf8' });
    if (r.status !== 0) return undefined;
    samples.push(JSON.parse(r.stdout) as Sample);
  }
  samples.sort((a, b) => a.ms - b.ms);
  return samples[Math.floor(samples.length / 2)];
}

function hasPythonOnnx(): boolean {
  return spawnSync(PYTHON, ['-c', 'import onnx'], { stdio: 'ignore' }).status === 0;
}

/** Generates the torchvision models with Debian's python3-torch when missing. */
function ensureModel(arch: string): string | undefined {
  const path = join(ROOT, '.cache', 'bench', `${arch}.onnx`);
  if (existsSync(path)) return path;
  if (spawnSync(PYTHON, ['-c', 'import torch, torchvision'], { stdio: 'ignore' }).status !== 0) return undefined;
  console.error(`generating ${path} (torchvision ${arch}, random weights)…`);
  execFileSync('mkdir', ['-p', join(ROOT, '.cache', 'bench')]);
  execFileSync(PYTHON, [join(ROOT, 'scripts', 'export-torchvision.py'), arch, path], { stdio: 'inherit' });
  return path;
}

/** Loads the file into the page cache from a child: the parent stays small, since a child's peak RSS counts what it forked from. */
function warm(path: string): void {
  execFileSync('cat', [path], { stdio: ['ignore', 'ignore', 'inherit'] });
}

const fmt = (x: number | undefined, digits = 0): string => (x === undefined ? 'n/a' : x.toFixed(digits));
const ratio = (a: number | undefined, b: number | undefined): string => (a === undefined || b === undefined ? 'n/a' : `${(a / b).toFixed(3)}×`);

async function main(): Promise<void> {
  const models: [string, string | undefined][] = [
    ['small: PP-OCRv4 rec (CNN+SVTR)', join(ROOT, '.cache', 'corpus', 'ch_PP-OCRv4_rec_infer.onnx')],
    ['~170 MB: torchvision resnet101', ensureModel('resnet101')],
    ['≥1 GB: torchvision vit_l_16', ensureModel('vit_l_16')],
  ];
  const python = hasPythonOnnx();
  console.log(`machine: ${cpus()[0]?.model ?? '?'} × ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM; node ${process.version}; median of ${RUNS} runs, warm page cache`);
  console.log('ours = open (decode structure + graph model) + type/shape inference; protobufjs = readFile + full decode; python = onnx.load(load_external_data=False)');
  const rows: string[][] = [['model', 'MB', 'ours ms', 'protobufjs ms', 'python ms', 'ours/protobufjs', 'ours/python', 'RSS MB ours', 'RSS MB protobufjs', 'RSS MB python']];
  for (const [label, path] of models) {
    if (!path || !existsSync(path)) {
      rows.push([label, 'missing (npm run corpus / python3-torch)', '', '', '', '', '', '', '', '']);
      continue;
    }
    warm(path);
    const ours = measure('ours', path);
    const pbjs = measure('protobufjs', path);
    const py = python ? measure('python', path) : undefined;
    rows.push([label, fmt(statSync(path).size / 1e6), fmt(ours?.ms), fmt(pbjs?.ms), fmt(py?.ms), ratio(ours?.ms, pbjs?.ms), ratio(ours?.ms, py?.ms), fmt(ours?.rssMB), fmt(pbjs?.rssMB), fmt(py?.rssMB)]);
  }
  printTable(rows);

  console.log('\nlayout (the layered layout the graph editor runs in its worker; dagre in a child process, 120 s limit):');
  execFileSync(process.execPath, [join(ROOT, 'scripts', 'gen-networks.mjs')], { stdio: 'inherit' });
  const nets = ['1k', '10k', '100k'].flatMap((n) => ['flat', 'ns'].map((k): [string, string] => [`${k} ${n}`, join(ROOT, '.cache', 'bench', `net-${k}-${n}.onnx`)]));
  const vit = models[2]![1];
  printTable(layoutRows([...nets, ...(vit && existsSync(vit) ? [['vit_l_16', vit] as [string, string]] : [])], __filename));

  console.log('\nthe extension host while a 1M-node model opens (each path in a fresh process):');
  printTable(hostStallRows(__filename));

  console.log('\nhostile inputs (tiny files that once asked for gigabytes) and a 1M-node graph through the CLI:');
  printTable(hostileRows(ROOT));

  await transformBench(vit);
  await pruneBench();
}

/** Issue 11's figures: channel pruning at 0.3 (parameters, ORT CPU latency), the sensitivity scan against a uniform ratio (BENCH_ONLY=label narrows them; BENCH_PRUNE_PART=channels|scan picks a table). */
async function pruneBench(): Promise<void> {
  const m = (name: string): string => join(ROOT, '.cache', 'models', `${name}.onnx`);
  const c = (name: string): string => join(ROOT, '.cache', 'corpus', name);
  const d = (path: string): string => join(ROOT, '.cache', 'data', path);
  const imagenet = { calib: d('imagenet224/calib'), eval: d('imagenet224/eval') };
  const only = process.env.BENCH_ONLY;
  const cases: PruneCase[] = [
    { label: 'ResNet-18', model: m('resnet18'), ...imagenet },
    { label: 'ResNet-50', model: m('resnet50'), ...imagenet },
    { label: 'MobileNetV3-S', model: m('mobilenet_v3_small'), ...imagenet },
    { label: 'MobileNetV3-L', model: m('mobilenet_v3_large'), ...imagenet },
    { label: 'PP-OCR cls', model: c('ch_ppocr_mobile_v2.0_cls_infer.onnx'), calib: d('ocr-cls/calib'), eval: d('ocr-cls/eval') },
    { label: 'PP-OCR det', model: c('ch_PP-OCRv4_det_infer.onnx'), calib: d('ocr-det/calib'), eval: d('ocr-det/eval') },
    { label: 'PP-OCR rec', model: c('ch_PP-OCRv4_rec_infer.onnx'), calib: d('ocr-rec/calib'), eval: d('ocr-rec/eval') },
  ].filter((x) => !only || x.label.includes(only));
  // BENCH_PRUNE_PART=channels or scan runs one of the two tables.
  const part = process.env.BENCH_PRUNE_PART;
  if (part !== 'scan') {
    console.log('\nchannel pruning at 0.3 (no fine-tuning): parameters, held-out worst cosine, ORT CPU latency (1 thread, same session options, alternating rounds, median):');
    printTable(await channelRows(ROOT, cases));
  }
  if (part === 'channels') return;
  console.log('\nsensitivity scan at target cosine 0.95 against the largest uniform ratio (0.05, then 0.1 steps) whose held-out worst cosine meets 0.95:');
  const scanned = cases.filter((x) => !x.label.startsWith('PP-OCR det') && !x.label.startsWith('PP-OCR rec'));
  printTable([...scanRows(ROOT, scanned, 'channels'), ...scanRows(ROOT, scanned, 'unstructured').slice(1)]);
}

/** Calibration (model file → ranges, in the runtime child) against opening the model and running the same samples plainly. */
async function calibrationBench(): Promise<void> {
  console.log('\ncalibration (model file → chosen ranges, in the runtime child) against plain inference (open + run) over the same samples, 1 thread:');
  const imagenet = join(ROOT, '.cache', 'data', 'imagenet224', 'calib');
  const det = [join(ROOT, '.cache', 'corpus', 'ch_PP-OCRv4_det_infer.onnx'), join(ROOT, '.cache', 'data', 'ocr-det', 'calib')] as const;
  const cases: CalibrationCase[] = [];
  for (const [model, data] of [[join(ROOT, '.cache', 'models', 'resnet50.onnx'), imagenet], [join(ROOT, '.cache', 'models', 'resnet18.onnx'), imagenet], det] as const) {
    cases.push({ model, data, preset: 'tensorrt' }, { model, data, preset: 'cpu' }, { model, data, preset: 'tensorrt', method: 'entropy' });
  }
  const only = process.env.BENCH_ONLY;
  printTable(await calibrationRows(ROOT, cases.filter((c) => !only || `${c.model} ${c.preset} ${c.method ?? ''}`.includes(only)), 20));
}

/** Issue 8's figures: transform speed and memory against python load+save, accuracy/size/latency on held-out real data. */
async function transformBench(vitL: string | undefined): Promise<void> {
  await calibrationBench();
  console.log('\ntransforms against python onnx.load + onnx.save of the same file (pure I/O), fresh process each:');
  printTable(transformSpeedRows(ROOT, { vitB: join(ROOT, '.cache', 'models', 'vit_b_16.onnx'), vitL }));
  acceptanceBench();
}

/** Accuracy, size and latency of every acceptance case (BENCH_ONLY=text narrows by label or transform, e.g. 'fp16', 'static'). */
function acceptanceBench(): void {
  const m = (name: string): string => join(ROOT, '.cache', 'models', `${name}.onnx`);
  const c = (name: string): string => join(ROOT, '.cache', 'corpus', name);
  const d = (path: string): string => join(ROOT, '.cache', 'data', path);
  const imagenet = ['--calib', d('imagenet224/calib'), '--eval', d('imagenet224/eval')];
  const q = (label: string, model: string, ...args: string[]): AcceptanceCase => ({ label, model, args, kind: 'quantize' });
  const h = (label: string, model: string, ...args: string[]): AcceptanceCase => ({ label, model, args: [...args], kind: 'fp16' });
  const cases: AcceptanceCase[] = [
    q('ResNet-18', m('resnet18'), '--mode', 'static', ...imagenet),
    q('ResNet-50', m('resnet50'), '--mode', 'static', '--preset', 'cpu', ...imagenet),
    q('MobileNetV3-L', m('mobilenet_v3_large'), '--mode', 'static', '--target-cosine', '0.98', ...imagenet),
    q('ViT-B/16', m('vit_b_16'), '--mode', 'dynamic', '--eval', d('imagenet224/eval')),
    q('ViT-B/16', m('vit_b_16'), '--mode', 'static', '--target-cosine', '0.98', ...imagenet),
    q('PP-OCR cls', c('ch_ppocr_mobile_v2.0_cls_infer.onnx'), '--mode', 'static', '--target-top1', '0.95', '--calib', d('ocr-cls/calib'), '--eval', d('ocr-cls/eval')),
    q('PP-OCR cls', c('ch_ppocr_mobile_v2.0_cls_infer.onnx'), '--mode', 'static', '--target-cosine', '0.98', '--calib', d('ocr-cls/calib'), '--eval', d('ocr-cls/eval')),
    // The same, calibrated on the eval folder and judged on the calibration one (the search must generalize both ways).
    q('PP-OCR cls (folders swapped)', c('ch_ppocr_mobile_v2.0_cls_infer.onnx'), '--mode', 'static', '--target-cosine', '0.98', '--calib', d('ocr-cls/eval'), '--eval', d('ocr-cls/calib')),
    q('PP-OCR det', c('ch_PP-OCRv4_det_infer.onnx'), '--mode', 'static', '--target-cosine', '0.98', '--calib', d('ocr-det/calib'), '--eval', d('ocr-det/eval')),
    q('PP-OCR rec', c('ch_PP-OCRv4_rec_infer.onnx'), '--mode', 'static', '--target-cosine', '0.98', '--calib', d('ocr-rec/calib'), '--eval', d('ocr-rec/eval')),
    q('PP-OCR rec', c('ch_PP-OCRv4_rec_infer.onnx'), '--mode', 'dynamic', '--eval', d('ocr-rec/eval')),
    q('Silero VAD v5', c('silero_vad_v5.onnx'), '--mode', 'dynamic', '--eval', d('speech/silero-v5/eval')),
    q('Silero VAD v5', c('silero_vad_v5.onnx'), '--mode', 'static', '--target-cosine', '0.98', '--calib', d('speech/silero-v5/calib'), '--eval', d('speech/silero-v5/eval')),
    q('Silero VAD v4', c('silero_vad_legacy.onnx'), '--mode', 'dynamic', '--eval', d('speech/silero-legacy/eval')),
    q('Silero VAD v4', c('silero_vad_legacy.onnx'), '--mode', 'static', '--target-cosine', '0.98', '--calib', d('speech/silero-legacy/calib'), '--eval', d('speech/silero-legacy/eval')),
    ...(['resnet18', 'resnet50', 'mobilenet_v3_large', 'vit_b_16'].map((n) => h(n, m(n), '--eval', d('imagenet224/eval')))),
    h('PP-OCR cls', c('ch_ppocr_mobile_v2.0_cls_infer.onnx'), '--eval', d('ocr-cls/eval')),
    h('PP-OCR det', c('ch_PP-OCRv4_det_infer.onnx'), '--eval', d('ocr-det/eval')),
    h('PP-OCR rec', c('ch_PP-OCRv4_rec_infer.onnx'), '--eval', d('ocr-rec/eval')),
    h('Silero VAD v5', c('silero_vad_v5.onnx'), '--eval', d('speech/silero-v5/eval')),
    h('Silero VAD v4', c('silero_vad_legacy.onnx'), '--eval', d('speech/silero-legacy/eval')),
  ];
  console.log('\naccuracy on held-out real data (worst sample; cosine against the float model), size and ORT CPU latency (1 thread), from the CLI\'s --json report:');
  const only = process.env.BENCH_ONLY;
  printTable(acceptanceRows(ROOT, cases.filter((x) => !only || `${x.label} ${x.kind} ${x.args.join(' ')}`.includes(only))));
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  for (const r of rows) console.log('| ' + r.map((c, i) => c.padEnd(widths[i]!)).join(' | ') + ' |');
}

if (process.argv[2] === '--worker') worker(process.argv[3]!, process.argv[4]!);
else if (process.argv[2] === '--dagre') dagreWorker(process.argv[3]!);
else if (process.argv[2] === '--host-stall') void hostStallChild(process.argv[3]!, process.argv[4]!);
// `--transforms`: only issue 8's rows (BENCH_ONLY=label narrows the accuracy table).
else if (process.argv[2] === '--transforms') void transformBench(ensureModel('vit_l_16'));
// `--calibration`: only the calibration rows (BENCH_ONLY=text narrows them by model path, preset, method).
else if (process.argv[2] === '--calibration') void calibrationBench();
// `--acceptance`: only the accuracy/size/latency table (BENCH_ONLY as above).
else if (process.argv[2] === '--acceptance') acceptanceBench();
// `--prune`: only issue 11's rows (BENCH_ONLY=label narrows them).
else if (process.argv[2] === '--prune') void pruneBench();
else void main();
