// Public API of key-content extraction (spo-method.md §1, §6): extractors, data degree, the
// per-pair analysis and the editor's highlight computation. Import from here outside src/core/keys.
import { RakeExtractor } from './rake';
import { Extractor } from './types';

export * from './types';
export { RakeExtractor, RakeOptions, RakeCandidate, RakeWordStats, splitCandidates, wordStatistics } from './rake';
export { SMART_STOPWORDS } from './stopwords';
export { normalizePhrase, normalizeWord, PhraseMatcher, tokenizeWords, WordToken } from './words';
export { dataDegree, DataDegree, distinctPhrases } from './degree';
export { analyzePair, analyzePairSliced, PairKeyAnalysis, RankedKey, ResponseKeys } from './analysis';
export {
  computeKeyDecorations, computeKeyDecorationsSliced, KeyDecoration, KeyDecorationCache, KeyDecorationOptions, LineRange, LineSource,
} from './decorations';
export { LruCache } from './lru';

/** Names accepted by the `extractor` setting (spo.keys.extractor, the trainer's config). */
export const EXTRACTOR_NAMES = ['rake'] as const;
export type ExtractorName = (typeof EXTRACTOR_NAMES)[number];

/** Default number of key phrases per response (spo-method.md §1). */
export const DEFAULT_MAX_KEYS = 8;

export function createExtractor(name: string): Extractor {
  switch (name) {
    case 'rake':
      return new RakeExtractor();
    default:
      throw new Error(`unknown key-content extractor '${name}' (known: ${EXTRACTOR_NAMES.join(', ')})`);
  }
}
