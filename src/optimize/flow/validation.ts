import type { RuntimeClient } from '../../runtime/client';
import type { Sample, SessionSettings } from '../../runtime/types';
import type { LatencyFigures, OutputAccuracy } from '../report';

export interface Validation {
  outputs: OutputAccuracy[];
  latencyMs: { before: LatencyFigures; after: LatencyFigures };
}

/** Runs of each model for latency, after warm-up (the same session settings before and after). */
const LATENCY_RUNS = 20;

/**
 * The measured half of a report (DESIGN.md §2b): both models on the same held-out samples,
 * per output worst and mean figures, and latency median/p90 on the first sample.
 */
export async function validate(client: RuntimeClient, before: string, after: string, samples: Sample[], settings: SessionSettings, progress: (line: string) => void): Promise<Validation> {
  progress(`comparing outputs on ${samples.length} sample(s)`);
  const outputs = await client.compareOutputs(before, after, samples, settings);
  const latencyOf = async (path: string): Promise<LatencyFigures> => {
    const session = await client.open(path, settings);
    try {
      const { median, p90 } = await session.latency(samples[0]!.feeds, { runs: LATENCY_RUNS });
      return { median, p90 };
    } finally {
      await session.release();
    }
  };
  progress(`measuring latency (${LATENCY_RUNS} runs each)`);
  const latencyMs = { before: await latencyOf(before), after: await latencyOf(after) };
  return { outputs, latencyMs };
}
