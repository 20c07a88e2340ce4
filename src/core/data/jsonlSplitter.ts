// Splits JSONL into records: from byte chunks (files; each line checked as UTF-8 on its own so
// one bad line is one issue) or from a string (editor buffers). Blank lines are skipped.
import { isUtf8 } from 'buffer';
import { ReadIssue } from './types';
import { RawRecord } from './rawRecord';

export const DEFAULT_MAX_RECORD_BYTES = 256 * 1024 * 1024;

const LF = 0x0a;
const CR = 0x0d;

function isBlank(text: string): boolean {
  return text.trim() === '';
}

function megabytes(n: number): string {
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}

/** Incremental byte-level JSONL splitter: push chunks, get the complete lines' records. */
export class JsonlByteSplitter {
  private parts: Buffer[] = [];
  private partBytes = 0;
  private line = 1;

  constructor(private readonly maxRecordBytes = DEFAULT_MAX_RECORD_BYTES) {}

  /** The 1-based line the next complete line will have. */
  get nextLine(): number {
    return this.line;
  }

  push(chunk: Buffer): Array<RawRecord | ReadIssue> {
    const out: Array<RawRecord | ReadIssue> = [];
    let start = 0;
    for (let nl = chunk.indexOf(LF, start); nl !== -1; nl = chunk.indexOf(LF, start)) {
      this.keep(chunk.subarray(start, nl));
      this.emit(out);
      start = nl + 1;
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
    return out;
  }

  end(): Array<RawRecord | ReadIssue> {
    const out: Array<RawRecord | ReadIssue> = [];
    if (this.partBytes > 0) this.emit(out);
    return out;
  }

  private keep(bytes: Buffer): void {
    // Past the limit only the length is counted, so a huge line costs no memory.
    if (this.partBytes + bytes.length <= this.maxRecordBytes) this.parts.push(bytes);
    this.partBytes += bytes.length;
  }

  private emit(out: Array<RawRecord | ReadIssue>): void {
    const line = this.line++;
    const size = this.partBytes;
    const parts = this.parts;
    this.parts = [];
    this.partBytes = 0;
    if (size > this.maxRecordBytes) {
      out.push({ line, message: `line is ${megabytes(size)}, over the ${megabytes(this.maxRecordBytes)} limit for one record; skipped` });
      return;
    }
    let bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
    if (line === 1 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3); // BOM
    if (bytes.length > 0 && bytes[bytes.length - 1] === CR) bytes = bytes.subarray(0, bytes.length - 1);
    if (!isUtf8(bytes)) {
      out.push({ line, message: `not valid UTF-8 text (byte ${firstInvalidUtf8(bytes) + 1} of the line); is this a binary file?` });
      return;
    }
    const text = bytes.toString('utf8');
    if (!isBlank(text)) out.push({ text, line, column: 0 });
  }
}

/** Offset of the first invalid UTF-8 byte of a line known to be invalid. */
function firstInvalidUtf8(bytes: Buffer): number {
  // Lossy decoding turns each invalid sequence into U+FFFD; a genuine U+FFFD is spelled EF BF BD.
  const text = bytes.toString('utf8');
  let byteOffset = 0;
  let from = 0;
  for (let i = text.indexOf('\ufffd'); i !== -1; i = text.indexOf('\ufffd', i + 1)) {
    byteOffset += Buffer.byteLength(text.slice(from, i));
    from = i + 1;
    if (!(bytes[byteOffset] === 0xef && bytes[byteOffset + 1] === 0xbf && bytes[byteOffset + 2] === 0xbd)) return byteOffset;
    byteOffset += 3;
  }
  return 0;
}

/** The records of a JSONL document held as a string (BOM and CRs of CRLF not counted). */
export function* jsonlTextRecords(text: string): Generator<RawRecord> {
  let start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (let line = 1; start <= text.length; line++) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = text.length;
    const content = text.charCodeAt(end - 1) === CR && end > start ? text.slice(start, end - 1) : text.slice(start, end);
    if (!isBlank(content)) yield { text: content, line, column: 0 };
    start = end + 1;
  }
}
