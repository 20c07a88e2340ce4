// Which pairs a step trains on (the epoch's shuffled order, checkpointed) and the step's input for them:
// the intact chosen and rejected rows, and the SPO variant rows drawn for (seed, step, pair, side).
import type { PreferencePair } from '../data/types';
import type { KeySpan } from '../keys/types';
import type { EncodedPair } from '../model/logprobs';
import type { SeededRandom } from '../random';
import type { DegreeAugmenter } from './augmenter';
import type { TrainerState } from './checkpoint';
import type { StepInput, VariantRow } from './step';
import { VARIANT_STREAM } from './variantDraws';

export interface EncodedResponses {
  chosen: EncodedPair;
  rejected: EncodedPair;
}

export interface PairKeys {
  chosen: KeySpan[];
  rejected: KeySpan[];
}

/** Summed reference log-probs of some pairs: from a frozen model, or the run's precomputed table. */
export type ReferenceLogps = (idx: readonly number[]) => { chosen: number[]; rejected: number[] };

/** The forward batch of some pairs, in the row order every step uses: chosen[0..B), then rejected[B..2B). */
export function pairRows(encoded: readonly EncodedResponses[], idx: readonly number[]): EncodedPair[] {
  return [...idx.map((i) => encoded[i].chosen), ...idx.map((i) => encoded[i].rejected)];
}

/**
 * The next `size` training pairs of the epoch's order; a new epoch reshuffles with the data generator.
 * Returns the pairs and the advanced state (order and position are checkpointed, so a resume continues).
 */
export function nextBatch(state: TrainerState, size: number, train: readonly number[], dataRng: SeededRandom): { idx: number[]; state: TrainerState } {
  const idx: number[] = [];
  let s = state;
  while (idx.length < size) {
    if (s.position >= s.order.length) s = { ...s, epoch: s.epoch + 1, position: 0, order: dataRng.shuffled(train) };
    idx.push(s.order[s.position]);
    s = { ...s, position: s.position + 1 };
  }
  return { idx, state: s };
}

/** What building a step's input reads: the run's pairs, as text, key spans and encoded rows. */
export interface BatchSource {
  pairs: readonly PreferencePair[];
  keys: readonly PairKeys[];
  encoded: readonly EncodedResponses[];
  /** A variant of pair `i`'s response, encoded exactly as the intact responses are. */
  encodeResponse: (i: number, response: string) => EncodedPair;
  /** Null when SPO is off (γ = 0): the input is the intact rows only. */
  augmenter: DegreeAugmenter | null;
  seed: number;
  /** Null for the reference-free losses. */
  referenceLogps: ReferenceLogps | null;
}

/**
 * The step input for some pairs: intact rows, then SPO variants (a variant with nothing removed reuses
 * its intact row). The variants are the counter-based draws of (seed, step, pair index, side), which the
 * torch engine draws the same way (docs/engine-contract.md).
 */
export function buildInput(src: BatchSource, idx: readonly number[], step: number): StepInput {
  const B = idx.length;
  const sequences = pairRows(src.encoded, idx);
  const pref: VariantRow[] = [];
  const dispref: VariantRow[] = [];
  let kept = 0;
  if (src.augmenter) {
    idx.forEach((i, j) => {
      for (const side of ['chosen', 'rejected'] as const) {
        const v = src.augmenter!.augment(src.pairs[i][side].text, src.keys[i][side], { seed: src.seed, step, index: i, stream: VARIANT_STREAM[side] });
        if (!v.kept) continue;
        kept++;
        let row = side === 'chosen' ? j : B + j;
        if (v.removed > 0) {
          row = sequences.length;
          sequences.push(src.encodeResponse(i, v.text));
        }
        (side === 'chosen' ? pref : dispref).push({ row, label: v.label });
      }
    });
  }
  return { sequences, pairs: B, pref, dispref, coverage: kept / (2 * B), refLogps: src.referenceLogps?.(idx) };
}
