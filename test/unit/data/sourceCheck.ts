// Test support: the raw lines of a file as VS Code shows them, and a check that a TextSource
// maps decoded ranges to raw text that unescapes to exactly the decoded substring.
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as zlib from 'zlib';
import { SeededRandom } from '../../../src/core/random';
import { SourcedText } from '../../../src/core/data';

/** The file's lines (1-based at index 1): gunzipped, BOM dropped, CR of CRLF dropped. */
export function rawLines(file: string): string[] {
  let bytes = fs.readFileSync(file);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = zlib.gunzipSync(bytes);
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return ['', ...text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))];
}

/** Unescapes raw JSON string content the way the file's reader would. */
export function unescapeRaw(raw: string): string {
  return JSON.parse('"' + raw + '"') as string;
}

/** Asserts the raw cut of [s, e) unescapes to text.slice(s, e). */
export function checkRange(lines: string[], sourced: SourcedText, s: number, e: number, what: string): void {
  const range = sourced.source!.toRaw(s, e);
  const raw = lines[range.line].slice(range.start, range.end);
  assert.equal(unescapeRaw(raw), sourced.text.slice(s, e), `${what} [${s}, ${e}) → line ${range.line} [${range.start}, ${range.end}) ${JSON.stringify(raw)}`);
}

/** Offsets worth testing: next to escapes (raw backslashes) and surrogate halves, plus the ends. */
function interestingOffsets(sourced: SourcedText): number[] {
  const out = [0, sourced.text.length];
  for (let i = 0; i < sourced.text.length; i++) {
    const c = sourced.text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || c === 0x2f || c >= 0xd800 && c <= 0xdfff || c > 0x7f) out.push(i, i + 1);
  }
  return out;
}

/** The whole text, random ranges, and ranges starting or ending at interesting offsets. */
export function checkSource(lines: string[], sourced: SourcedText, rng: SeededRandom, what: string, randomRanges = 4): void {
  assert.ok(sourced.source, `${what} has a source`);
  const n = sourced.text.length;
  const ranges: Array<[number, number]> = [[0, n]];
  for (let k = 0; k < randomRanges; k++) {
    const a = rng.int(n + 1);
    const b = rng.int(n + 1);
    ranges.push([Math.min(a, b), Math.max(a, b)]);
  }
  const marks = interestingOffsets(sourced);
  for (let k = 0; k < Math.min(marks.length, 8); k++) {
    const m = marks[rng.int(marks.length)];
    ranges.push([m, Math.min(n, m + 1 + rng.int(4))], [Math.max(0, m - 1 - rng.int(4)), m]);
  }
  // Cuts inside a surrogate pair are included: both sides then hold the same lone half.
  for (const [s, e] of ranges) checkRange(lines, sourced, s, e, what);
}
