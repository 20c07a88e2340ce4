// Turns one raw record into a pair or an issue, and numbers pairs across a file while fixing the
// file's format from its first readable record (or the caller's override).
import { PreferenceFormat, PreferencePair, ReadIssue } from './types';
import { RawRecord, recordPosition } from './rawRecord';
import { jsonTypeName } from './issues';
import { detectFormat, isPlainObject, PREFERENCE_FORMATS } from './formats/detect';
import { FormatParser, PairFields } from './formats/fields';
import { parseTrl } from './formats/trl';
import { parseHh } from './formats/hh';
import { parseTldr } from './formats/tldr';
import { parseUltraFeedback } from './formats/ultrafeedback';

const PARSERS: Record<PreferenceFormat, FormatParser> = {
  trl: parseTrl,
  'trl-conversational': parseTrl, // one parser: each record says whether it holds strings or lists
  hh: parseHh,
  tldr: parseTldr,
  ultrafeedback: parseUltraFeedback,
};

/** After this many unreadable records and no pair at all, the input is not preference data. */
export const GIVE_UP_AFTER = 100;

/** Parses a record as `format`, or as the format its keys suggest when none is given. */
export function parseRecord(raw: RawRecord, format: PreferenceFormat | undefined): PairFields | string {
  let value: unknown;
  try {
    value = JSON.parse(raw.text);
  } catch (err) {
    if (raw.text.trim() === '{') return 'not valid JSON: a lone "{" (a pretty-printed record? JSONL needs one record per line; or write a JSON array of records)';
    return `not valid JSON: ${printable(withFilePosition((err as Error).message, raw))}`;
  }
  if (!isPlainObject(value)) return `a record must be a JSON object, got ${jsonTypeName(value)}`;
  const detected = detectFormat(value);
  if (!format && !detected) return noKnownFormat(value);
  const parsed = PARSERS[format ?? detected!](value, raw);
  // A record with none of any format's keys gets its keys listed, so a wrong file is obvious.
  return typeof parsed === 'string' && !detected ? `${parsed}; keys found: ${keyList(value)}` : parsed;
}

/** The other format this record is a valid record of (a broken record of the file's own format is not "another format"). */
function otherFormatOf(raw: RawRecord, format: PreferenceFormat): PreferenceFormat | null {
  let value: unknown;
  try {
    value = JSON.parse(raw.text);
  } catch {
    return null;
  }
  if (!isPlainObject(value)) return null;
  const detected = detectFormat(value);
  if (!detected || detected === format) return null;
  return typeof PARSERS[detected](value, raw) === 'string' ? null : detected;
}

function keyList(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  if (keys.length === 0) return 'none';
  return keys.slice(0, 20).map((k) => JSON.stringify(k)).join(', ') + (keys.length > 20 ? `, … (${keys.length} keys)` : '');
}

function noKnownFormat(record: Record<string, unknown>): string {
  return `record matches no known preference format (tried ${PREFERENCE_FORMATS.join(', ')}); ` +
    `expected "chosen"/"rejected", "info"/"summaries"/"choice" or "completions"; keys found: ${keyList(record)}`;
}

/** V8 says "at position N" (an offset into the record); say where that is in the file instead. */
function withFilePosition(message: string, raw: RawRecord): string {
  return message.replace(/ at position (\d+)/, (_, offset: string) => {
    const at = recordPosition(raw, Number(offset));
    return at.line === raw.line ? ` at column ${at.column + 1}` : ` at line ${at.line}, column ${at.column + 1}`;
  });
}

/** Error text from JSON.parse can quote binary garbage: keep it short and printable. */
function printable(message: string): string {
  const short = message.length > 160 ? message.slice(0, 160) + '…' : message;
  return short.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * The per-file state of reading: the format (given, or fixed by the first readable record; TRL
 * standard and conversational records may mix) and the running pair index.
 */
export class PairAssembler {
  private format: PreferenceFormat | undefined;
  private pairCount = 0;
  private issueCount = 0;
  /** Set once the input has proven not to be preference data; readers then stop. */
  stopped = false;

  constructor(format?: PreferenceFormat) {
    this.format = format;
  }

  /** The format read so far: the override, else the first pair's format; null before any pair. */
  get detectedFormat(): PreferenceFormat | null {
    return this.format ?? null;
  }

  get pairs(): number {
    return this.pairCount;
  }

  accept(raw: RawRecord): PreferencePair | ReadIssue {
    const parsed = parseRecord(raw, this.format);
    if (typeof parsed === 'string') {
      // A record of another known format in a file already read as this.format: say which, so a mixed file is obvious.
      const other = this.format ? otherFormatOf(raw, this.format) : null;
      return this.issue(other
        ? { line: raw.line, message: `${parsed} (this record is ${other}, the file so far is ${this.format}: the file mixes formats)`, otherFormat: other }
        : { line: raw.line, message: parsed });
    }
    this.format ??= parsed.format;
    return { index: this.pairCount++, line: raw.line, ...parsed };
  }

  /** Records an issue the splitter found (bad bytes, oversize), counting it towards giving up. */
  issue(issue: ReadIssue): ReadIssue {
    this.issueCount++;
    if (this.pairCount === 0 && this.issueCount >= GIVE_UP_AFTER && !this.stopped) {
      this.stopped = true;
      return { line: issue.line, message: `${issue.message}; stopped reading: the first ${GIVE_UP_AFTER} records were all unreadable, so this does not look like a preference file (tried ${PREFERENCE_FORMATS.join(', ')})` };
    }
    return issue;
  }
}
