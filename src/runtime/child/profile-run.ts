// A profiled ORT session: profiling on and the optimized graph saved into the request's folder,
// warm-up and measured runs cycling through the samples, then the trace file found by its prefix
// (onnxruntime-node's endProfiling() returns nothing; ORT appends a timestamp to the prefix).
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { listFolder } from '../../onnx/io/data-files';
import { RuntimeRequestError } from '../errors';
import type { ProfileRequest, ProfileRunResult, Progress } from '../protocol';
import { adaptFeeds } from './adapt-feeds';
import { feedsToOrt } from './ort-tensors';
import { createSession, releaseSession, runSession } from './sessions';

const PREFIX = 'ort-profile';
const OPTIMIZED = 'optimized.onnx';
const OPTIMIZED_WEIGHTS = 'optimized.weights';

export async function profileRun(r: ProfileRequest, progress: (p: Progress) => void): Promise<ProfileRunResult> {
  if (r.samples.length === 0) throw new RuntimeRequestError('no input samples to profile with');
  if (r.runs < 1) throw new RuntimeRequestError('a profile needs at least one measured run');
  const optimizedModelFile = join(r.folder, OPTIMIZED);
  const session = await createSession(r.modelPath, r.settings, {
    enableProfiling: true,
    profileFilePrefix: join(r.folder, PREFIX),
    optimizedModelFilePath: optimizedModelFile,
    // Only the optimized graph's structure is read: weights go to a file beside it (and a model over 2 GB can still be saved).
    extra: { session: { optimized_model_external_initializers_file_name: OPTIMIZED_WEIGHTS, optimized_model_external_initializers_min_size_in_bytes: '1024' } },
  });
  try {
    const feeds = r.samples.map((s) => feedsToOrt(adaptFeeds(session, s.feeds)));
    const total = r.warmup + r.runs;
    for (let i = 0; i < total; i++) {
      progress({ done: i, total, what: i < r.warmup ? `warm-up run ${i + 1}/${r.warmup}` : `run ${i - r.warmup + 1}/${r.runs}` });
      await runSession(session, feeds[i % feeds.length]!);
    }
  } finally {
    try {
      session.endProfiling();
    } catch {
      // A session that cannot end profiling has written what it could; the trace is looked for below.
    }
    await releaseSession(session);
  }
  const trace = listFolder(r.folder).find((e) => e.kind === 'file' && e.name.startsWith(`${PREFIX}_`) && e.name.endsWith('.json'));
  if (!trace) throw new RuntimeRequestError(`onnxruntime wrote no profile into ${r.folder}`);
  return { profileFile: trace.path, optimizedModelFile, ortVersion: ort.env.versions.node ?? ort.env.versions.common ?? '' };
}
