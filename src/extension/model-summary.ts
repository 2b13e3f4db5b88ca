// A model's summary (inputs, shapes, op counts) read in a model worker of its own, so a large
// file is never decoded in the extension host.
import type { ModelSummary } from '../analysis/summary';
import { ModelWorker } from './model-worker-client';

export async function readModelSummary(workerScript: string, path: string): Promise<ModelSummary> {
  return (await readModelFacts(workerScript, path, false)).summary;
}

/** The summary and, when `twoFour`, the layers whose weights hold the 2:4 pattern (the engine build offers --sparsity). */
export async function readModelFacts(workerScript: string, path: string, twoFour: boolean): Promise<{ summary: ModelSummary; twoFourLayers: string[] }> {
  const worker = new ModelWorker(workerScript);
  try {
    const opened = await worker.request('model/open', { path, infer: false });
    if (!opened.ok) throw new Error(opened.error.message);
    const summary = await worker.request('model/summary', {});
    return { summary, twoFourLayers: twoFour ? await worker.request('model/two-four', {}) : [] };
  } finally {
    void worker.terminate();
  }
}
