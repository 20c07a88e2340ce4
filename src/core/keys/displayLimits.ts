// Bounds on what is shown of a response's key content (highlights, `spo keys --json`): one 20 MB line of a
// repeated phrase gave 806,600 decorations and 24 s of synchronous work, and 151 MB of `spo keys` output.
// Training keeps every span (the extractor is unchanged); only what is drawn or printed is capped, and a
// capped response says so.
import { runToEnd, SlicedWork, WorkMeter } from '../slicedWork';

export const DISPLAY_LIMITS = {
  /** Occurrences of one phrase shown per response (the first ones, in text order). */
  occurrencesPerPhrase: 100,
  /** Key spans shown per line of the file (both responses together). */
  spansPerLine: 1000,
  /**
   * Lines longer than this (UTF-16 units) are not highlighted at all. Extraction runs in slices, but
   * parsing a line's JSON is one native pass: this bounds it (about 10 ms for 4 MB).
   */
  lineChars: 4_000_000,
} as const;

/** Keep at most `perPhrase` occurrences of each phrase (by `phrase`), in order; how many were dropped. */
export function capOccurrences<T extends { phrase: string }>(keys: readonly T[], perPhrase: number = DISPLAY_LIMITS.occurrencesPerPhrase): { keys: T[]; dropped: number } {
  return runToEnd(capOccurrencesSliced(keys, perPhrase));
}

/** capOccurrences in slices: a 4 MB response can hold 300k occurrences of one phrase. */
export function* capOccurrencesSliced<T extends { phrase: string }>(keys: readonly T[], perPhrase: number = DISPLAY_LIMITS.occurrencesPerPhrase): SlicedWork<{ keys: T[]; dropped: number }> {
  const seen = new Map<string, number>();
  const kept: T[] = [];
  const meter = new WorkMeter();
  for (const k of keys) {
    const n = (seen.get(k.phrase) ?? 0) + 1;
    seen.set(k.phrase, n);
    if (n <= perPhrase) kept.push(k);
    if (meter.add()) yield meter.take();
  }
  yield meter.take();
  return { keys: kept, dropped: keys.length - kept.length };
}

/** The note shown where a cap was hit. */
export function capNote(dropped: number, what: string): string {
  return `${dropped.toLocaleString('en-US')} more key ${dropped === 1 ? 'span' : 'spans'} not shown (${what})`;
}
