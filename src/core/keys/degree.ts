// Data degree (spo-method.md §6): how asymmetric the key content of a pair is, with no model.
// (u_w − u_l) / max(1, u_w + u_l), u_w = chosen key phrases absent from the rejected response,
// u_l = rejected key phrases absent from the chosen response.
import { KeySpan } from './types';
import { normalizePhrase, PhraseMatcher } from './words';

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
  const seen = new Set<string>();
  for (const k of keys) {
    const phrase = normalizePhrase(k.text);
    if (phrase) seen.add(phrase);
  }
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
  const inChosen = new PhraseMatcher(chosenText);
  const inRejected = new PhraseMatcher(rejectedText);
  const chosenOnly: string[] = [];
  const rejectedOnly: string[] = [];
  const shared = new Set<string>();
  for (const p of distinctPhrases(chosenKeys)) {
    if (inRejected.contains(p)) shared.add(p);
    else chosenOnly.push(p);
  }
  for (const p of distinctPhrases(rejectedKeys)) {
    if (inChosen.contains(p)) shared.add(p);
    else rejectedOnly.push(p);
  }
  const uw = chosenOnly.length;
  const ul = rejectedOnly.length;
  return { data: (uw - ul) / Math.max(1, uw + ul), chosenOnly, rejectedOnly, sharedPhrases: [...shared] };
}
