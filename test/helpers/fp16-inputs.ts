import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';

/**
 * Real inputs for the corpus models, made once by Debian's python3 (scikit-image sample
 * photographs, preprocessed as each model expects; speech synthesized by espeak-ng and
 * resampled to 16 kHz), kept as raw float32 in the temp folder.
 */
const SCRIPT = String.raw`
import sys, os, wave, subprocess, numpy as np
from skimage import io, transform, color
out = sys.argv[1]
D = '/usr/lib/python3/dist-packages/skimage/data/'
def save(name, a):
    np.ascontiguousarray(a, dtype=np.float32).tofile(os.path.join(out, name + '.f32'))
def rgb(name):
    im = io.imread(D + name)
    if im.ndim == 2: im = color.gray2rgb(im)
    return im[..., :3]
def nchw(im, h, w, mean, std):
    x = transform.resize(im, (h, w), anti_aliasing=True, preserve_range=True) / 255.0
    return ((x - np.array(mean)) / np.array(std)).transpose(2, 0, 1)[None]
imnet = ([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
save('resnet', np.concatenate([nchw(rgb(n), 224, 224, *imnet) for n in ['astronaut.png', 'chelsea.png', 'coffee.png']]))
save('det', nchw(rgb('page.png'), 192, 384, *imnet))
text = rgb('text.png')
save('rec', np.concatenate([nchw(text[y:y + 48, :], 48, 320, [0.5] * 3, [0.5] * 3) for y in (20, 90)]))
save('cls', np.concatenate([nchw(text[y:y + 48, :], 48, 192, [0.5] * 3, [0.5] * 3) for y in (20, 90)]))
wav = os.path.join(out, 'speech.wav')
subprocess.run(['espeak-ng', '-w', wav, 'The quick brown fox jumps over the lazy dog. Voice activity detection listens for speech.'], check=True)
with wave.open(wav) as w:
    rate = w.getframerate()
    s = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16).astype(np.float64) / 32768
t = np.arange(0, len(s) / rate, 1 / 16000)
save('speech16k', np.interp(t, np.arange(len(s)) / rate, s))
open(os.path.join(out, 'done'), 'w').write('1')
`;

const DIR = join(tmpdir(), 'onnx-studio-fp16-inputs-v1');

function inputsDir(): string {
  if (!existsSync(join(DIR, 'done'))) {
    mkdirSync(DIR, { recursive: true });
    const r = spawnSync('/usr/bin/python3', ['-c', SCRIPT, DIR], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`making the test inputs failed (needs python3-skimage and espeak-ng): ${r.stderr}`);
  }
  return DIR;
}

function f32(name: string): Float32Array {
  const b = readFileSync(join(inputsDir(), `${name}.f32`));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

const tensor = (data: Float32Array, dims: number[]): ort.Tensor => new ort.Tensor('float32', data, dims);

/** One batch of feeds per run for image models; for Silero, successive 512-sample chunks whose state each model carries itself. */
export interface ModelInputs {
  feeds: Record<string, ort.Tensor>[];
  /** Silero: output name → the input it feeds on the next chunk. */
  carry?: Record<string, string>;
}

export function realInputs(model: string): ModelInputs {
  const images = (name: string, c: number, h: number, w: number): ModelInputs => {
    const all = f32(name);
    const n = all.length / (c * h * w);
    return { feeds: Array.from({ length: n }, (_, i) => ({ x: tensor(all.slice(i * c * h * w, (i + 1) * c * h * w), [1, c, h, w]) })) };
  };
  if (model.includes('resnet')) {
    const r = images('resnet', 3, 224, 224);
    return { feeds: r.feeds.map((f) => ({ input: f.x! })) };
  }
  if (model.includes('det_infer')) return images('det', 3, 192, 384);
  if (model.includes('rec_infer')) return images('rec', 3, 48, 320);
  if (model.includes('cls_infer')) return images('cls', 3, 48, 192);
  const speech = f32('speech16k');
  const sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
  const chunks = Array.from({ length: Math.floor(speech.length / 512) }, (_, i) => tensor(speech.slice(i * 512, (i + 1) * 512), [1, 512]));
  if (model.includes('vad_v5')) return { feeds: chunks.map((input) => ({ input, sr, state: tensor(new Float32Array(256), [2, 1, 128]) })), carry: { stateN: 'state' } };
  return { feeds: chunks.map((input) => ({ input, sr, h: tensor(new Float32Array(128), [2, 1, 64]), c: tensor(new Float32Array(128), [2, 1, 64]) })), carry: { hn: 'h', cn: 'c' } };
}

/** Runs every feed (carrying state where the model has it) and concatenates each output over the runs. */
export async function runAll(session: ort.InferenceSession, inputs: ModelInputs): Promise<Record<string, Float32Array>> {
  const collected: Record<string, Float32Array[]> = {};
  let carried: Record<string, ort.Tensor> = {};
  for (const feed of inputs.feeds) {
    const out = await session.run({ ...feed, ...carried });
    carried = {};
    for (const [name, t] of Object.entries(out)) {
      (collected[name] ??= []).push(t.data as Float32Array);
      const next = inputs.carry?.[name];
      if (next) carried[next] = t;
    }
  }
  const concat = (parts: Float32Array[]): Float32Array => {
    const all = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
    parts.reduce((at, p) => (all.set(p, at), at + p.length), 0);
    return all;
  };
  return Object.fromEntries(Object.entries(collected).map(([k, v]) => [k, concat(v)]));
}

export function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    aa += a[i]! * a[i]!;
    bb += b[i]! * b[i]!;
  }
  return aa === 0 && bb === 0 ? 1 : dot / Math.sqrt(aa * bb);
}
