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
import { hasLetter, isPhraseGap, normalizeWord, tokenizeWords } from './words';

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
  const out: RakeCandidate[] = [];
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
  for (const word of tokenizeWords(text)) {
    if (stopwords.has(word.norm)) {
      close();
      continue;
    }
    if (words.length === 0 || !isPhraseGap(text, end, word.start)) {
      close();
      start = word.start;
    }
    words.push(word.norm);
    end = word.end;
    letter ||= hasLetter(word.norm);
  }
  close();
  return out;
}

/** RAKE word scores over a text's candidates: degree(w) / freq(w). */
export function wordStatistics(candidates: readonly RakeCandidate[]): Map<string, RakeWordStats> {
  const stats = new Map<string, RakeWordStats>();
  for (const c of candidates) {
    for (const w of c.words) {
      const s = stats.get(w) ?? { freq: 0, degree: 0, score: 0 };
      s.freq += 1;
      s.degree += c.words.length;
      stats.set(w, s);
    }
  }
  for (const s of stats.values()) s.score = s.degree / s.freq;
  return stats;
}

export class RakeExtractor implements Extractor {
  readonly name = 'rake';
  private readonly stopwords: ReadonlySet<string>;

  constructor(options: RakeOptions = {}) {
    this.stopwords = new Set([...(options.stopwords ?? SMART_STOPWORDS)].map(normalizeWord));
  }

  extract(text: string, maxKeys: number): KeySpan[] {
    const limit = Math.floor(maxKeys);
    if (!(limit > 0)) return [];
    const candidates = splitCandidates(text, this.stopwords);
    if (candidates.length === 0) return [];
    const stats = wordStatistics(candidates);

    // Distinct phrases in first-occurrence order, so a stable sort breaks score ties by position.
    const phrases = new Map<string, { score: number; occurrences: RakeCandidate[] }>();
    for (const c of candidates) {
      const entry = phrases.get(c.phrase);
      if (entry) entry.occurrences.push(c);
      else phrases.set(c.phrase, { score: c.words.reduce((sum, w) => sum + stats.get(w)!.score, 0), occurrences: [c] });
    }
    const ranked = [...phrases.values()].sort((a, b) => b.score - a.score).slice(0, limit);

    const spans: KeySpan[] = [];
    for (const p of ranked) {
      for (const c of p.occurrences) spans.push({ start: c.start, end: c.end, text: text.slice(c.start, c.end), score: p.score });
    }
    return spans;
  }
}
