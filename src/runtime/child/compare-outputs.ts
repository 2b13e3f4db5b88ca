import type { OutputAccuracy } from '../types';
import { OutputAccuracyAccumulator } from '../compare';
import { RuntimeRequestError } from '../errors';
import type { Progress } from '../protocol';
import type { Sample, SessionSettings } from '../types';
import { adaptFeeds } from './adapt-feeds';
import { asFloat32, feedsToOrt } from './ort-tensors';
import { scoreOutputs } from './score-outputs';
import { createSession, releaseSession, runSession } from './sessions';

const FLOAT_TYPES = new Set(['float32', 'float16', 'float64', 'bfloat16']);

/** Runs both models on every sample, output by output, and reduces to the report's OutputAccuracy. */
export async function compareOutputs(
  reference: string,
  candidate: string,
  samples: Sample[],
  settings: SessionSettings,
  progress: (p: Progress) => void,
): Promise<OutputAccuracy[]> {
  const ref = await createSession(reference, settings);
  try {
    const cand = await createSession(candidate, settings);
    try {
      const missing = ref.outputNames.filter((n) => !cand.outputNames.includes(n));
      if (missing.length) throw new RuntimeRequestError(`the candidate model lacks output(s) ${missing.map((n) => `'${n}'`).join(', ')}`);
      const classifiers = scoreOutputs(reference);
      // Made once the first sample ran, when each output's element type is known.
      let acc: OutputAccuracyAccumulator[] | undefined;
      for (const [k, sample] of samples.entries()) {
        const a = await runSession(ref, feedsToOrt(adaptFeeds(ref, sample.feeds)));
        const b = await runSession(cand, feedsToOrt(adaptFeeds(cand, sample.feeds)));
        acc ??= ref.outputNames.map((n) => new OutputAccuracyAccumulator(n, classifiers.has(n), !FLOAT_TYPES.has(a[n]!.type)));
        for (const x of acc) {
          const ra = a[x.name]!;
          const rb = b[x.name]!;
          const dims = ra.dims.map(Number);
          if (dims.join() !== rb.dims.map(Number).join()) {
            throw new RuntimeRequestError(`output '${x.name}' has shape [${dims}] in the reference model and [${rb.dims.join(',')}] in the candidate (sample ${sample.id})`);
          }
          const va = asFloat32(ra);
          const vb = asFloat32(rb);
          if (!va || !vb) throw new RuntimeRequestError(`output '${x.name}' is not numeric`);
          x.add(va, vb, dims);
        }
        progress({ done: k + 1, total: samples.length, what: 'comparing outputs' });
      }
      return (acc ?? []).map((x) => x.result());
    } finally {
      await releaseSession(cand);
    }
  } finally {
    await releaseSession(ref);
  }
}
