// One record's raw text and where it starts in the file, kept so text sources can be mapped lazily.

/**
 * The raw text of one JSON record (a JSONL line, or one element of a JSON array, which may span
 * lines), with the 1-based line and 0-based UTF-16 column of its first character.
 */
export interface RawRecord {
  readonly text: string;
  readonly line: number;
  readonly column: number;
}

/** Line/column in the file of an offset into the record text (CR of CRLF never starts a column). */
export function recordPosition(record: RawRecord, offset: number): { line: number; column: number } {
  let line = record.line;
  let lineStart = 0;
  for (let i = record.text.indexOf('\n'); i !== -1 && i < offset; i = record.text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, column: lineStart === 0 ? record.column + offset : offset - lineStart };
}
