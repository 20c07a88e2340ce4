// Splits a JSON array document into its element records incrementally (text chunks in, complete
// elements out), tracking each element's line and column. Structural errors end the document.
import { ReadIssue } from './types';
import { RawRecord } from './rawRecord';

type Phase = 'start' | 'element' | 'separator' | 'done' | 'broken';

/** First non-whitespace character of a document, ignoring a BOM: `[` means a JSON array. */
export function looksLikeJsonArray(head: string): boolean {
  const m = /^\ufeff?\s*(\S)/.exec(head);
  return m !== null && m[1] === '[';
}

export class JsonArraySplitter {
  private phase: Phase = 'start';
  private line = 1;
  private column = 0;
  // The element being scanned: its pieces, position and nesting.
  private parts: string[] = [];
  private partChars = 0;
  private elementLine = 0;
  private elementColumn = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private inElement = false;
  private sawBom = false;

  constructor(private readonly maxRecordChars: number) {}

  /** The line the scan has reached (for issues found outside the splitter). */
  get currentLine(): number {
    return this.line;
  }

  push(text: string): Array<RawRecord | ReadIssue> {
    const out: Array<RawRecord | ReadIssue> = [];
    let i = 0;
    if (!this.sawBom) {
      this.sawBom = true;
      if (text.charCodeAt(0) === 0xfeff) i = 1;
    }
    let elementStart = this.inElement ? i : -1;
    for (; i < text.length && this.phase !== 'broken'; i++) {
      const c = text.charCodeAt(i);
      if (this.inElement) {
        if (this.depth === 0 && !this.inString) {
          // A bare number or literal ends at a delimiter, which is then read as structure.
          if (isDelimiter(c)) {
            this.keep(text.slice(elementStart, i));
            this.finishElement(out);
            elementStart = -1;
            i--;
            continue;
          }
        } else if (this.scanElementChar(c)) {
          this.keep(text.slice(elementStart, i + 1));
          this.finishElement(out);
          elementStart = -1;
        }
      } else if (!isWhitespace(c)) {
        this.structural(c, out);
        if (this.inElement) elementStart = i;
      }
      if (c === 0x0a) {
        this.line++;
        this.column = 0;
      } else {
        this.column++;
      }
    }
    if (this.inElement && elementStart >= 0) this.keep(text.slice(elementStart));
    return out;
  }

  end(): ReadIssue[] {
    if (this.phase === 'done' || this.phase === 'broken') return [];
    if (this.inElement) return [{ line: this.elementLine, message: 'the JSON array ends inside this record (file truncated?)' }];
    if (this.phase === 'start') return [{ line: this.line, message: 'empty document: expected a JSON array of records' }];
    return [{ line: this.line, message: 'the JSON array is not closed: missing "]" at the end of the file' }];
  }

  /** A non-whitespace character between elements. */
  private structural(c: number, out: Array<RawRecord | ReadIssue>): void {
    if (this.phase === 'start') {
      if (c === 0x5b /* [ */) this.phase = 'element';
      else this.fail(out, c, 'expected "[" to start a JSON array');
    } else if (this.phase === 'separator') {
      if (c === 0x2c /* , */) this.phase = 'element';
      else if (c === 0x5d /* ] */) this.phase = 'done';
      else this.fail(out, c, 'expected "," or "]" after a record of the JSON array');
    } else if (this.phase === 'element') {
      if (c === 0x5d && this.parts.length === 0) this.phase = 'done'; // "[]" or a trailing comma
      else if (c === 0x2c) this.fail(out, c, 'expected a record, found ","');
      else this.startElement(c);
    } else {
      this.fail(out, c, 'unexpected text after the closing "]" of the JSON array');
    }
  }

  private fail(out: Array<RawRecord | ReadIssue>, c: number, what: string): void {
    out.push({ line: this.line, message: `${what}, found ${JSON.stringify(String.fromCharCode(c))} at column ${this.column + 1}; the rest of the file is not read` });
    this.phase = 'broken';
  }

  private startElement(c: number): void {
    this.inElement = true;
    this.elementLine = this.line;
    this.elementColumn = this.column;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
    this.scanFirst(c);
  }

  private scanFirst(c: number): void {
    if (c === 0x22) this.inString = true;
    else if (c === 0x7b || c === 0x5b) this.depth = 1;
  }

  /** Advances over one char of the element; true when that char completes it. */
  private scanElementChar(c: number): boolean {
    if (this.inString) {
      if (this.escaped) this.escaped = false;
      else if (c === 0x5c) this.escaped = true;
      else if (c === 0x22) {
        this.inString = false;
        return this.depth === 0;
      }
      return false;
    }
    if (c === 0x22) this.inString = true;
    else if (c === 0x7b || c === 0x5b) this.depth++;
    else if (c === 0x7d || c === 0x5d) return --this.depth === 0;
    return false;
  }

  private keep(piece: string): void {
    if (this.partChars + piece.length <= this.maxRecordChars) this.parts.push(piece);
    this.partChars += piece.length;
  }

  private finishElement(out: Array<RawRecord | ReadIssue>): void {
    const size = this.partChars;
    const text = this.parts.join('');
    this.parts = [];
    this.partChars = 0;
    this.inElement = false;
    this.phase = 'separator';
    if (size > this.maxRecordChars) {
      out.push({ line: this.elementLine, message: `record is ${size} characters, over the ${this.maxRecordChars} limit for one record; skipped` });
    } else {
      out.push({ text, line: this.elementLine, column: this.elementColumn });
    }
  }
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function isDelimiter(c: number): boolean {
  return c === 0x2c || c === 0x5d || isWhitespace(c);
}
