// Reads preference data already in memory (an editor buffer), with the same results as the file
// reader, and single JSONL lines for the editor's visible range.
import { PreferenceFormat, PreferencePair, ReadIssue } from './types';
import { RawRecord } from './rawRecord';
import { PairAssembler, parseRecord } from './recordParser';
import { jsonlTextRecords } from './jsonlSplitter';
import { JsonArraySplitter, looksLikeJsonArray } from './jsonArraySplitter';
import { DEFAULT_MAX_RECORD_BYTES } from './jsonlSplitter';
import { forcedFormat, LoadedPreferences, ReadOptions } from './fileReader';

/** Parses a whole document: JSONL or a JSON array (a leading BOM is ignored). */
export function parsePreferenceText(text: string, options?: ReadOptions): LoadedPreferences {
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
    for (const r of splitter.push(text)) {
      take(r);
      if (assembler.stopped) break;
    }
    if (!assembler.stopped) splitter.end().forEach(take);
  } else {
    for (const r of jsonlTextRecords(text)) {
      take(r);
      if (assembler.stopped) break;
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
