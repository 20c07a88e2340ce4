// Words and phrases as key-content extraction sees them: where words are in a text, how they are
// normalised for comparison (case, apostrophes), and whether a phrase occurs in another text.

/**
 * A word: letters/digits (with combining marks, so decomposed accents and Indic scripts stay
 * whole), joined by an apostrophe (' or ’) or a hyphen between two word characters, so
 * "don’t", "friend's" and "well-known" are one word each. CJK text has no spaces, so a run of
 * CJK characters is one word: coarse, but it never splits a character. As a regex:
 *   [\p{L}\p{N}][\p{L}\p{N}\p{M}]*(?:['’-][\p{L}\p{N}][\p{L}\p{N}\p{M}]*)*
 * scanned by hand with an ASCII fast path (1.3× faster than matchAll on the HH sample).
 */
import { runToEnd, SlicedWork, WORK_CHUNK, WorkMeter } from '../slicedWork';

const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;
const LETTER_NUMBER_OR_MARK = /^[\p{L}\p{N}\p{M}]$/u;
const HAS_LETTER = /\p{L}/u;

export interface WordToken {
  /** UTF-16 offsets into the text, [start, end). */
  start: number;
  end: number;
  /** Lower case, typographic apostrophe folded to ASCII: the form stopwords and scores use. */
  norm: string;
  /** What lies between the previous word's end and this word's start ('other' for the first word). */
  gapBefore: Gap;
}

export function normalizeWord(word: string): string {
  const lower = word.toLowerCase();
  // The check first: a replace call on every word costs as much as finding the words.
  return lower.includes('\u2019') ? lower.replace(/\u2019/g, "'") : lower;
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39);
}

/** UTF-16 length of the word character starting at `i` (1 or 2), or 0 when there is none. */
function wordCharAt(text: string, i: number, marks: boolean): number {
  const c = text.charCodeAt(i);
  if (c < 0x80) return isAsciiAlnum(c) ? 1 : 0;
  const cp = text.codePointAt(i)!;
  const char = String.fromCodePoint(cp);
  return (marks ? LETTER_NUMBER_OR_MARK : LETTER_OR_NUMBER).test(char) ? char.length : 0;
}

function isJoiner(c: number): boolean {
  return c === 0x27 /* ' */ || c === 0x2019 /* ’ */ || c === 0x2d /* - */;
}

function isLineBreak(c: number): boolean {
  return c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029;
}

/**
 * Finds the words of a text in pieces (`scanTo`), resuming where it stopped, even inside a word or a
 * gap: the one word scanner, run straight through by tokenizeWords and in slices by tokenizeWordsSliced.
 * It classifies each gap as it passes it, so nothing scans a gap twice.
 */
export class WordScanner {
  readonly words: WordToken[] = [];
  private pos = 0;
  /** Start of the word being scanned, or −1 between words. */
  private wordStart = -1;
  private gapLineBreak = false;
  private gapOther = true; // before the first word: 'other', so it never joins a phrase
  constructor(private readonly text: string) {}

  /** Where scanning stopped. */
  get position(): number {
    return this.pos;
  }

  get done(): boolean {
    return this.pos >= this.text.length && this.wordStart < 0;
  }

  /** Scans up to offset `stop` (a character past it at most, to finish a surrogate pair or joiner); returns the characters scanned. */
  scanTo(stop: number): number {
    const text = this.text;
    const n = text.length;
    const end = Math.min(n, stop);
    const from = this.pos;
    let i = from;
    let wordStart = this.wordStart;
    let lineBreak = this.gapLineBreak;
    let other = this.gapOther;
    while (i < end) {
      if (wordStart < 0) {
        const first = wordCharAt(text, i, false);
        if (first === 0) {
          const c = text.charCodeAt(i);
          if (isLineBreak(c)) lineBreak = true;
          else if (!isHorizontalSpace(c)) other = true;
          i++;
          continue;
        }
        wordStart = i;
        i += first;
        continue;
      }
      let len = wordCharAt(text, i, true);
      if (len > 0) {
        i += len;
        continue;
      }
      if (i + 1 < n && isJoiner(text.charCodeAt(i)) && (len = wordCharAt(text, i + 1, false)) > 0) {
        i += 1 + len;
        continue;
      }
      this.push(wordStart, i, lineBreak, other);
      wordStart = -1;
      lineBreak = false;
      other = false;
    }
    if (i >= n && wordStart >= 0) {
      this.push(wordStart, n, lineBreak, other);
      wordStart = -1;
    }
    this.pos = i;
    this.wordStart = wordStart;
    this.gapLineBreak = lineBreak;
    this.gapOther = other;
    return i - from;
  }

