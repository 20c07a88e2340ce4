// RAKE (Rose, Engel, Cramer, Cowley 2010, "Automatic keyword extraction from individual
// documents"): the default key-content extractor of spo-method.md §1.
//
// Choices this project makes where the paper leaves room (documented in the README too):
// - candidates are maximal runs of non-stopwords separated only by spaces/tabs; punctuation,
//   symbols and line breaks end a candidate (words: see words.ts);
// - candidates without a letter (numbers only: "2", "10 000") are dropped, as the reference
//   implementation drops numeric words; numbers inside a phrase ("windows 10") stay;
// - RAKE's "adjoining keywords" step (phrases spanning an interior stopword) is not done;
// - the paper keeps the top third of the words; we keep the `maxKeys` best *distinct* phrases
//   (case-insensitive, ’ ≡ '), ties broken by first position, and return a span for *every*
//   occurrence of each kept phrase, so the editor highlights all of them and the augmenter can
//   remove each. Spans never overlap (candidates are disjoint runs). Order: phrase rank, then
//   position. So `spans.length` can exceed `maxKeys` when a phrase repeats.
import { Extractor, KeySpan } from './types';
import { SMART_STOPWORDS } from './stopwords';
import { hasLetter, normalizeWord, tokenizeWords, tokenizeWordsSliced, WordToken } from './words';
import { runToEnd, SlicedWork, WorkMeter } from '../slicedWork';

export interface RakeCandidate {
  /** UTF-16 offsets of the candidate in the text, [start, end). */
  start: number;
  end: number;
  /** Normalised words (lower case, ASCII apostrophe). */
  words: string[];
  /** Normalised phrase: the words joined by one space; equal phrases are the same key. */
  phrase: string;
}

export interface RakeWordStats {
  /** Occurrences of the word in all candidates. */
  freq: number;
  /** Co-occurrence degree: for each occurrence, the length (in words) of its candidate. */
  degree: number;
  /** degree / freq. */
  score: number;
}

export interface RakeOptions {
  /** Stopwords (any case; ’ and ' are equivalent). Default: the SMART list. */
  stopwords?: Iterable<string>;
}

/** Split a text into RAKE candidate phrases, in text order. */
export function splitCandidates(text: string, stopwords: ReadonlySet<string>): RakeCandidate[] {
  return runToEnd(candidatesOf(tokenizeWords(text), stopwords));
}

/** The candidates of a text's words: maximal runs of non-stopwords with only spaces/tabs between them. */
function* candidatesOf(tokens: readonly WordToken[], stopwords: ReadonlySet<string>): SlicedWork<RakeCandidate[]> {
  const out: RakeCandidate[] = [];
  const meter = new WorkMeter();
  // The candidate being built; plain locals, as this loop runs for every word of every response.
  let words: string[] = [];
  let start = 0;
  let end = 0;
  let letter = false;
  const close = (): void => {
    if (words.length > 0 && letter) out.push({ start, end, words, phrase: words.join(' ') });
    words = [];
    letter = false;
  };
  for (const word of tokens) {
    if (meter.add()) yield meter.take();
    if (stopwords.has(word.norm)) {
      close();
      continue;
    }
    // Only spaces/tabs since the previous word (which, as `words` is not empty, is this candidate's last).
    if (words.length === 0 || word.gapBefore !== 'space') {
      close();
      start = word.start;
    }
    words.push(word.norm);
    end = word.end;
    letter ||= hasLetter(word.norm);
  }
  close();
  yield meter.take();
  return out;
}

/** RAKE word scores over a text's candidates: degree(w) / freq(w). */
export function wordStatistics(candidates: readonly RakeCandidate[]): Map<string, RakeWordStats> {
  return runToEnd(wordStatisticsSliced(candidates));
}

function* wordStatisticsSliced(candidates: readonly RakeCandidate[]): SlicedWork<Map<string, RakeWordStats>> {
  const stats = new Map<string, RakeWordStats>();
  const meter = new WorkMeter();
  for (const c of candidates) {
    for (const w of c.words) {
      const s = stats.get(w) ?? { freq: 0, degree: 0, score: 0 };
      s.freq += 1;
      s.degree += c.words.length;
      stats.set(w, s);
      if (meter.add()) yield meter.take();
    }
  }
  for (const s of stats.values()) {
    s.score = s.degree / s.freq;
    if (meter.add()) yield meter.take();
  }
  yield meter.take();
  return stats;
}

interface RakePhrase {
  score: number;
  occurrences: RakeCandidate[];
}

/**
 * The `limit` best phrases, best first, ties in first-occurrence order: what a stable sort by score
 * and a slice would give, without sorting every distinct phrase of a long text.
 */
function* bestPhrases(phrases: Iterable<RakePhrase>, limit: number): SlicedWork<RakePhrase[]> {
  const best: RakePhrase[] = [];
  const meter = new WorkMeter();
  for (const p of phrases) {
    if (meter.add()) yield meter.take();
    if (best.length === limit && !(p.score > best[limit - 1].score)) continue;
    let at = best.length;
    while (at > 0 && best[at - 1].score < p.score) at--;
    best.splice(at, 0, p);
    if (best.length > limit) best.pop();
  }
  yield meter.take();
  return best;
}

export class RakeExtractor implements Extractor {
  readonly name = 'rake';
  private readonly stopwords: ReadonlySet<string>;

  constructor(options: RakeOptions = {}) {
    this.stopwords = new Set([...(options.stopwords ?? SMART_STOPWORDS)].map(normalizeWord));
  }

  extract(text: string, maxKeys: number): KeySpan[] {
    return runToEnd(this.extractSliced(text, maxKeys));
  }

  *extractSliced(text: string, maxKeys: number): SlicedWork<KeySpan[]> {
    const limit = Math.floor(maxKeys);
    if (!(limit > 0)) return [];
    const candidates = yield* candidatesOf(yield* tokenizeWordsSliced(text), this.stopwords);
    if (candidates.length === 0) return [];
    const stats = yield* wordStatisticsSliced(candidates);
    const meter = new WorkMeter();

    // Distinct phrases in first-occurrence order, so ties keep the earlier phrase first.
    const phrases = new Map<string, RakePhrase>();
    for (const c of candidates) {
      if (meter.add()) yield meter.take();
      const entry = phrases.get(c.phrase);
      if (entry) {
        entry.occurrences.push(c);
        continue;
      }
      let score = 0;
      for (const w of c.words) {
        score += stats.get(w)!.score;
        if (meter.add()) yield meter.take();
      }
      phrases.set(c.phrase, { score, occurrences: [c] });
    }
    const ranked = yield* bestPhrases(phrases.values(), limit);

    const spans: KeySpan[] = [];
    for (const p of ranked) {
      for (const c of p.occurrences) {
        spans.push({ start: c.start, end: c.end, text: text.slice(c.start, c.end), score: p.score });
        if (meter.add()) yield meter.take();
      }
    }
    yield meter.take();
    return spans;
  }
}
