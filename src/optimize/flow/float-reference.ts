import type { RuntimeClient } from '../../runtime/client';
import { OutputAccuracyAccumulator } from '../../runtime/compare';
import type { Sample, SessionSettings } from '../../runtime/types';
import type { OutputAccuracy } from '../report';

/**
 * The float model's outputs on the fallback loop's samples, computed once: each try then runs
 * only the candidate (compareOutputs would run the float model again, half of every try's work).
 * Figures are those of compareOutputs (same accumulator, worst and mean sample).
 */
export class FloatReference {
  private constructor(
    private readonly client: RuntimeClient,
    private readonly samples: Sample[],
    private readonly outputs: Map<string, { data: Float32Array; dims: number[] }>[],
    private readonly names: string[],
    private readonly classifiers: ReadonlySet<string>,
    private readonly settings: SessionSettings,
  ) {}

  /**
   * Runs the float model once per sample. `classifiers`: the outputs compareOutputs found to hold
   * class scores (those with a top-1 figure). Undefined when an output is not float32: the caller
   * then compares with compareOutputs.
   */
  static async create(client: RuntimeClient, floatPath: string, samples: Sample[], settings: SessionSettings, classifiers: ReadonlySet<string>): Promise<FloatReference | undefined> {
    const session = await client.open(floatPath, settings);
    try {
      const outputs: Map<string, { data: Float32Array; dims: number[] }>[] = [];
      for (const s of samples) {
        const r = await session.run(s.feeds);
        const m = new Map<string, { data: Float32Array; dims: number[] }>();
        for (const name of session.outputNames) {
          const t = r[name];
          if (!t || !(t.data instanceof Float32Array)) return undefined;
          m.set(name, { data: t.data, dims: t.dims.map(Number) });
        }
        outputs.push(m);
      }
      return new FloatReference(client, samples, outputs, session.outputNames, classifiers, settings);
    } finally {
      await session.release().catch(() => null);
    }
  }

  /** The candidate's figures against the float outputs on the first `count` samples (all by default). */
  async compare(candidatePath: string, count = this.samples.length): Promise<OutputAccuracy[]> {
    const session = await this.client.open(candidatePath, this.settings);
    try {
      const acc = this.names.map((n) => new OutputAccuracyAccumulator(n, this.classifiers.has(n)));
      for (let k = 0; k < Math.min(count, this.samples.length); k++) {
        const r = await session.run(this.samples[k]!.feeds, this.names);
        for (const x of acc) {
          const ref = this.outputs[k]!.get(x.name)!;
          const t = r[x.name];
          if (!t || !(t.data instanceof Float32Array) || t.dims.map(Number).join() !== ref.dims.join()) {
            throw new Error(`output '${x.name}' of the candidate model does not match the float model's (sample ${this.samples[k]!.id})`);
          }
          x.add(ref.data, t.data, ref.dims);
        }
      }
      return acc.map((x) => x.result());
    } finally {
      await session.release().catch(() => null);
    }
  }
}
