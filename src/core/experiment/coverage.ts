// How much of a data set the SPO loss can see: the share of responses with at least K − 1 key spans
// (the augmenter masks the others, spo-method.md §2), per K, for chosen and rejected responses.
import type { Extractor } from '../keys/types';
import { mean } from './stats';

export interface CoverageRow {
  classes: number;
  /** Share of chosen responses with ≥ K − 1 key spans. */
  chosen: number;
  rejected: number;
  /** Share of pairs where both responses take part. */
  both: number;
}

export interface KeyCoverage {
  responses: number;
  maxKeys: number;
  /** Mean number of key spans per response (capped at maxKeys). */
  meanKeysChosen: number;
  meanKeysRejected: number;
  /** Share of responses with no key span at all. */
  noKeysChosen: number;
  noKeysRejected: number;
  /** Mean response length in characters. */
  meanCharsChosen: number;
  meanCharsRejected: number;
  rows: CoverageRow[];
}

export function keyCoverage(
  pairs: ReadonlyArray<{ chosen: { text: string }; rejected: { text: string } }>,
  extractor: Extractor,
  maxKeys: number,
  classesList: readonly number[],
): KeyCoverage {
  const nChosen = pairs.map((p) => extractor.extract(p.chosen.text, maxKeys).length);
  const nRejected = pairs.map((p) => extractor.extract(p.rejected.text, maxKeys).length);
  const share = (xs: boolean[]): number => (xs.length ? xs.filter(Boolean).length / xs.length : NaN);
  return {
    responses: pairs.length,
    maxKeys,
    meanKeysChosen: mean(nChosen),
    meanKeysRejected: mean(nRejected),
    noKeysChosen: share(nChosen.map((n) => n === 0)),
    noKeysRejected: share(nRejected.map((n) => n === 0)),
    meanCharsChosen: mean(pairs.map((p) => p.chosen.text.length)),
    meanCharsRejected: mean(pairs.map((p) => p.rejected.text.length)),
    rows: classesList.map((K) => ({
      classes: K,
      chosen: share(nChosen.map((n) => n >= K - 1)),
      rejected: share(nRejected.map((n) => n >= K - 1)),
      both: share(nChosen.map((n, i) => n >= K - 1 && nRejected[i] >= K - 1)),
    })),
  };
}
