import { planPasses, type PassLimits } from '../batches';
import { RuntimeRequestError } from '../errors';
import { makeJob, type IntermediateJob } from '../jobs/registry';
import type { IntermediatesResult, JobSpec, Progress } from '../protocol';
import type { Sample, SessionSettings } from '../types';
import { exposeValues, type Unavailable } from './expose-values';
import { addExtremeNodes, takenNames, type ExtremeOutputs } from './stats-graph';
import { valueSizes, valueTypes } from './value-sizes';

const FLOAT = 1;
import { editedModelBuffer, withDecodedModel } from './model-source';
import { adaptFeeds } from './adapt-feeds';
import { asFloat32, feedsToOrt } from './ort-tensors';
import { createSession, releaseSession, runSession } from './sessions';

export interface IntermediatesRequest {
  modelPath: string;
  names: string[];
  samples: Sample[];
  settings: SessionSettings;
  limits: PassLimits;
  job: JobSpec;
  /** Consumes the values instead of the job `job` names (calibration's binning thread). */
  consumer?: IntermediateJob;
  /** Also compute each main-graph float32 value's min, max and sum in the graph, handed to the job beside the value. */
  extremes?: boolean;
}

/**
 * Runs the model with `names` exposed as extra outputs, passes bounded by `limits` (names, and
 * bytes of the values for one sample as shape inference sizes them),
 * one pass after another over every sample, and hands each value to the job here in the
 * child. Memory: one pass's activations of one sample at a time (two models' for compareWith).
 * Graph inputs are handed over from the feeds without a run.
 */
export async function runIntermediates(r: IntermediatesRequest, progress: (p: Progress) => void): Promise<IntermediatesResult> {
  if (r.samples.length === 0) throw new RuntimeRequestError('no samples to run');
  const job = r.consumer ?? makeJob(r.job);
  const candidate = r.job.kind === 'compareWith' ? r.job : undefined;
  const candidateName = (n: string): string => candidate?.candidateNames?.[n] ?? n;
  const inputs = new Set(r.samples.flatMap((s) => Object.keys(s.feeds)));
  const unavailable: Unavailable[] = [];
  const computed = r.names.filter((n) => !inputs.has(n));
  const fromFeeds = [...new Set(r.names.filter((n) => inputs.has(n)))];
  for (const sample of r.samples) {
    for (const name of fromFeeds) {
      const v = asFloat32(sample.feeds[name]!);
      if (v) job.consume(sample.id, name, v, candidate ? v : undefined);
    }
  }
  await job.endSample?.();
  // Which names both models can expose, decided once; passes are planned over those only.
  let sizeOf: (name: string) => number | undefined = () => undefined;
  let typeOf: ReturnType<typeof valueTypes> = () => undefined;
  const inReference = withDecodedModel(r.modelPath, (m, files) => {
    typeOf = valueTypes(m, files, r.samples[0]!.feeds);
    sizeOf = valueSizes(m, files, r.samples[0]!.feeds, typeOf);
    return exposeValues(m, files, computed);
  });
  // ReduceMin/ReduceMax read main-graph float32 values only (an If branch's value may come back empty).
  const withExtremes = new Set(r.extremes ? computed.filter((n) => typeOf(n)?.inMainGraph && typeOf(n)?.elemType === FLOAT) : []);
  unavailable.push(...inReference.unavailable);
  let fetchable = [...inReference.fetch.keys()];
  if (candidate) {
    const inCandidate = withDecodedModel(candidate.candidateModel, (m, files) => exposeValues(m, files, fetchable.map(candidateName)));
    unavailable.push(...inCandidate.unavailable.map((u) => ({ name: u.name, why: `in the candidate model: ${u.why}` })));
    fetchable = fetchable.filter((n) => inCandidate.fetch.has(candidateName(n)));
  }
  const passes = planPasses(fetchable, r.limits, sizeOf);
  for (const [p, names] of passes.entries()) {
    let refFetch = new Map<string, string>();
    let candFetch = new Map<string, string>();
    let summaries = new Map<string, ExtremeOutputs>();
    const refModel = editedModelBuffer(r.modelPath, (m, files) => {
      refFetch = exposeValues(m, files, names).fetch;
      const summarized = names.filter((n) => withExtremes.has(n) && refFetch.get(n) === n);
      if (summarized.length) summaries = addExtremeNodes(m, summarized, takenNames(m, files));
    });
    const summaryFetches = [...summaries.values()].flatMap((s) => [s.min, s.max]);
    const candModel = candidate ? editedModelBuffer(candidate.candidateModel, (m, files) => void (candFetch = exposeValues(m, files, names.map(candidateName)).fetch)) : undefined;
    const refName = (n: string): string => refFetch.get(n)!;
    const candOutput = (n: string): string => candFetch.get(candidateName(n))!;
    await withSessions(refModel, candModel, r.settings, async (ref, cand) => {
      for (const sample of r.samples) {
        const a = await runSession(ref, feedsToOrt(adaptFeeds(ref, sample.feeds)), [...names.map(refName), ...summaryFetches]);
        const b = cand ? await runSession(cand, feedsToOrt(adaptFeeds(cand, sample.feeds)), names.map(candOutput)) : undefined;
        for (const name of names) {
          const va = asFloat32(a[refName(name)]!);
          const vb = b ? asFloat32(b[candOutput(name)]!) : undefined;
          // An empty value: the sample took an If branch that does not compute it.
          const s = summaries.get(name);
          const extremes = s && { min: Number(a[s.min]!.data[0]), max: Number(a[s.max]!.data[0]) };
          if (va && va.length > 0 && (!b || vb)) job.consume(sample.id, name, va, vb, extremes);
        }
        await job.endSample?.();
      }
    });
    progress({ done: p + 1, total: passes.length, what: 'intermediate values' });
  }
  await job.finish?.();
  return { result: job.result(), unavailable, passes };
}

type Session = Awaited<ReturnType<typeof createSession>>;

async function withSessions(
  ref: Parameters<typeof createSession>[0],
  cand: Parameters<typeof createSession>[0] | undefined,
  settings: SessionSettings,
  body: (ref: Session, cand: Session | undefined) => Promise<void>,
): Promise<void> {
  const a = await createSession(ref, settings);
  try {
    const b = cand ? await createSession(cand, settings) : undefined;
    try {
      await body(a, b);
    } finally {
      if (b) await releaseSession(b);
    }
  } finally {
    await releaseSession(a);
  }
}
