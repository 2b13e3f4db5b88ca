import * as ort from 'onnxruntime-node';
import { OrtError } from '../errors';
import type { SessionSettings } from '../types';
import type { ModelBuffer } from './model-source';

/** Session options from settings: one thread by default, for stable figures; ORT's warnings not printed. */
export function sessionOptions(settings: SessionSettings): ort.InferenceSession.SessionOptions {
  const threads = settings.threads ?? 1;
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: threads,
    graphOptimizationLevel: settings.optimization ?? 'all',
    executionProviders: ['cpu'],
    logSeverityLevel: 3,
  };
}

/**
 * A session on a model path (ORT resolves external data beside the model) or on an edited
 * model in memory (external data passed as buffers). ORT's failure becomes an OrtError with its message.
 */
export async function createSession(model: string | ModelBuffer, settings: SessionSettings, extra: ort.InferenceSession.SessionOptions = {}): Promise<ort.InferenceSession> {
  try {
    if (typeof model === 'string') return await ort.InferenceSession.create(model, { ...sessionOptions(settings), ...extra });
    const options = { ...sessionOptions(settings), ...extra, externalData: model.externalData };
    return await ort.InferenceSession.create(model.bytes, options);
  } catch (e) {
    throw new OrtError(ortMessage(e));
  }
}

export async function runSession(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, fetches?: string[]): Promise<Record<string, ort.Tensor>> {
  try {
    return fetches ? await session.run(feeds, fetches) : await session.run(feeds);
  } catch (e) {
    throw new OrtError(ortMessage(e));
  }
}

export async function releaseSession(session: ort.InferenceSession): Promise<void> {
  try {
    await session.release();
  } catch {
    // A session that failed to release holds nothing we can free.
  }
}

const ortMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));
