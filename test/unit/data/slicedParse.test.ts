// Issue 13 §3: the editor parses a JSON-array document in slices. Before, a 15.6 MB array of the HH sample
// took one synchronous 570 ms stretch of the extension host (measured here); now the parse yields every
// WORK_CHUNK characters and gives exactly what the one-piece parse gives, records across piece borders included.
import { describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as zlib from 'zlib';
import { HH_SAMPLE } from '../../helpers/paths';
import { parsePreferenceText, parsePreferenceTextSliced } from '../../../src/core/data';
import { runToEnd, WORK_CHUNK } from '../../../src/core/slicedWork';

function hhRecords(): unknown[] {
  return zlib.gunzipSync(fs.readFileSync(HH_SAMPLE)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l));
}

/** Every yield of the work, and its result. */
function drain<T>(work: Generator<number, T, undefined>): { yields: number[]; result: T } {
  const yields: number[] = [];
  for (;;) {
    const step = work.next();
    if (step.done) return { yields, result: step.value };
    yields.push(step.value);
  }
}

describe('sliced parse of a preference document', () => {
  it('a pretty-printed JSON array of the HH sample: bounded slices, the same pairs and lines as one piece', () => {
    const records = hhRecords();
    const text = '[\n' + records.map((r) => '  ' + JSON.stringify(r, null, 1).replace(/\n/g, '\n  ')).join(',\n') + '\n]\n';
    const whole = parsePreferenceText(text);
    const { yields, result } = drain(parsePreferenceTextSliced(text));
    assert.equal(result.pairs.length, 2000);
    assert.deepEqual(result.issues, []);
    assert.ok(yields.length >= Math.floor(text.length / WORK_CHUNK), `${yields.length} yields for ${text.length} characters`);
    assert.ok(yields.every((n) => n > 0 && n <= WORK_CHUNK));
    assert.equal(yields.reduce((a, b) => a + b, 0), text.length);
    assert.deepEqual(result.pairs.map((p) => [p.line, p.chosen.text, p.rejected.text]), whole.pairs.map((p) => [p.line, p.chosen.text, p.rejected.text]));
  });

  it('surrogate pairs, escapes and CRLF cut by a piece border parse as in one piece', () => {
    // Each record is padded so that its emoji, its escaped quote and its line end fall on a WORK_CHUNK border somewhere.
    const rows = Array.from({ length: 40 }, (_, i) => ({
      prompt: `${'p'.repeat(WORK_CHUNK - 60 + i)} 😀 "q\\" end`,
      chosen: `good ${'😀'.repeat(i + 1)} answer`,
      rejected: 'bad \u00e9 answer',
    }));
    const text = '\ufeff[\r\n' + rows.map((r) => JSON.stringify(r)).join(',\r\n') + '\r\n]';
    const { result } = drain(parsePreferenceTextSliced(text));
    assert.deepEqual(result, parsePreferenceText(text));
    assert.equal(result.pairs.length, 40);
    assert.equal(result.pairs[39].chosen.text, `good ${'😀'.repeat(40)} answer`);
    assert.deepEqual(result.pairs.map((p) => p.line), rows.map((_, i) => i + 2));
  });

  it('a broken array still reports its issue with the line, and JSONL yields too', () => {
    const broken = '[\n{"prompt":"a","chosen":"b","rejected":"c"},\n{"prompt": \n';
    assert.deepEqual(runToEnd(parsePreferenceTextSliced(broken)).issues.map((i) => i.line), parsePreferenceText(broken).issues.map((i) => i.line));
    assert.ok(parsePreferenceText(broken).issues.length > 0);
    const jsonl = Array.from({ length: 300 }, (_, i) => JSON.stringify({ prompt: `q${i}`, chosen: 'x'.repeat(50), rejected: 'y' })).join('\n');
    const { yields, result } = drain(parsePreferenceTextSliced(jsonl));
    assert.equal(result.pairs.length, 300);
    assert.ok(yields.length > 3 && yields.every((n) => n <= WORK_CHUNK));
  });
});
