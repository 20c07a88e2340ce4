// The experiment's train / held-out split: a seeded shuffle of the pairs, the same for every arm
// and every training seed, so arms are compared on exactly the same held-out pairs.
import { SeededRandom } from '../random';

export interface DataSplit {
  /** Seed of the shuffle (independent of the training seeds). */
  seed: number;
  heldOutFraction: number;
  /** Indices into the loaded pairs, ascending. */
  train: number[];
  heldOut: number[];
  /** 1-based source lines of the same pairs, so the split can be checked against the file. */
  trainLines: number[];
  heldOutLines: number[];
}

/**
 * Split `pairs` (anything with a source line) into train and held-out sets. The held-out set holds
 * round(fraction · n) pairs, at least one, and at least one pair is left to train on.
 */
export function splitPairs(pairs: ReadonlyArray<{ line: number }>, heldOutFraction: number, seed: number): DataSplit {
  if (!(heldOutFraction > 0 && heldOutFraction < 1)) {
    throw new RangeError(`held-out fraction must be in (0, 1), got ${heldOutFraction}`);
  }
  if (pairs.length < 2) throw new RangeError(`need at least 2 pairs to split into train and held-out, got ${pairs.length}`);
  const n = pairs.length;
  const nHeldOut = Math.min(n - 1, Math.max(1, Math.round(heldOutFraction * n)));
  const order = new SeededRandom(seed).shuffled(Array.from({ length: n }, (_, i) => i));
  const heldOut = order.slice(0, nHeldOut).sort((a, b) => a - b);
  const train = order.slice(nHeldOut).sort((a, b) => a - b);
  return {
    seed,
    heldOutFraction,
    train,
    heldOut,
    trainLines: train.map((i) => pairs[i].line),
    heldOutLines: heldOut.map((i) => pairs[i].line),
  };
}