  private push(start: number, end: number, lineBreak: boolean, other: boolean): void {
    const gapBefore: Gap = other ? 'other' : lineBreak ? 'line-break' : 'space';
    this.words.push({ start, end, norm: normalizeWord(this.text.slice(start, end)), gapBefore });
  }
}

export function tokenizeWords(text: string): WordToken[] {
  const scanner = new WordScanner(text);
  scanner.scanTo(text.length);
  return scanner.words;
}

/** tokenizeWords in pieces of at most WORK_CHUNK characters (a scan may pass its stop by 2 characters). */
export function* tokenizeWordsSliced(text: string): SlicedWork<WordToken[]> {
  const scanner = new WordScanner(text);
  while (!scanner.done) yield scanner.scanTo(scanner.position + WORK_CHUNK - 2);
  return scanner.words;
}

/** What lies between two words: only spaces/tabs, whitespace with a line break, or anything else. */
export type Gap = 'space' | 'line-break' | 'other';

/** A char loop rather than a regex on a slice: this runs for every pair of adjacent words. */
export function classifyGap(text: string, from: number, to: number): Gap {
  if (from >= to) return 'other';
  let lineBreak = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (isLineBreak(c)) lineBreak = true;
    else if (!isHorizontalSpace(c)) return 'other';
  }
  return lineBreak ? 'line-break' : 'space';
}

/** Tab, vertical tab, form feed and the Unicode space separators (Zs), plus the BOM. */
function isHorizontalSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0b || c === 0x0c || c === 0xa0 || c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** True when only spaces/tabs lie between two words, so they can belong to one phrase. */
export function isPhraseGap(text: string, from: number, to: number): boolean {
  return classifyGap(text, from, to) === 'space';
}

export function hasLetter(word: string): boolean {
  const c = word.charCodeAt(0) | 0x20;
  return (c >= 0x61 && c <= 0x7a) || HAS_LETTER.test(word);
}

/** The comparison form of a phrase: its words normalised and joined by single spaces. */
export function normalizePhrase(text: string): string {
  return tokenizeWords(text).map((w) => w.norm).join(' ');
}

/** normalizePhrase in slices (a key span can be as long as its response). */
export function* normalizePhraseSliced(text: string): SlicedWork<string> {
  const words = yield* tokenizeWordsSliced(text);
  const norms: string[] = [];
  const meter = new WorkMeter();
  for (const w of words) {
    norms.push(w.norm);
    if (meter.add()) yield meter.take();
  }
  yield meter.take();
  return norms.join(' ');
}

/**
 * The text PhraseMatcher searches: the words normalised, one space between words that only
 * whitespace separates, ' | ' where anything else does, and a space at each end.
 */
function* phraseHaystack(text: string): SlicedWork<string> {
  const words = yield* tokenizeWordsSliced(text);
  // Joined a chunk at a time: one join of a million parts is a long native stretch.
  const pieces: string[] = [];
  let parts: string[] = [' '];
  for (let i = 0; i < words.length; i++) {
    if (i > 0) parts.push(words[i].gapBefore === 'other' ? ' | ' : ' ');
    parts.push(words[i].norm);
    if (parts.length >= WORK_CHUNK) {
      pieces.push(parts.join(''));
      parts = [];
      yield WORK_CHUNK / 2;
    }
  }
  parts.push(' ');
  pieces.push(parts.join(''));
  yield parts.length;
  return pieces.join('');
}

/**
 * Answers "does this phrase occur in the text?" case-insensitively and on word boundaries:
 * the phrase's words must appear consecutively, separated only by whitespace (line breaks
 * included), so "pen" does not match "pens" and "huge penis" does not match "huge, penis".
 */
export class PhraseMatcher {
  private readonly haystack: string;

  /** `haystack` comes from PhraseMatcher.sliced; without it the text is scanned now. */
  constructor(text: string, haystack?: string) {
    this.haystack = haystack ?? runToEnd(phraseHaystack(text));
  }

  /** The matcher of `text`, built in slices. */
  static *sliced(text: string): SlicedWork<PhraseMatcher> {
    return new PhraseMatcher(text, yield* phraseHaystack(text));
  }

  /** `phrase` in normalised form (see normalizePhrase). An empty phrase never matches. */
  contains(phrase: string): boolean {
    return phrase.length > 0 && this.haystack.includes(` ${phrase} `);
  }
}
