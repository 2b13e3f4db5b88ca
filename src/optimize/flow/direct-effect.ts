import { cosineJudged } from '../../runtime/compare';
import type { OutputAccuracy } from '../report';

/**
 * Ranking of the weight stage's candidates whose output cannot be exposed and compared (nodes
 * inside If/Loop/Scan bodies: ORT only returns main-graph values) or whose activations were
 * never quantized (weight-only LSTM/GRU/RNN): each is measured directly, the whole model with
 * int8 weights everywhere but its own (one evaluation per candidate) against the float model.
 */
export interface DirectEffect {
  id: string;
  /** Worst judged cosine with only this node's weights float. */
  cosine: number;
  /** What its float weights gain, in dB of cosine error: cosineDb(with it float) − cosineDb(all int8). */
  gainDb: number;
}

/**
 * The worst judged cosine as dB of error, −10·log10(1 − cos): for outputs of equal norm
 * 1 − cos is half the relative squared error, so a gain in it reads as a gain in SNR, the unit
 * the main-graph candidates are ranked in (own SNR loss), and it is the figure the target judges.
 */
export function cosineDb(figures: readonly OutputAccuracy[]): number {
  const worst = Math.min(...cosineJudged(figures).map((f) => f.cosine));
  if (Number.isNaN(worst)) return -Infinity;
  return -10 * Math.log10(Math.max(1e-12, 1 - worst));
}

/**
 * Measures each candidate with its weights float (`withFloat`), against `baseline` (every weight
 * int8), in the order given; one `withFloat` cannot build (undefined) is no candidate.
 */
export async function measureDirectEffects(ids: readonly string[], baseline: readonly OutputAccuracy[], withFloat: (id: string) => Promise<OutputAccuracy[] | undefined>): Promise<DirectEffect[]> {
  const base = cosineDb(baseline);
  const out: DirectEffect[] = [];
  for (const id of ids) {
    const figures = await withFloat(id);
    if (figures) out.push({ id, cosine: Math.min(...cosineJudged(figures).map((f) => f.cosine)), gainDb: cosineDb(figures) - base });
  }
  return out;
}

/**
 * One ranking, largest loss first, of main-graph candidates (own SNR loss, dB) and directly
 * measured ones (gain, dB). A directly measured node whose float weights gain nothing (a branch
 * the samples never take, weights whose rounding happens to help) is left out: the measurement
 * says its bytes would be spent for nothing. Ties keep the main graph's order first.
 */
export function mergeRankings(ownLoss: readonly [string, number][], direct: readonly DirectEffect[]): string[] {
  if (!direct.some((d) => d.gainDb > 0)) return ownLoss.map(([id]) => id);
  const all: { id: string; loss: number; order: number }[] = [
    ...ownLoss.map(([id, loss], order) => ({ id, loss, order })),
    ...direct.filter((d) => d.gainDb > 0).map((d, i) => ({ id: d.id, loss: d.gainDb, order: ownLoss.length + i })),
  ];
  return all.sort((a, b) => b.loss - a.loss || a.order - b.order).map((x) => x.id);
}
