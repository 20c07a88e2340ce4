// The SPO degree augmenter (spo-method.md §2): remove a random class-sized share of a response's
// key spans and label the variant with its class; responses with too few key spans are masked.
// The draws are counter-based (variantDraws.ts), keyed by (seed, step, example index, stream).
import type { KeySpan } from '../keys/types';
import { drawInt, drawSpanIndices, removedSpanCount, variantKey } from './variantDraws';

export interface DegreeVariant {
  /** False when the response has fewer than K−1 key spans: it takes no part in the SPO loss. */
  kept: boolean;
  /** Class c in {0..K−1} (0 = intact, K−1 = every key span removed); -1 when masked. */
  label: number;
  /** The response with m key spans removed (the original text when masked or c = 0). */
  text: string;
  /** How many key spans were removed. */
  removed: number;
}

/** Cut the given spans out of `text` and collapse the whitespace left behind at each cut. */
export function removeSpans(text: string, spans: readonly KeySpan[]): string {
  const sorted = spans.slice().sort((a, b) => a.start - b.start);
  let out = '';
  let cursor = 0;
  for (const s of sorted) {
    if (s.end <= cursor) continue; // nested or duplicate span: already cut
    out += text.slice(cursor, Math.max(cursor, s.start));
    cursor = s.end;
    // Drop the spaces after the cut when spaces (or the text start) already precede it, and
    // the space before a following punctuation mark, so no double space or " ," is left.
    const rest = text.slice(cursor);
    const lead = rest.match(/^[ \t]*/)![0].length;
    const next = rest.charAt(lead);
    const leftEndsBlank = out.length === 0 || /[ \t\n]$/.test(out);
    if (leftEndsBlank || /^[,.;:!?)]/.test(next)) {
      if (/^[,.;:!?)]/.test(next)) out = out.replace(/[ \t]+$/, '');
      cursor += lead;
    }
  }
  return out + text.slice(cursor);
}

/** Where a variant's draws come from: the run's seed, the 1-based optimizer step, the pair's index, the stream. */
export interface VariantDraw {
  seed: number;
  step: number;
  index: number;
  stream: number;
}

export class DegreeAugmenter {
  constructor(private readonly classes: number) {
    if (!Number.isInteger(classes) || classes < 2) throw new Error(`DegreeAugmenter: classes must be an integer ≥ 2, got ${classes}`);
  }

  /** The variant of `text` (with key spans `keys`) that the draw (seed, step, index, stream) selects. */
  augment(text: string, keys: readonly KeySpan[], draw: VariantDraw): DegreeVariant {
    const K = this.classes;
    const n = keys.length;
    if (n < K - 1) return { kept: false, label: -1, text, removed: 0 };
    const key = variantKey(draw.seed, draw.step, draw.index, draw.stream);
    const c = drawInt(key, 0, K);
    const m = removedSpanCount(c, n, K);
    if (m === 0) return { kept: true, label: c, text, removed: 0 };
    const chosen = drawSpanIndices(key, n, m).map((i) => keys[i]);
    return { kept: true, label: c, text: removeSpans(text, chosen), removed: m };
  }
}
