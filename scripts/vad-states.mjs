// Runs a Silero VAD model over consecutive audio chunks with onnxruntime-node and writes the
// recurrent state each chunk receives (zeros for the first, then the previous run's output),
// so calibration samples carry the states the model really sees. Called by make-speech.py
// (python onnxruntime is not available here).
// Usage: node scripts/vad-states.mjs v5|legacy MODEL.onnx CHUNKS.f32 CHUNK_LENGTH OUT.f32
// CHUNKS.f32: raw float32 [n, CHUNK_LENGTH]; OUT.f32: raw float32 [n, state...] (legacy: h then c).
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const ort = createRequire(import.meta.url)('onnxruntime-node');
const [kind, modelPath, chunksPath, lengthText, outPath] = process.argv.slice(2);
const length = Number(lengthText);
const bytes = readFileSync(chunksPath);
const audio = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
const count = audio.length / length;
const names = kind === 'v5' ? [['state', 'stateN', [2, 1, 128]]] : [['h', 'hn', [2, 1, 64]], ['c', 'cn', [2, 1, 64]]];
const session = await ort.InferenceSession.create(modelPath);
const sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
let states = names.map(([, , dims]) => new ort.Tensor('float32', new Float32Array(dims.reduce((a, b) => a * b)), dims));
const out = [];
for (let i = 0; i < count; i++) {
  out.push(...states.map((s) => s.data));
  const feeds = { input: new ort.Tensor('float32', audio.slice(i * length, (i + 1) * length), [1, length]), sr };
  names.forEach(([name], k) => { feeds[name] = states[k]; });
  const result = await session.run(feeds);
  states = names.map(([, output]) => result[output]);
}
const joined = new Float32Array(out.reduce((n, a) => n + a.length, 0));
out.reduce((offset, a) => { joined.set(a, offset); return offset + a.length; }, 0);
writeFileSync(outPath, joined);
