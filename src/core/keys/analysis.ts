// The full key-content analysis of one preference pair (keys of both responses, their ranks,
// which are shared, the data degree): what hovers, the pair view and `spo keys` show.
import { PreferencePair } from '../data/types';
import { dataDegree, DataDegree } from './degree';
import { Extractor, KeySpan } from './types';
import { normalizePhrase } from './words';

export interface RankedKey extends KeySpan {
  /** Normalised phrase (lower case, ASCII apostrophe): occurrences of one key share it. */
  phrase: string;
  /** 1-based rank of the phrase among the response's distinct key phrases (1 = best). */
  rank: number;
  /** The phrase also occurs in the other response of the pair. */
  shared: boolean;
}

export interface ResponseKeys {
  keys: RankedKey[];
}

export interface PairKeyAnalysis {
  chosen: ResponseKeys;
  rejected: ResponseKeys;
  degree: DataDegree;
}

export function analyzePair(pair: PreferencePair, extractor: Extractor, maxKeys: number): PairKeyAnalysis {
  const chosenKeys = extractor.extract(pair.chosen.text, maxKeys);
  const rejectedKeys = extractor.extract(pair.rejected.text, maxKeys);
  const degree = dataDegree(chosenKeys, rejectedKeys, pair.chosen.text, pair.rejected.text);
  const shared = new Set(degree.sharedPhrases);
  return {
    chosen: { keys: rankKeys(chosenKeys, shared) },
    rejected: { keys: rankKeys(rejectedKeys, shared) },
    degree,
  };
}

/** Ranks follow the extractor's best-first order of distinct phrases. */
function rankKeys(keys: readonly KeySpan[], shared: ReadonlySet<string>): RankedKey[] {
  const ranks = new Map<string, number>();
  return keys.map((k) => {
    const phrase = normalizePhrase(k.text);
    let rank = ranks.get(phrase);
    if (rank === undefined) {
      rank = ranks.size + 1;
      ranks.set(phrase, rank);
    }
    return { start: k.start, end: k.end, text: k.text, score: k.score, phrase, rank, shared: shared.has(phrase) };
  });
}
