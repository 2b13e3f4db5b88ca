"""Speech synthesized with Debian's espeak-ng, cut into Silero VAD inputs (v5 and legacy v4).

Usage: /usr/bin/python3 scripts/python/make-speech.py OUT_DIR CORPUS_DIR   (e.g. .cache/data .cache/corpus)
Writes OUT_DIR/speech: wav/NN.wav (each sentence, 16 kHz mono int16, from espeak-ng's 22.05 kHz
by scipy's polyphase resampling), calib.wav and eval.wav (sentences 0-5 and 6-8 joined by
0.4 s pauses of quiet noise, -60 dBFS, seeded), and per model calib/ and eval/ with one
subfolder per chunk, in stream order, holding `<input name>.npy`:
- silero-v5/: input [1,576] float32 (the previous chunk's last 64 samples, then 512 new ones,
  as silero-vad's OnnxWrapper and @ricky0123/vad-web feed it), state [2,1,128], sr int64 16000;
- silero-legacy/: input [1,1536] float32, h and c [2,1,64], sr int64 16000 (vad-web's v4 frames);
and eval-pb/ beside them: the eval samples again as input_N.pb (ONNX TensorProto, N in the
model's input order, each named after its input), the conformance suite's layout.
States are the ones the model really receives when run over the stream from a zero state
(computed by scripts/vad-states.mjs with onnxruntime-node).
"""
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from datasets import atomic_dir, save_json, save_npy, save_pb

SENTENCES = [  # (voice, words per minute, pitch, text)
    ("en-us", 160, 50, "The quick brown fox jumps over the lazy dog near the river bank."),
    ("en-gb", 150, 40, "Please remember to switch off the lights before you leave the office."),
    ("en-us+f3", 170, 60, "Quantized models run faster, but each conversion must be measured."),
    ("en-gb-scotland", 140, 45, "It rained all morning, so we stayed inside and read the papers."),
    ("en-us+m3", 180, 35, "Seven hundred and twenty four passengers boarded the evening train."),
    ("en-029", 155, 55, "Could you tell me the way to the nearest railway station, please?"),
    ("en-us+f2", 150, 65, "Silence between the words matters as much as the words themselves."),
    ("en-gb+m2", 165, 50, "The meeting has been moved to Thursday at half past three."),
    ("en-us", 145, 40, "A voice detector should ignore the noise and wake up for speech."),
]
SPLITS = {"calib": range(0, 6), "eval": range(6, 9)}
RATE = 16000
MODELS = {  # directory: (model file, kind, new samples per chunk, context samples, input order)
    "silero-v5": ("silero_vad_v5.onnx", "v5", 512, 64, ["input", "state", "sr"]),
    "silero-legacy": ("silero_vad_legacy.onnx", "legacy", 1536, 0, ["input", "sr", "h", "c"]),
}


def speak(voice: str, speed: int, pitch: int, text: str) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch), "-w", str(path), text], check=True)
        with wave.open(str(path)) as w:
            assert w.getnchannels() == 1 and w.getsampwidth() == 2
            rate, pcm = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), "<i2")
    return resample_poly(pcm.astype(np.float64) / 32768, RATE, rate).astype(np.float32)


def write_wav(path: Path, audio: np.ndarray) -> None:
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes((np.clip(audio, -1, 1) * 32767).round().astype("<i2").tobytes())


def chunk(stream: np.ndarray, step: int, context: int) -> np.ndarray:
    count = len(stream) // step
    padded = np.concatenate([np.zeros(context, np.float32), stream[: count * step]])
    return np.stack([padded[i * step: i * step + step + context] for i in range(count)])


def states(kind: str, model: Path, chunks: np.ndarray, tmp: Path) -> np.ndarray:
    chunks_path, out_path = tmp / "chunks.f32", tmp / "states.f32"
    chunks.astype("<f4").tofile(chunks_path)
    script = Path(__file__).resolve().parents[1] / "vad-states.mjs"
    subprocess.run(["node", str(script), kind, str(model), str(chunks_path), str(chunks.shape[1]), str(out_path)], check=True)
    result = np.fromfile(out_path, "<f4")
    chunks_path.unlink()
    out_path.unlink()
    return result.reshape(len(chunks), -1)


def write_model_sets(tmp: Path, streams: dict, corpus: Path) -> None:
    for folder, (model_file, kind, step, context, order) in MODELS.items():
        for split, stream in streams.items():
            chunks = chunk(stream, step, context)
            flat = states(kind, corpus / model_file, chunks, tmp)
            for i, samples in enumerate(chunks):
                feeds = {"input": samples[None], "sr": np.array(RATE, np.int64)}
                if kind == "v5":
                    feeds["state"] = flat[i].reshape(2, 1, 128)
                else:
                    feeds["h"], feeds["c"] = flat[i, :128].reshape(2, 1, 64), flat[i, 128:].reshape(2, 1, 64)
                for name, value in feeds.items():
                    save_npy(tmp / folder / split / f"{i:04d}" / f"{name}.npy", value)
                    if split == "eval":
                        save_pb(tmp / folder / "eval-pb" / f"{i:04d}" / f"input_{order.index(name)}.pb", value, name)


def main() -> None:
    out, corpus = Path(sys.argv[1]), Path(sys.argv[2])
    if (out / "speech").exists():
        return
    rng = np.random.default_rng(0)
    with atomic_dir(out / "speech") as tmp:
        (tmp / "wav").mkdir()
        sentences = [speak(*s) for s in SENTENCES]
        for i, audio in enumerate(sentences):
            write_wav(tmp / "wav" / f"{i:02d}.wav", audio)
        streams = {}
        for split, indices in SPLITS.items():
            parts = []
            for i in indices:
                parts += [rng.normal(0, 1e-3, int(0.4 * RATE)).astype(np.float32), sentences[i]]
            streams[split] = np.concatenate(parts + [rng.normal(0, 1e-3, int(0.4 * RATE)).astype(np.float32)])
            write_wav(tmp / f"{split}.wav", streams[split])
        write_model_sets(tmp, streams, corpus)
        save_json(tmp / "sentences.json", [{"file": f"wav/{i:02d}.wav", "voice": v, "text": t, "split": next(s for s, r in SPLITS.items() if i in r)}
                                          for i, (v, _, _, t) in enumerate(SENTENCES)])


if __name__ == "__main__":
    main()
