// Bad input: every bad record is reported with its line and a message naming what is wrong, is
// skipped, and every other pair is still read; binary, huge and broken files never crash.
import { describe, it, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { FIXTURES_DIR } from '../../helpers/paths';
import { SeededRandom } from '../../../src/core/random';
import { formatIssue, loadPreferenceFile, parsePreferenceLine, parsePreferenceText, isReadIssue } from '../../../src/core/data';

const fixture = (name: string) => path.join(FIXTURES_DIR, 'data', name);

describe('bad lines', () => {
  it('reports each bad line with its number and reads every good one', async () => {
    const { format, pairs, issues } = await loadPreferenceFile(fixture('bad-lines.jsonl'));
    assert.equal(format, 'trl');
    assert.deepEqual(pairs.map((p) => [p.index, p.line, p.chosen.text]), [[0, 1, 'good one'], [1, 9, 'c9'], [2, 12, 'c12']]);
    assert.deepEqual(issues.map((i) => i.line), [2, 4, 5, 7, 8, 10, 11]);
    const byLine = new Map(issues.map((i) => [i.line, i.message]));
    assert.match(byLine.get(2)!, /^not valid JSON: /);
    assert.equal(byLine.get(4), 'a record must be a JSON object, got a list');
    assert.equal(byLine.get(5), '"rejected" is missing');
    assert.equal(byLine.get(7), '"rejected" must be a string or a list of messages, got number');
    assert.equal(byLine.get(8), '"chosen" and "rejected" are missing; keys found: "foo", "bar"');
    assert.equal(byLine.get(10), 'not valid JSON: Unterminated string in JSON at column 42');
    assert.match(byLine.get(11)!, /"chosen" is a list of messages but "rejected" is a string; both must be/);
    assert.equal(formatIssue('f.jsonl', issues[3]), 'f.jsonl:7: "rejected" must be a string or a list of messages, got number');
  });

  it('gives the same results from text and line by line', async () => {
    const file = fixture('bad-lines.jsonl');
    const loaded = await loadPreferenceFile(file);
    const text = fs.readFileSync(file, 'utf8');
    const fromText = parsePreferenceText(text);
    assert.deepEqual(fromText.issues, loaded.issues);
    assert.deepEqual(fromText.pairs.map((p) => [p.index, p.line, p.prompt.text]), loaded.pairs.map((p) => [p.index, p.line, p.prompt.text]));
    const perLine = text.split('\n').map((l, i) => parsePreferenceLine(l, i + 1, 'trl')).filter((x) => x !== null);
    assert.deepEqual(perLine.filter(isReadIssue), loaded.issues);
    assert.deepEqual(perLine.filter((x) => !isReadIssue(x)).map((p) => p.line), [1, 9, 12]);
    assert.equal(parsePreferenceLine('   ', 3), null);
  });

  it('names the wrong field for other formats', () => {
    const line = (record: unknown, format?: 'hh' | 'tldr' | 'ultrafeedback') => {
      const r = parsePreferenceLine(JSON.stringify(record), 5, format);
      assert.ok(r && isReadIssue(r), JSON.stringify(record));
      assert.equal(r.line, 5);
      return r.message;
    };
    assert.equal(line({ chosen: '\n\nHuman: a\n\nAssistant: b', rejected: null }), '"rejected" must be a string (an HH transcript), got null');
    assert.match(line({ chosen: 'no turns', rejected: 'x' }, 'hh'), /"chosen" has no "\\n\\nAssistant:" turn/);
    assert.equal(line({ info: { post: 'p' }, summaries: [{ text: 'a' }, { text: 'b' }], choice: 2 }), '"choice" must be 0 or 1, got 2');
    assert.equal(line({ info: { post: 3 }, summaries: [], choice: 0 }), '"info.post" must be a string, got number');
    assert.match(line({ instruction: 'x', completions: [{ response: 'a', overall_score: 1 }, { response: 'b', overall_score: 1 }] }), /same score/);
    assert.equal(line({ chosen: [{ role: 'assistant' }], rejected: [] }), '"chosen"[0].content is missing');
  });
});

describe('broken and hostile files', () => {
  let dir = '';
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'spo-data-test-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, data: string | Buffer) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, data);
    return file;
  };
  const good = (i: number) => JSON.stringify({ prompt: `p${i}`, chosen: `c${i}`, rejected: `r${i}` });

  it('reports invalid UTF-8 and NUL bytes on their lines and reads the rest', async () => {
    const file = write('mixed.jsonl', Buffer.concat([
      Buffer.from(good(1) + '\n'),
      Buffer.from('{"prompt": "x", "chosen": "\xff\xfe", "rejected": "y"}\n', 'latin1'),
      Buffer.from('{"prompt": "x", "chosen": "a\u0000b", "rejected": "y"}\n'),
      Buffer.from(good(4) + '\n'),
    ]));
    const { pairs, issues } = await loadPreferenceFile(file);
    assert.deepEqual(pairs.map((p) => p.line), [1, 4]);
    assert.deepEqual(issues.map((i) => i.line), [2, 3]);
    assert.match(issues[0].message, /not valid UTF-8 text \(byte 28 of the line\)/);
    assert.match(issues[1].message, /^not valid JSON: .*\\u0000|^not valid JSON: Bad control character/);
  });

  it('gives up on a binary file after a bounded number of issues, without crashing', async () => {
    const rng = new SeededRandom(1);
    const bytes = Buffer.alloc(1 << 20);
    for (let i = 0; i < bytes.length; i++) bytes[i] = rng.int(256);
    const { format, pairs, issues } = await loadPreferenceFile(write('random.bin', bytes));
    assert.equal(format, null);
    assert.equal(pairs.length, 0);
    assert.ok(issues.length <= 100, `${issues.length} issues`);
    assert.match(issues[issues.length - 1].message, /does not look like a preference file/);
  });

  it('reads a 50 MB single-line record', async () => {
    const big = 'x'.repeat(50 * 1024 * 1024);
    const file = write('big.jsonl', `{"prompt": "p", "chosen": "${big}", "rejected": "r"}\n${good(2)}\n`);
    const loaded = await loadPreferenceFile(file);
    assert.deepEqual(loaded.issues, []);
    assert.equal(loaded.pairs[0].chosen.text.length, big.length);
    assert.deepEqual(loaded.pairs[0].chosen.source!.toRaw(big.length - 1, big.length), { line: 1, start: 27 + big.length - 1, end: 27 + big.length });
  });

  it('skips a line over the record size limit without holding it', async () => {
    const file = write('over.jsonl', `{"prompt": "p", "chosen": "${'y'.repeat(3 << 20)}", "rejected": "r"}\n${good(2)}\n`);
    const limited = await loadPreferenceFile(file, { maxRecordBytes: 1 << 20 });
    assert.deepEqual(limited.pairs.map((p) => p.line), [2]);
    assert.equal(limited.issues[0].line, 1);
    assert.match(limited.issues[0].message, /line is 3\.0 MB, over the 1\.0 MB limit for one record; skipped/);
  });

  it('says which formats were tried and which keys were found for an unknown format', async () => {
    const { format, pairs, issues } = await loadPreferenceFile(write('unknown.jsonl', '{"question": "q", "answer": "a"}\n'));
    assert.equal(format, null);
    assert.equal(pairs.length, 0);
    assert.deepEqual(issues.map((i) => i.line), [1]);
    assert.match(issues[0].message, /tried trl, trl-conversational, hh, tldr, ultrafeedback.*keys found: "question", "answer"/);
  });

  it('handles empty files, missing files, a pretty-printed object and a corrupt .gz', async () => {
    assert.deepEqual(await loadPreferenceFile(write('empty.jsonl', '')), { format: null, pairs: [], issues: [] });
    assert.deepEqual(await loadPreferenceFile(write('blank.jsonl', '\n \n\r\n')), { format: null, pairs: [], issues: [] });
    await assert.rejects(loadPreferenceFile(path.join(dir, 'nope.jsonl')), /cannot read .*nope\.jsonl: no such file/);
    const pretty = await loadPreferenceFile(write('pretty.json', '{\n  "chosen": "a",\n  "rejected": "b"\n}\n'));
    assert.match(pretty.issues[0].message, /a lone "\{"/);
    const gz = zlib.gzipSync(Buffer.from(`${good(1)}\n${good(2)}\n`.repeat(2000)));
    const corrupt = await loadPreferenceFile(write('corrupt.jsonl.gz', gz.subarray(0, gz.length >> 1)));
    assert.ok(corrupt.pairs.length > 0);
    assert.match(corrupt.issues[corrupt.issues.length - 1].message, /could not read further/);
  });

  it('reports JSON array structure errors and keeps the records before them', async () => {
    const unclosed = await loadPreferenceFile(write('unclosed.json', `[\n${good(1)},\n${good(2)}\n`));
    assert.equal(unclosed.pairs.length, 2);
    assert.deepEqual(unclosed.issues, [{ line: 4, message: 'the JSON array is not closed: missing "]" at the end of the file' }]);
    const truncated = await loadPreferenceFile(write('truncated.json', `[${good(1)},\n{"prompt": "p", "chos`));
    assert.equal(truncated.pairs.length, 1);
    assert.deepEqual(truncated.issues, [{ line: 2, message: 'the JSON array ends inside this record (file truncated?)' }]);
    const junk = await loadPreferenceFile(write('junk.json', `[${good(1)} ${good(2)}]`));
    assert.equal(junk.pairs.length, 1);
    assert.match(junk.issues[0].message, /expected "," or "\]" after a record of the JSON array, found "\{"/);
    const mixed = await loadPreferenceFile(write('mixed.json', `[1, "two", null, ${good(4)}]  \n`));
    assert.deepEqual(mixed.issues.map((i) => i.message), ['a record must be a JSON object, got number', 'a record must be a JSON object, got string', 'a record must be a JSON object, got null']);
    assert.equal(mixed.pairs.length, 1);
  });
});
