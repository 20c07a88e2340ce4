// Data degree (spo-method.md §6): how asymmetric the key content of a pair is, with no model.
// (u_w − u_l) / max(1, u_w + u_l), u_w = chosen key phrases absent from the rejected response,
// u_l = rejected key phrases absent from the chosen response.
import { KeySpan } from './types';
import { normalizePhraseSliced, PhraseMatcher } from './words';
import { runToEnd, SlicedWork, WorkMeter } from '../slicedWork';

/**
 * The data degree of a pair with the phrases behind it. Runs and the degree views keep its value, lists
 * and name as `PairDataDegree` (core/protocol/degrees.ts: `degree`, `chosenOnly`, `rejectedOnly`); here the
 * value stays `data`, the field name `spo keys --json` prints.
 */
export interface DataDegree {
  /** In [−1, 1]; +1: all key content is the chosen response's own, −1: all the rejected's. */
  data: number;
  /** Distinct normalised chosen key phrases absent from the rejected response (u_w of them). */
  chosenOnly: string[];
  /** Distinct normalised rejected key phrases absent from the chosen response (u_l of them). */
  rejectedOnly: string[];
  /** Distinct normalised key phrases (of either side) that occur in both responses. */
  sharedPhrases: string[];
}

/** Distinct normalised phrases of a key list, in list order (best first for extractor output). */
export function distinctPhrases(keys: readonly KeySpan[]): string[] {
  return runToEnd(distinctPhrasesSliced(keys));
}

/** The normalised phrase of each key, in order; equal key texts are normalised once (a phrase may repeat 100k times). */
export function* keyPhrasesSliced(keys: readonly KeySpan[]): SlicedWork<string[]> {
  const byText = new Map<string, string>();
  const phrases: string[] = [];
  const meter = new WorkMeter();
  for (const k of keys) {
    if (meter.add()) yield meter.take();
    let phrase = byText.get(k.text);
    if (phrase === undefined) {
      phrase = yield* normalizePhraseSliced(k.text);
      byText.set(k.text, phrase);
    }
    phrases.push(phrase);
  }
  yield meter.take();
  return phrases;
}

function* distinctPhrasesSliced(keys: readonly KeySpan[]): SlicedWork<string[]> {
  const seen = new Set<string>();
  for (const phrase of yield* keyPhrasesSliced(keys)) if (phrase) seen.add(phrase);
  return [...seen];
}

/**
 * Phrases are compared case-insensitively on word boundaries (see PhraseMatcher), so a chosen
 * key counts as shared when the rejected text contains it, whether or not it is a rejected key.
 */
export function dataDegree(
  chosenKeys: readonly KeySpan[],
  rejectedKeys: readonly KeySpan[],
  chosenText: string,
  rejectedText: string,
): DataDegree {
  return runToEnd(dataDegreeSliced(chosenKeys, rejectedKeys, chosenText, rejectedText));
}

/** dataDegree in slices. */
export function* dataDegreeSliced(
  chosenKeys: readonly KeySpan[],
  rejectedKeys: readonly KeySpan[],
  chosenText: string,
  rejectedText: string,
): SlicedWork<DataDegree> {
  const chosenPhrases = yield* distinctPhrasesSliced(chosenKeys);
  const rejectedPhrases = yield* distinctPhrasesSliced(rejectedKeys);
  // Matchers only when there is a phrase to look up: each scans a whole response.
  const inChosen = rejectedPhrases.length > 0 ? yield* PhraseMatcher.sliced(chosenText) : undefined;
  const inRejected = chosenPhrases.length > 0 ? yield* PhraseMatcher.sliced(rejectedText) : undefined;
  const chosenOnly: string[] = [];
  const rejectedOnly: string[] = [];
  const shared = new Set<string>();
  for (const p of chosenPhrases) {
    if (inRejected!.contains(p)) shared.add(p);
    else chosenOnly.push(p);
  }
  for (const p of rejectedPhrases) {
    if (inChosen!.contains(p)) shared.add(p);
    else rejectedOnly.push(p);
  }
  const uw = chosenOnly.length;
  const ul = rejectedOnly.length;
  return { data: (uw - ul) / Math.max(1, uw + ul), chosenOnly, rejectedOnly, sharedPhrases: [...shared] };
}
