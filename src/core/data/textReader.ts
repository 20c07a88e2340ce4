// Reads preference data already in memory (an editor buffer), with the same results as the file
// reader, and single JSONL lines for the editor's visible range.
import { PreferenceFormat, PreferencePair, ReadIssue } from './types';
import { RawRecord } from './rawRecord';
import { PairAssembler, parseRecord } from './recordParser';
import { jsonlTextRecords } from './jsonlSplitter';
import { JsonArraySplitter, looksLikeJsonArray } from './jsonArraySplitter';
import { DEFAULT_MAX_RECORD_BYTES } from './jsonlSplitter';
import { forcedFormat, LoadedPreferences, ReadOptions } from './fileReader';
import { runToEnd, SlicedWork, WORK_CHUNK, WorkMeter } from '../slicedWork';

/** Parses a whole document: JSONL or a JSON array (a leading BOM is ignored). */
export function parsePreferenceText(text: string, options?: ReadOptions): LoadedPreferences {
  return runToEnd(parsePreferenceTextSliced(text, options));
}

/** Characters of a JSON-array document handed to the splitter between two yields. */
const ARRAY_PIECE_CHARS = WORK_CHUNK;

/**
 * parsePreferenceText as sliced work (slicedWork.ts): yields every WORK_CHUNK characters scanned, so the
 * extension host can parse a multi-megabyte JSON array between other events instead of in one stretch.
 */
export function* parsePreferenceTextSliced(text: string, options?: ReadOptions): SlicedWork<LoadedPreferences> {
  const assembler = new PairAssembler(forcedFormat(options));
  const pairs: PreferencePair[] = [];
  const issues: ReadIssue[] = [];
  let format: PreferenceFormat | null = forcedFormat(options) ?? null;
  const take = (r: RawRecord | ReadIssue): void => {
    const item = 'text' in r ? assembler.accept(r) : assembler.issue(r);
    if ('chosen' in item) {
      format ??= item.format;
      pairs.push(item);
    } else {
      issues.push(item);
    }
  };
  if (looksLikeJsonArray(text.slice(0, 4096))) {
    const splitter = new JsonArraySplitter(options?.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES);
    for (let at = 0; at < text.length && !assembler.stopped; at += ARRAY_PIECE_CHARS) {
      for (const r of splitter.push(text.slice(at, at + ARRAY_PIECE_CHARS))) {
        take(r);
        if (assembler.stopped) break;
      }
      yield Math.min(ARRAY_PIECE_CHARS, text.length - at);
    }
    if (!assembler.stopped) splitter.end().forEach(take);
  } else {
    const meter = new WorkMeter();
    for (const r of jsonlTextRecords(text)) {
      take(r);
      if (assembler.stopped) break;
      if (meter.add(r.text.length + 1)) yield Math.min(meter.take(), WORK_CHUNK);
    }
  }
  return { format, pairs, issues };
}

/**
 * Parses one JSONL line (without its line break) as `format`, or as the format its keys suggest.
 * Returns null for a blank line. The pair's `index` is unknown here and set to -1.
 */
export function parsePreferenceLine(lineText: string, line: number, format?: PreferenceFormat): PreferencePair | ReadIssue | null {
  const text = line === 1 && lineText.charCodeAt(0) === 0xfeff ? lineText.slice(1) : lineText;
  if (text.trim() === '') return null;
  const parsed = parseRecord({ text, line, column: 0 }, format);
  return typeof parsed === 'string' ? { line, message: parsed } : { index: -1, line, ...parsed };
}
