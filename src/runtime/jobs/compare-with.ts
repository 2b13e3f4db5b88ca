import { OutputAccuracyAccumulator } from '../compare';
import { RuntimeRequestError } from '../errors';
import type { ValueAccuracy } from '../protocol';
import type { IntermediateJob } from './registry';

/** Per-value error of a candidate model against the reference (accuracy-aware mode: each quantized node's output). */
export function compareWithJob(): IntermediateJob {
  const byName = new Map<string, OutputAccuracyAccumulator>();
  return {
    consume(_sample, name, values, candidate) {
      if (!candidate) throw new RuntimeRequestError(`compareWith: no candidate value for '${name}'`);
      if (candidate.length !== values.length) throw new RuntimeRequestError(`'${name}' has ${values.length} values in the reference model and ${candidate.length} in the candidate`);
      let acc = byName.get(name);
      if (!acc) byName.set(name, (acc = new OutputAccuracyAccumulator(name)));
      acc.add(values, candidate, [values.length]);
    },
    result(): Record<string, ValueAccuracy> {
      return Object.fromEntries([...byName].map(([name, acc]) => [name, acc.result()]));
    },
  };
}
