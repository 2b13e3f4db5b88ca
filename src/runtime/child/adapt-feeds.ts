import type * as ort from 'onnxruntime-node';
import { float16ToNumber, numberToFloat16 } from '../../onnx/float-formats';

import type { FeedTensor, Feeds } from '../types';

/**
 * The same sample fed to a float32 model and to its float16 version whose IO types changed
 * (fp16 without kept IO types): float32 ↔ float16 inputs are converted to what the session
 * declares; everything else is fed as it is (ORT names a mismatch).
 */
export function adaptFeeds(session: ort.InferenceSession, feeds: Feeds): Feeds {
  const out: Feeds = { ...feeds };
  for (const m of session.inputMetadata) {
    const t = feeds[m.name];
    if (!t || !m.isTensor) continue;
    if (m.type === 'float16' && t.dtype === 1) out[m.name] = convert(t, 10, (v) => numberToFloat16(v));
    else if (m.type === 'float32' && t.dtype === 10) out[m.name] = convert(t, 1, float16ToNumber);
  }
  return out;
}

function convert(t: FeedTensor, dtype: number, f: (v: number) => number): FeedTensor {
  const data = dtype === 10 ? Uint16Array.from(t.data as Float32Array, f) : Float32Array.from(t.data as Uint16Array, f);
  return { dtype, dims: t.dims, data };
}
