// Key content: what an extractor finds in a response, as offsets into that response string.
import { SlicedWork } from '../slicedWork';

export interface KeySpan {
  /** UTF-16 offsets into the response text, [start, end). */
  start: number;
  end: number;
  text: string;
  score: number;
}

/** A key-content extractor (spo-method.md §1). RAKE is the first; others plug in here. */
export interface Extractor {
  readonly name: string;
  /**
   * Spans of at most `maxKeys` distinct phrases (case-insensitive), best first, ties broken by
   * position; every occurrence of a kept phrase is a span (grouped per phrase, in text order), so
   * there may be more spans than `maxKeys`. Spans never overlap.
   */
  extract(text: string, maxKeys: number): KeySpan[];
  /** The same result as `extract`, computed in slices (slicedWork.ts); extractors without it run in one step. */
  extractSliced?(text: string, maxKeys: number): SlicedWork<KeySpan[]>;
}
