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
const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;
const LETTER_NUMBER_OR_MARK = /^[\p{L}\p{N}\p{M}]$/u;
const HAS_LETTER = /\p{L}/u;

export interface WordToken {
  /** UTF-16 offsets into the text, [start, end). */
  start: number;
  end: number;
  /** Lower case, typographic apostrophe folded to ASCII: the form stopwords and scores use. */
  norm: string;
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

export function tokenizeWords(text: string): WordToken[] {
  const out: WordToken[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const first = wordCharAt(text, i, false);
    if (first === 0) {
      i++;
      continue;
    }
    const start = i;
    i += first;
    for (;;) {
      let len: number;
      while (i < n && (len = wordCharAt(text, i, true)) > 0) i += len;
      if (i + 1 < n && isJoiner(text.charCodeAt(i)) && (len = wordCharAt(text, i + 1, false)) > 0) i += 1 + len;
      else break;
    }
    out.push({ start, end: i, norm: normalizeWord(text.slice(start, i)) });
  }
  return out;
}

/** What lies between two words: only spaces/tabs, whitespace with a line break, or anything else. */
export type Gap = 'space' | 'line-break' | 'other';

/** A char loop rather than a regex on a slice: this runs for every pair of adjacent words. */
export function classifyGap(text: string, from: number, to: number): Gap {
  if (from >= to) return 'other';
  let lineBreak = false;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x0d || c === 0x85 || c === 0x2028 || c === 0x2029) lineBreak = true;
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

/**
 * Answers "does this phrase occur in the text?" case-insensitively and on word boundaries:
 * the phrase's words must appear consecutively, separated only by whitespace (line breaks
 * included), so "pen" does not match "pens" and "huge penis" does not match "huge, penis".
 */
export class PhraseMatcher {
  private readonly haystack: string;

  constructor(text: string) {
    const words = tokenizeWords(text);
    const parts: string[] = [' '];
    for (let i = 0; i < words.length; i++) {
      if (i > 0) parts.push(classifyGap(text, words[i - 1].end, words[i].start) === 'other' ? ' | ' : ' ');
      parts.push(words[i].norm);
    }
    parts.push(' ');
    this.haystack = parts.join('');
  }

  /** `phrase` in normalised form (see normalizePhrase). An empty phrase never matches. */
  contains(phrase: string): boolean {
    return phrase.length > 0 && this.haystack.includes(` ${phrase} `);
  }
}
