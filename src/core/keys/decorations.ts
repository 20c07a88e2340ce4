// Key-content highlights for the visible lines of a JSONL document, as plain data: the VS Code
// side only turns these into decorations. Work is cached per line text, so scrolling is cheap, and
// runs in slices (slicedWork.ts), so a multi-megabyte line never holds the editor for long.
import { isReadIssue, parsePreferenceLine } from '../data';
import { PreferenceFormat } from '../data/types';
import { analyzePairSliced } from './analysis';
import { LruCache } from './lru';
import { Extractor } from './types';
import { capNote, capOccurrencesSliced, DISPLAY_LIMITS } from './displayLimits';
import { runToEnd, SlicedWork, WorkMeter } from '../slicedWork';

/** A document as the editor has it (e.g. a vscode.TextDocument adapted to this). */
export interface LineSource {
  readonly lineCount: number;
  /** Text of the 0-based line `index`, without its line break. */
  getLine(index: number): string;
}

/** 0-based inclusive line indexes, as VS Code's visible ranges give them. */
export interface LineRange {
  first: number;
  last: number;
}

export interface KeyDecoration {
  /** 1-based file line (RawRange semantics: subtract 1 for a vscode.Position). */
  line: number;
  /** 0-based UTF-16 columns of the raw characters that, JSON-unescaped, spell the key. */
  start: number;
  end: number;
  side: 'chosen' | 'rejected';
  /** The phrase also occurs in the other response of the pair. */
  shared: boolean;
  /** Normalised phrase (lower case, ASCII apostrophe). */
  phrase: string;
  score: number;
  /** 1-based rank of the phrase among its response's key phrases. */
  rank: number;
  /** 1-based line where the pair's record starts. */
  pairLine: number;
  /** The pair's data degree (spo-method.md §6). */
  degree: number;
}

export interface KeyDecorationOptions {
  extractor: Extractor;
  maxKeys: number;
  /** The file's format when known (detected once for the file); otherwise detected per line. */
  format?: PreferenceFormat;
  /** Keep one per document (or per editor) across calls; omit for no caching. */
  cache?: KeyDecorationCache;
  /** Told about each line whose highlights were capped or skipped (displayLimits.ts), with the note to show. */
  onNote?: (line: number, note: string) => void;
}

/** A line's decorations with lines relative to the record's line, so equal texts share them; `note` when capped. */
type CachedLine = ReadonlyArray<Omit<KeyDecoration, 'line' | 'pairLine'> & { lineOffset: number }> & { note?: string };

/**
 * Per-line-text cache of key decorations (LRU); holds no document, so any line reuses it. It keeps
 * the line texts as keys, so the default (500 lines: ten screens) bounds memory for long records.
 */
export class KeyDecorationCache {
  private readonly lines: LruCache<string, CachedLine>;

  constructor(capacity = 500) {
    this.lines = new LruCache(capacity);
  }

  get size(): number {
    return this.lines.size;
  }

  get(key: string): CachedLine | undefined {
    return this.lines.get(key);
  }

  set(key: string, value: CachedLine): void {
    this.lines.set(key, value);
  }

  clear(): void {
    this.lines.clear();
  }
}

const NO_DECORATIONS: CachedLine = [];

/**
 * Decorations for every JSONL record line in `range`. Lines that are blank, not a record, or a
 * bad record (the data diagnostics report those) get none. Output is in line order, and within a
 * line chosen keys first, each side best first.
 */
export function computeKeyDecorations(doc: LineSource, range: LineRange, options: KeyDecorationOptions): KeyDecoration[] {
  return runToEnd(computeKeyDecorationsSliced(doc, range, options));
}

/**
 * computeKeyDecorations in slices. Between two yields it does at most WORK_CHUNK items of work, plus
 * at most one native pass over one line (JSON.parse, a string join or copy), which lineChars bounds.
 */
export function* computeKeyDecorationsSliced(doc: LineSource, range: LineRange, options: KeyDecorationOptions): SlicedWork<KeyDecoration[]> {
  const out: KeyDecoration[] = [];
  const first = Math.max(0, range.first);
  const last = Math.min(doc.lineCount - 1, range.last);
  const meter = new WorkMeter();
  // Everything a line's result depends on besides its text.
  const prefix = `${options.extractor.name}\u0000${options.maxKeys}\u0000${options.format ?? ''}\u0000`;
  for (let index = first; index <= last; index++) {
    if (meter.add()) yield meter.take();
    const text = doc.getLine(index);
    if (text.trim() === '') continue;
    // Parsed as line 1, so the result does not depend on where the line is; the reader drops a
    // BOM on line 1 only, so a line elsewhere starting with U+FEFF is parsed as a later line.
    const parseLine = index > 0 && text.charCodeAt(0) === 0xfeff ? 2 : 1;
    const key = prefix + parseLine + text;
    let cached = options.cache?.get(key);
    if (!cached) {
      yield meter.take();
      cached = yield* decorateLine(text, parseLine, options);
      options.cache?.set(key, cached);
    }
    const pairLine = index + 1;
    if (cached.note) options.onNote?.(pairLine, cached.note);
    for (const d of cached) {
      const { lineOffset, ...rest } = d;
      out.push({ ...rest, line: pairLine + lineOffset, pairLine });
      if (meter.add()) yield meter.take();
    }
  }
  yield meter.take();
  return out;
}

function* decorateLine(text: string, parseLine: number, options: KeyDecorationOptions): SlicedWork<CachedLine> {
  if (text.length > DISPLAY_LIMITS.lineChars) {
    return Object.assign([], { note: `line of ${text.length.toLocaleString('en-US')} characters: too long to highlight (limit ${DISPLAY_LIMITS.lineChars.toLocaleString('en-US')})` });
  }
  const parsed = parsePreferenceLine(text, parseLine, options.format);
  yield 1; // JSON.parse: native, one pass over at most lineChars characters
  if (!parsed || isReadIssue(parsed)) return NO_DECORATIONS;
  const analysis = yield* analyzePairSliced(parsed, options.extractor, options.maxKeys);
  const result: Array<CachedLine[number]> = [];
  const meter = new WorkMeter();
  let dropped = 0;
  for (const side of ['chosen', 'rejected'] as const) {
    const source = parsed[side].source;
    if (!source) continue;
    const capped = yield* capOccurrencesSliced(analysis[side].keys);
    dropped += capped.dropped;
    if (capped.keys.length > 0 && source.prepareSliced) yield* source.prepareSliced();
    for (const k of capped.keys) {
      if (meter.add()) yield meter.take();
      if (result.length >= DISPLAY_LIMITS.spansPerLine) {
        dropped++;
        continue;
      }
      const raw = source.toRaw(k.start, k.end);
      result.push({
        lineOffset: raw.line - parsed.line, start: raw.start, end: raw.end, side,
        shared: k.shared, phrase: k.phrase, score: k.score, rank: k.rank, degree: analysis.degree.data,
      });
    }
  }
  yield meter.take();
  if (dropped === 0) return result;
  const note = capNote(dropped, `at most ${DISPLAY_LIMITS.occurrencesPerPhrase} per phrase, ${DISPLAY_LIMITS.spansPerLine} per line`);
  return Object.assign(result, { note });
}
