// The full key-content analysis of one preference pair (keys of both responses, their ranks,
// which are shared, the data degree): what hovers, the pair view and `spo keys` show.
import { PreferencePair } from '../data/types';
import { dataDegreeSliced, DataDegree, keyPhrasesSliced } from './degree';
import { Extractor, KeySpan } from './types';
import { oneStep, runToEnd, SlicedWork, WorkMeter } from '../slicedWork';

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
  return runToEnd(analyzePairSliced(pair, extractor, maxKeys));
}

/** analyzePair in slices (slicedWork.ts), for the editor: a response can be megabytes long. */
export function* analyzePairSliced(pair: PreferencePair, extractor: Extractor, maxKeys: number): SlicedWork<PairKeyAnalysis> {
  const chosenKeys = yield* extractSliced(extractor, pair.chosen.text, maxKeys);
  const rejectedKeys = yield* extractSliced(extractor, pair.rejected.text, maxKeys);
  const degree = yield* dataDegreeSliced(chosenKeys, rejectedKeys, pair.chosen.text, pair.rejected.text);
  const shared = new Set(degree.sharedPhrases);
  return {
    chosen: { keys: yield* rankKeys(chosenKeys, shared) },
    rejected: { keys: yield* rankKeys(rejectedKeys, shared) },
    degree,
  };
}

function extractSliced(extractor: Extractor, text: string, maxKeys: number): SlicedWork<KeySpan[]> {
  return extractor.extractSliced ? extractor.extractSliced(text, maxKeys) : oneStep(() => extractor.extract(text, maxKeys));
}

/** Ranks follow the extractor's best-first order of distinct phrases. */
function* rankKeys(keys: readonly KeySpan[], shared: ReadonlySet<string>): SlicedWork<RankedKey[]> {
  const phrases = yield* keyPhrasesSliced(keys);
  const ranks = new Map<string, number>();
  const out: RankedKey[] = [];
  const meter = new WorkMeter();
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    const phrase = phrases[i];
    let rank = ranks.get(phrase);
    if (rank === undefined) {
      rank = ranks.size + 1;
      ranks.set(phrase, rank);
    }
    out.push({ start: k.start, end: k.end, text: k.text, score: k.score, phrase, rank, shared: shared.has(phrase) });
    if (meter.add()) yield meter.take();
  }
  yield meter.take();
  return out;
}
