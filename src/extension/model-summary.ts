// A model's summary (inputs, shapes, op counts) read in a model worker of its own, so a large
// file is never decoded in the extension host.
import type { ModelSummary } from '../analysis/summary';
import { ModelWorker } from './model-worker-client';

export async function readModelSummary(workerScript: string, path: string): Promise<ModelSummary> {
  const worker = new ModelWorker(workerScript);
  try {
    const opened = await worker.request('model/open', { path, infer: false });
    if (!opened.ok) throw new Error(opened.error.message);
    return await worker.request('model/summary', {});
  } finally {
    void worker.terminate();
  }
}
